"""Doctype definitions: the shipped ones load; bad ones fail at load naming file and field."""

import json

import pytest

from app.config import ROOT
from app.errors import MetaError
from app.model.controllers import load_registry

from .conftest import TEST_DOCTYPES

GOOD_CHILD = {
    "name": "Row Thing",
    "collection": "row_thing",
    "module": "T",
    "is_child": True,
    "fields": [{"fieldname": "x", "fieldtype": "Data"}],
}


def write(tmp_path, definition, folder=None):
    folder = folder or definition.get("collection", "broken")
    d = tmp_path / folder
    d.mkdir(parents=True, exist_ok=True)
    path = d / f"{folder}.json"
    path.write_text(definition if isinstance(definition, str) else json.dumps(definition))
    return path


def base(**kw):
    d = {"name": "Thing", "collection": "thing", "module": "T", "fields": [{"fieldname": "title", "fieldtype": "Data"}]}
    d.update(kw)
    return d


def load(tmp_path):
    return load_registry([ROOT / "app" / "doctypes", ROOT / "doctypes", tmp_path])


def test_shipped_doctypes_load():
    registry = load_registry([ROOT / "app" / "doctypes", ROOT / "doctypes", TEST_DOCTYPES])
    assert {"MDO", "Officer", "Officer Posting", "Service", "Version"} <= set(registry.names)
    officer = registry.get("Officer")
    assert officer.collection == "officer" and officer.is_tenant
    assert officer.get_field("mdo").options == "MDO"  # implicit tenant field
    assert officer.controller().__name__ == "Officer"


@pytest.mark.parametrize(
    "definition, expected",
    [
        (base(fields=[{"fieldname": "title", "fieldtype": "Strng"}]), "field 'title', key 'fieldtype'"),
        (base(fields=[{"fieldname": "title"}]), "'fieldtype' is a required property"),
        (base(fields=[{"fieldname": "Title", "fieldtype": "Data"}]), "does not match"),
        (base(name="officer thing"), "name: 'officer thing' does not match"),
        (base(collection="OfficerThing"), "collection: 'OfficerThing' does not match"),
        (base(colour="blue"), "Additional properties are not allowed ('colour'"),
        (
            base(fields=[{"fieldname": "m", "fieldtype": "Link", "options": "Nowhere"}]),
            "field 'm': Link target DocType 'Nowhere' does not exist",
        ),
        (base(fields=[{"fieldname": "m", "fieldtype": "Link"}]), "field 'm': a Link field needs options"),
        (base(fields=[{"fieldname": "s", "fieldtype": "Select"}]), "field 's': a Select field needs options"),
        (
            base(fields=[{"fieldname": "fee", "fieldtype": "Currency", "options": "curency"}]),
            "field 'fee': options 'curency' is neither a field of Thing holding the currency code nor a currency code",
        ),
        (
            base(fields=[{"fieldname": "rows", "fieldtype": "Table", "options": "MDO"}]),
            "field 'rows': Table DocType 'MDO' is not a child doctype",
        ),
        (
            base(fields=[{"fieldname": "a", "fieldtype": "Data"}, {"fieldname": "a", "fieldtype": "Int"}]),
            "field 'a': defined twice",
        ),
        (base(fields=[{"fieldname": "owner", "fieldtype": "Data"}]), "field 'owner': is a standard field name"),
        (base(title_field="nope"), "title_field: field 'nope' does not exist"),
        (base(autoname="field:nope"), "autoname: field 'nope' does not exist"),
        (base(indexes=[{"fields": ["nope"]}]), "indexes[0]: field 'nope' does not exist"),
        (base(collection="officer"), "collection 'officer' is already used by DocType 'Officer'"),
        (base(fields=[{"fieldname": "n", "fieldtype": "Int", "min": 5, "max": 1}]), "field 'n': min 5 is greater than max 1"),
        (
            base(fields=[{"fieldname": "s", "fieldtype": "Select", "options": "A\nB", "default": "C"}]),
            "field 's': default 'C' is not one of its options",
        ),
        (
            base(
                fields=[
                    {"fieldname": "o", "fieldtype": "Link", "options": "Officer"},
                    {"fieldname": "n", "fieldtype": "Data", "fetch_from": "title.full_name"},
                ]
            ),
            "field 'n': fetch_from 'title.full_name' must start with a Link field",
        ),
        (
            base(
                fields=[
                    {"fieldname": "o", "fieldtype": "Link", "options": "Officer"},
                    {"fieldname": "n", "fieldtype": "Data", "fetch_from": "o.nickname"},
                ]
            ),
            "field 'n': fetch_from: Officer has no field 'nickname'",
        ),
        (
            base(fields=[{"fieldname": "c", "fieldtype": "Data", "link_filters": {"workflow_state": "Verified"}}]),
            "field 'c': link_filters apply to Link fields only",
        ),
        (
            base(fields=[{"fieldname": "c", "fieldtype": "Link", "options": "Competency", "link_filters": {"colour": "red"}}]),
            "field 'c': link_filters: Competency has no field 'colour'",
        ),
        (base(tenant_read="all"), "tenant_read: only a tenant doctype"),
        (base(actions=[{"name": "publish", "label": "Publish"}]), "actions: 'publish' needs a method action_publish"),
        (base(teaches={"table": "nope", "columns": {"competency": "competency"}}), "teaches: field 'nope' does not exist"),
        (
            base(teaches={"table": "title", "columns": {"competency": "competency", "level": "level"}}),
            "teaches: 'title' must be a Table whose rows have competency, level",
        ),
    ],
)
def test_bad_definition_names_file_and_field(tmp_path, definition, expected):
    path = write(tmp_path, definition, folder="thing")
    with pytest.raises(MetaError) as err:
        load(tmp_path)
    assert str(path) in str(err.value)
    assert expected in str(err.value)


