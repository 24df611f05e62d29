"""Per-MDO custom fields: accepted, validated and shown for their MDO at once; never for another."""

import pytest

from app import importer, query
from app.auth import context_for
from app.errors import PermissionDenied, ValidationError
from app.model import lifecycle
from app.site import Site

from .conftest import add_user, make_config, token_client

STEEL, POWER = "Ministry of Steel", "Ministry of Power"
OFFICER = {"full_name": "Ravi", "email": "ravi@power.gov.in", "service": "CSS", "group": "B", "mdo": POWER}


@pytest.fixture
def admins(site):
    return {
        "power": add_user(site, "nodal@power.gov.in", ["MDO Admin"], [POWER]),
        "steel": add_user(site, "nodal@steel.gov.in", ["MDO Admin"], [STEEL]),
        "sysman": add_user(site, "sysman@dopt.gov.in", ["System Manager"]),
    }


def add_field(ctx, **kw):
    data = {
        "ref_doctype": "Officer",
        "mdo": POWER,
        "fieldname": "karmayogi_id",
        "label": "Karmayogi ID",
        "fieldtype": "Data",
    } | kw
    return lifecycle.insert(ctx, "Custom Field", data)


def test_field_works_at_once_for_its_mdo_only(site, admins):
    power = token_client(site, admins["power"])
    assert (
        power.post(
            "/api/resource/Custom Field",
            json={
                "ref_doctype": "Officer",
                "mdo": POWER,
                "fieldname": "pay_level",
                "label": "Pay Level",
                "fieldtype": "Int",
                "reqd": True,
            },
        ).status_code
        == 201
    )
    created = power.post("/api/resource/Officer", json=OFFICER | {"pay_level": "11"})
    assert created.status_code == 201 and created.json["data"]["pay_level"] == 11
    assert site.db.officer.find_one({"email": OFFICER["email"]})["pay_level"] == 11
    bad = power.post("/api/resource/Officer", json=OFFICER | {"email": "b@power.gov.in", "pay_level": "eleven"})
    assert bad.status_code == 400 and bad.json["errors"]["pay_level"] == ["Not a valid integer."]
    missing = power.post("/api/resource/Officer", json=OFFICER | {"email": "c@power.gov.in"})
    assert missing.json["errors"]["pay_level"] == ["Missing data for required field."]
    steel = token_client(site, admins["steel"])
    refused = steel.post("/api/resource/Officer", json=OFFICER | {"email": "s@steel.gov.in", "mdo": STEEL, "pay_level": 11})
    assert refused.status_code == 400 and "has no field 'pay_level'" in refused.json["errors"]["pay_level"][0]
    assert steel.post("/api/resource/Officer", json=OFFICER | {"email": "s@steel.gov.in", "mdo": STEEL}).status_code == 201


def test_filter_sort_list_and_export_with_custom_field(site, admins):
    ctx = context_for(site, admins["power"])
    add_field(ctx, fieldname="pay_level", fieldtype="Int")
    for i, level in enumerate([10, 12, 11]):
        lifecycle.insert(ctx, "Officer", OFFICER | {"email": f"o{i}@power.gov.in", "pay_level": level})
    rows, total = query.get_list(ctx, "Officer", filters=[["pay_level", ">=", "11"]], order_by="pay_level desc")
    assert total == 2 and [r["pay_level"] for r in rows] == [12, 11]
    exported = importer.export_rows(ctx, "Officer", "csv")
    assert exported.splitlines()[0].count("pay_level") == 1
    steel = context_for(site, admins["steel"])
    with pytest.raises(ValidationError, match="has no field 'pay_level'"):
        query.get_list(steel, "Officer", filters={"pay_level": 12})


def test_another_process_sees_the_field_without_restart(tmp_path):
    from app import install

    first = Site(make_config("embedded", tmp_path / "var"))
    install.init(first)
    second = Site(make_config("embedded", tmp_path / "var"))  # e.g. the web server, already running
    before = second.context()
    with pytest.raises(ValidationError):
        lifecycle.insert(before, "Officer", OFFICER | {"karmayogi_id": "KY-1"})
    add_field(first.context())
    doc = lifecycle.insert(second.context(), "Officer", OFFICER | {"karmayogi_id": "KY-1"})
    assert doc.karmayogi_id == "KY-1"


