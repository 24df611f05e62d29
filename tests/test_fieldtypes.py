"""Every fieldtype: a good value is stored as documented, a bad one is refused naming the field."""

import datetime as dt
import io

import pytest

from app.errors import ValidationError
from app.model import lifecycle

GOOD = [
    ("title", " Course A ", " Course A ", str),
    ("notes", "Long text\nwith lines", "Long text\nwith lines", str),
    ("count", "42", 42, int),
    ("ratio", "0.25", 0.25, float),
    ("fee", 100.456, 100.46, float),
    ("score", 87.5, 87.5, float),
    ("flag", "yes", True, bool),
    ("day", "2019-05-21", "2019-05-21", str),
    ("day", "21/05/2019", "2019-05-21", str),  # as Indian staff lists write it
    ("day", "1.2.1987", "1987-02-01", str),
    ("moment", "2019-05-21T10:30:00+05:30", dt.datetime(2019, 5, 21, 5, 0), dt.datetime),
    ("level", "Advanced", "Advanced", str),
    ("owner_mdo", "Ministry of Steel", "Ministry of Steel", str),
    ("extra", '{"batch": 1}', {"batch": 1}, dict),
    ("contact", "desk@dopt.gov.in", "desk@dopt.gov.in", str),
    ("phone", "+91 11 2610 7960", "+91 11 2610 7960", str),
    ("stars", 4, 4, int),
]

BAD = [
    ("title", "x" * 21, "Must be at most 20 characters; this is 21."),
    ("count", "many", "Not a valid integer"),
    ("count", 101, "less than or equal to 100"),
    ("ratio", 2.5, "less than or equal to 1"),
    ("fee", -1, "greater than or equal to 0"),
    ("score", 120, "less than or equal to 100"),
    ("flag", "perhaps", "Not a valid boolean"),
    ("day", "May 21, 2019", "Not a valid date: expected YYYY-MM-DD or DD/MM/YYYY."),
    ("day", "2019-02-30", "Not a valid date: 2019-02-30 is not a date."),
    ("day", "30/02/1987", "Not a valid date: 30/02/1987 is not a date."),
    ("moment", "yesterday", "Not a valid datetime"),
    ("level", "Expert", "Must be one of: Introductory, Intermediate, Advanced"),
    ("owner_mdo", "Ministry of Magic", "MDO 'Ministry of Magic' does not exist"),
    ("extra", 7, "Not valid JSON data"),
    ("document", "000000000000000000000000", "does not exist; upload it first"),
    ("contact", "not-an-email", "Not a valid email address"),
    ("phone", "call me", "Not a valid phone number"),
    ("stars", 6, "less than or equal to 5"),
]


@pytest.mark.parametrize("fieldname, given, stored, kind", GOOD, ids=[g[0] for g in GOOD])
def test_good_value_is_stored_typed(site, fieldname, given, stored, kind):
    ctx = site.context()
    data = {"title": "T"} | {fieldname: given}
    doc = lifecycle.insert(ctx, "Field Sampler", data)
    raw = site.db.field_sampler.find_one({"_id": doc.name})
    assert raw[fieldname] == stored
    assert isinstance(raw[fieldname], kind)


@pytest.mark.parametrize("fieldname, given, message", BAD, ids=[f"{b[0]}-{i}" for i, b in enumerate(BAD)])
def test_bad_value_is_refused_naming_the_field(site, fieldname, given, message):
    ctx = site.context()
    before = site.db.field_sampler.count_documents({})
    with pytest.raises(ValidationError) as err:
        lifecycle.insert(ctx, "Field Sampler", {"title": "T", fieldname: given})
    assert message in " ".join(err.value.errors[fieldname])
    assert fieldname in err.value.message and "Field Sampler" in err.value.message
    assert site.db.field_sampler.count_documents({}) == before


def test_table_rows_are_embedded_with_name_and_idx(site):
    doc = lifecycle.insert(
        site.context(),
        "Field Sampler",
        {
            "title": "T",
            "rows": [{"label_text": "first", "amount": "10.005"}, {"label_text": "second", "row_mdo": "Ministry of Power"}],
        },
    )
    raw = site.db.field_sampler.find_one({"_id": doc.name})
    assert [r["idx"] for r in raw["rows"]] == [1, 2]
    assert raw["rows"][0]["amount"] == 10.01 and len(raw["rows"][0]["name"]) == 10
    assert raw["rows"][1]["row_mdo"] == "Ministry of Power"


def test_table_row_errors_name_table_row_and_field(site):
    with pytest.raises(ValidationError) as err:
        lifecycle.insert(
            site.context(), "Field Sampler", {"title": "T", "rows": [{"label_text": "ok"}, {"amount": 5, "row_mdo": "Nowhere"}]}
        )
    assert err.value.errors["rows"]["2"]["label_text"] == ["Missing data for required field."]
    assert "MDO 'Nowhere' does not exist." in err.value.errors["rows"]["2"]["row_mdo"]
    assert "rows row 2 label_text" in err.value.message


def test_attach_stores_gridfs_file_id(site):
    file_id = site.store.files.put(io.BytesIO(b"%PDF-1.4 certificate"), filename="cert.pdf")
    doc = lifecycle.insert(site.context(), "Field Sampler", {"title": "T", "document": str(file_id)})
    raw = site.db.field_sampler.find_one({"_id": doc.name})
    assert site.store.files.get(file_id).read().startswith(b"%PDF") and raw["document"] == str(file_id)