def test_invalid_json_names_file(tmp_path):
    path = write(tmp_path, '{"name": "Thing",', folder="thing")
    with pytest.raises(MetaError, match="not valid JSON") as err:
        load(tmp_path)
    assert str(path) in str(err.value)


def test_child_table_target_must_exist(tmp_path):
    write(tmp_path, GOOD_CHILD)
    write(tmp_path, base(fields=[{"fieldname": "rows", "fieldtype": "Table", "options": "Row Thing"}]))
    registry = load(tmp_path)
    assert registry.get("Thing").table_fields[0].options == "Row Thing"


def test_controller_class_must_exist(tmp_path):
    path = write(tmp_path, base())
    path.with_suffix(".py").write_text("class Other: pass\n")
    with pytest.raises(MetaError, match="controller class 'Thing' not found"):
        load(tmp_path)


def test_the_fieldtype_table_is_the_one_list_of_fieldtypes():
    """The meta's JSON schema allows exactly the fieldtypes the table declares, and a custom
    field may be any of them but a Table."""
    import json

    from app.model.fieldtypes import FIELDTYPES

    schema = json.loads((ROOT / "app" / "meta" / "doctype.schema.json").read_text())
    allowed = _fieldtype_enum(schema)
    assert set(allowed) == set(FIELDTYPES)
    custom = json.loads((ROOT / "app" / "doctypes" / "custom_field" / "custom_field.json").read_text())
    options = next(f for f in custom["fields"] if f["fieldname"] == "fieldtype")["options"].split("\n")
    assert set(options) == set(FIELDTYPES) - {"Table"}


def _fieldtype_enum(node):
    if isinstance(node, dict):
        if "fieldtype" in node.get("properties", {}) and "enum" in node["properties"]["fieldtype"]:
            return node["properties"]["fieldtype"]["enum"]
        for value in node.values():
            found = _fieldtype_enum(value)
            if found:
                return found
    if isinstance(node, list):
        for value in node:
            found = _fieldtype_enum(value)
            if found:
                return found
    return None