@pytest.mark.parametrize(
    "kw, field, message",
    [
        ({"fieldname": "full_name"}, "fieldname", "Officer already has a field 'full_name'"),
        ({"fieldname": "owner"}, "fieldname", "already has a field 'owner'"),
        ({"fieldname": "mdo"}, "fieldname", "already has a field 'mdo'"),
        ({"fieldname": "Pay Level"}, "fieldname", "use lower-case letters"),
        ({"ref_doctype": "Officer Posting"}, "ref_doctype", "is a child table"),
        ({"ref_doctype": "Ofiser"}, "ref_doctype", "DocType 'Ofiser' does not exist"),
        ({"ref_doctype": "Role", "mdo": POWER}, "mdo", "do not belong to an MDO"),
        ({"fieldtype": "Select"}, "options", "needs its choices"),
        ({"fieldtype": "Link", "options": "Nowhere"}, "options", "'Nowhere' is not one"),
        ({"insert_after": "nope"}, "insert_after", "has no field 'nope'"),
    ],
)
def test_bad_custom_field_is_refused(site, kw, field, message):
    with pytest.raises(ValidationError) as err:
        add_field(site.context(), **kw)
    assert message in " ".join(err.value.errors[field])


def test_no_shadowing_between_custom_fields(site):
    ctx = site.context()
    add_field(ctx)
    with pytest.raises(ValidationError, match="already exists on Officer for Ministry of Power"):
        add_field(ctx)
    add_field(ctx, mdo=STEEL)  # another MDO may use the same name for its own records
    with pytest.raises(ValidationError, match="already exists"):
        add_field(ctx, mdo=None)  # an installation-wide one would shadow both


def test_fieldname_and_type_cannot_change(site):
    field = add_field(site.context())
    with pytest.raises(ValidationError, match="cannot be changed once created"):
        lifecycle.save(site.context(), "Custom Field", field.name, {"fieldtype": "Int"})


def test_removing_hides_but_keeps_values_and_adding_back_shows_them(site, admins):
    ctx = context_for(site, admins["power"])
    field = add_field(ctx)
    officer = lifecycle.insert(ctx, "Officer", OFFICER | {"karmayogi_id": "KY-7"})
    lifecycle.save(ctx, "Custom Field", field.name, {"enabled": False})
    fresh = context_for(site, admins["power"])
    assert "karmayogi_id" not in lifecycle.read(fresh, "Officer", officer.name)
    lifecycle.save(fresh, "Officer", officer.name, {"designation": "Director"})  # a save keeps the hidden value
    assert site.db.officer.find_one({"_id": officer.name})["karmayogi_id"] == "KY-7"
    with pytest.raises(ValidationError, match="has no field 'karmayogi_id'"):
        lifecycle.save(fresh, "Officer", officer.name, {"karmayogi_id": "KY-8"})
    lifecycle.delete(fresh, "Custom Field", field.name)
    again = context_for(site, admins["power"])
    add_field(again)
    shown = lifecycle.read(context_for(site, admins["power"]), "Officer", officer.name)
    assert shown["karmayogi_id"] == "KY-7" and shown["designation"] == "Director"


def test_mdo_admin_cannot_add_fields_for_others_or_everyone(site, admins):
    ctx = context_for(site, admins["power"])
    with pytest.raises(PermissionDenied):
        add_field(ctx, mdo=STEEL)
    with pytest.raises(PermissionDenied):
        add_field(ctx, mdo=None)
    add_field(context_for(site, admins["sysman"]), mdo=None, fieldname="aadhaar_seeded", fieldtype="Check")
    doc = lifecycle.insert(ctx, "Officer", OFFICER | {"aadhaar_seeded": "yes"})
    assert doc.aadhaar_seeded is True
    steel_fields, _ = query.get_list(context_for(site, admins["steel"]), "Custom Field")
    assert steel_fields == []  # Power's field list is Power's


def test_field_order_follows_insert_after(site):
    add_field(site.context(), insert_after="full_name")
    meta = site.registry.get("Officer")
    from app.model import customize

    names = [f.fieldname for f in customize.effective_meta(site.context(), meta, POWER).fields]
    assert names[names.index("full_name") + 1] == "karmayogi_id"


def test_records_carry_only_their_own_mdos_fields(site, admins):
    system = site.context()
    add_field(system, fieldname="pay_level", fieldtype="Int")
    add_field(system, mdo=STEEL, fieldname="plant_code", fieldtype="Data")
    power = context_for(site, admins["power"])
    with pytest.raises(ValidationError, match="has no field 'plant_code'"):
        lifecycle.insert(power, "Officer", OFFICER | {"plant_code": "BSP"})
    doc = lifecycle.insert(power, "Officer", OFFICER | {"pay_level": 11})
    site.db.officer.update_one({"_id": doc.name}, {"$set": {"plant_code": "stray"}})
    shown = lifecycle.read(power, "Officer", doc.name)
    assert shown["pay_level"] == 11 and "plant_code" not in shown