def test_unique_field_refuses_second_record(site):
    ctx = site.context()
    first = lifecycle.insert(ctx, "Field Sampler", {"title": "A", "contact": "same@gov.in"})
    with pytest.raises(ValidationError) as err:
        lifecycle.insert(ctx, "Field Sampler", {"title": "B", "contact": "same@gov.in"})
    assert first.name not in err.value.message  # the other record may be outside the caller's view
    assert "another Field Sampler already has 'same@gov.in'" in err.value.errors["contact"][0]


def test_unknown_field_is_refused(site):
    with pytest.raises(ValidationError) as err:
        lifecycle.insert(site.context(), "Field Sampler", {"title": "T", "colour": "blue"})
    assert err.value.errors["colour"] == ["unknown field: Field Sampler has no field 'colour'"]


def test_empty_optional_values_are_not_stored(site):
    doc = lifecycle.insert(site.context(), "Field Sampler", {"title": "T", "count": "", "day": None})
    raw = site.db.field_sampler.find_one({"_id": doc.name})
    assert "count" not in raw and "day" not in raw and raw["flag"] is False


def test_a_child_row_seen_before_is_coerced_as_the_first_time(site):
    """Child rows are coerced once per distinct row and list of rows (``fieldtypes.Row``,
    ``fieldtypes.Rows``): many records with the same rows each store their own typed copy of
    each with its own name; a row refused once is refused every time, alone or in a list;
    values that compare equal but differ in type (1 and True) are not taken for one another."""
    ctx = site.context()
    row = {"label_text": "same", "amount": "10.005", "row_mdo": "Ministry of Power"}
    names = [lifecycle.insert(ctx, "Field Sampler", {"title": "T", "rows": [dict(row)]}).name for _ in range(3)]
    stored = [site.db.field_sampler.find_one({"_id": n})["rows"][0] for n in names]
    assert all(r["amount"] == 10.01 and r["label_text"] == "same" and r["idx"] == 1 for r in stored)
    assert len({r["name"] for r in stored}) == 3
    pair = [dict(row), {"label_text": "other", "amount": 2}]
    names = [lifecycle.insert(ctx, "Field Sampler", {"title": "T", "rows": [dict(r) for r in pair]}).name for _ in range(3)]
    stored = [site.db.field_sampler.find_one({"_id": n})["rows"] for n in names]
    assert all(
        [(r["label_text"], r["amount"], r["idx"]) for r in rows] == [("same", 10.01, 1), ("other", 2.0, 2)] for rows in stored
    )
    assert len({r["name"] for rows in stored for r in rows}) == 6
    for _ in range(2):
        with pytest.raises(ValidationError) as err:
            lifecycle.insert(ctx, "Field Sampler", {"title": "T", "rows": [dict(row), {"label_text": "x", "amount": "lots"}]})
        assert "Not a valid number." in err.value.errors["rows"]["2"]["amount"]
    for _ in range(2):
        with pytest.raises(ValidationError) as err:
            lifecycle.insert(ctx, "Field Sampler", {"title": "T", "rows": [{"label_text": "same", "amount": "lots"}]})
        assert "Not a valid number." in err.value.errors["rows"]["1"]["amount"]
    doc = lifecycle.insert(ctx, "Field Sampler", {"title": "T", "rows": [{"label_text": "n", "amount": 1}]})
    assert site.db.field_sampler.find_one({"_id": doc.name})["rows"][0]["amount"] == 1.0
    with pytest.raises(ValidationError) as err:
        lifecycle.insert(ctx, "Field Sampler", {"title": "T", "rows": [{"label_text": "n", "amount": True}]})
    assert "amount" in err.value.errors["rows"]["1"]


def test_a_value_seen_before_is_coerced_as_the_first_time(site):
    """A plain value a field has coerced before is not coerced again (``fieldtypes.Kept``):
    over the good and bad values above, in random order and repeated, with values that
    compare equal but differ in type (1, 1.0 and True) and text with Windows line endings,
    each value coerces to what a schema that has seen nothing gives, of the same type, and
    each refused value is refused every time with the same message."""
    import random

    from app.model import schemas, validation

    meta = site.registry.get("Field Sampler")
    values = [(f, g) for f, g, _, _ in GOOD] + [(f, g) for f, g, _ in BAD]
    values += [("count", 1), ("count", 1.0), ("count", True), ("flag", 1), ("flag", True), ("ratio", 1), ("ratio", True)]
    values += [("notes", "a\r\nb"), ("title", "a\rb"), ("level", "Advanced\r\n"), ("notes", "x" * 300)]
    rnd = random.Random(4)
    ctx = site.context()
    kept_fields = set()
    for fieldname, given in rnd.choices(values, k=400):
        kept, kept_errors = validation.coerce(ctx, meta, {fieldname: given})
        fresh_schema = schemas.build_schema(meta, site.registry)()
        fresh, fresh_errors = schemas.load(fresh_schema, meta, site.registry, {fieldname: given})
        assert (kept, kept_errors) == (fresh, fresh_errors), (fieldname, given)
        assert [type(v) for v in kept.values()] == [type(v) for v in fresh.values()], (fieldname, given)
        if getattr(site.schema(meta).fields[fieldname], "_seen", None):
            kept_fields.add(fieldname)
    assert {"title", "count", "flag", "day", "moment", "level", "contact"} <= kept_fields
