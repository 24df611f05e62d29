"""Staff onboarding: an MDO's staff list, with the columns MDOs already use, becomes officers
and their learner accounts; bad rows, duplicates and malformed files are reported and leave
nothing half-made."""

import csv

import pytest

from app import auth, importer
from app.errors import ValidationError
from app.model import lifecycle

from .conftest import add_user

POWER, STEEL = "Ministry of Power", "Ministry of Steel"
HEADINGS = [
    "Name",
    "Email",
    "Mobile",
    "Group",
    "Designation",
    "Gender",
    "Category",
    "Date of Birth",
    "Mother Tongue",
    "Employee ID",
    "Office PIN Code",
    "External System ID",
    "External System",
    "Tags",
    "Karmayogi Badge",
]
GOOD = [
    [
        "Asha Rao",
        "Asha.Rao@power.gov.in",
        "9876543210",
        "A",
        "Under Secretary",
        "Female",
        "General",
        "1985-04-02",
        "Kannada",
        "PW-1001",
        "110001",
        "EH-77",
        "e-HRMS",
        "budget,pilot",
        "gold",
    ],
    [
        "Vikram Singh",
        "vikram@power.gov.in",
        "9876500000",
        "B",
        "Section Officer",
        "Male",
        "OBC",
        "1990-01-15",
        "Hindi",
        "PW-1002",
        "110003",
        "EH-78",
        "e-HRMS",
        "",
        "",
    ],
]


def write(path, rows, headings=HEADINGS):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(headings)
        writer.writerows(rows)
    return path


@pytest.fixture
def nodal(site):
    lifecycle.insert(
        site.context(),
        "Custom Field",
        {"ref_doctype": "Officer", "mdo": POWER, "fieldname": "karmayogi_badge", "label": "Karmayogi Badge", "fieldtype": "Data"},
    )
    add_user(site, "nodal@power.gov.in", ["MDO Admin"], [POWER])
    return auth.context_for(site, "nodal@power.gov.in")


def test_staff_list_creates_officers_and_learner_accounts(site, nodal, tmp_path):
    result = importer.import_file(nodal, "Officer", write(tmp_path / "staff.csv", GOOD), defaults={"mdo": POWER})
    assert result.errors == [] and len(result.inserted) == 2
    asha = site.db["officer"].find_one({"email": "asha.rao@power.gov.in"})
    assert (
        asha["full_name"],
        asha["mdo"],
        asha["category"],
        asha["mother_tongue"],
        asha["office_pin_code"],
        asha["external_system"],
        asha["external_system_id"],
        asha["tags"],
        asha["employee_id"],
        asha["karmayogi_badge"],
    ) == ("Asha Rao", POWER, "General", "Kannada", "110001", "e-HRMS", "EH-77", "budget,pilot", "PW-1001", "gold")
    user = site.db["user"].find_one({"_id": "asha.rao@power.gov.in"})
    assert [r["role"] for r in user["roles"]] == ["Learner"] and [m["mdo"] for m in user["mdos"]] == [POWER]
    # the new learner sees their own record, and no one else's
    learner = auth.context_for(site, "asha.rao@power.gov.in")
    assert lifecycle.read(learner, "Officer", asha["_id"])["email"] == "asha.rao@power.gov.in"


def test_bad_rows_and_duplicates_are_reported_by_line_and_field(site, nodal, tmp_path):
    add_user(site, "taken@power.gov.in", ["Learner"], [POWER])  # an account, but no officer: still linked, not duplicated
    importer.import_file(nodal, "Officer", write(tmp_path / "first.csv", GOOD[:1]), defaults={"mdo": POWER})
    rows = [
        GOOD[0],  # line 2: already an officer
        GOOD[1],  # line 3: fine
        [*GOOD[1][:1], "vikram@power.gov.in", *GOOD[1][2:]],  # line 4: duplicate within the file
        ["No Email", "", "", "A", *[""] * 11],  # line 5: email missing
        ["Bad Pin", "pin@power.gov.in", "", "A", "", "", "", "", "", "", "12AB", "", "", "", ""],  # line 6
        ["Bad Group", "grp@power.gov.in", "", "D", *[""] * 11],  # line 7
        ["Old", "old@power.gov.in", "", "A", "", "", "", "31-02-1980", *[""] * 7],  # line 8: not a date
        ["Taken", "taken@power.gov.in", "", "C", *[""] * 11],  # line 9: fine
    ]
    result = importer.import_file(nodal, "Officer", write(tmp_path / "staff.csv", rows), defaults={"mdo": POWER})
    by_line = {(e.line, e.field) for e in result.errors}
    assert by_line == {(2, "email"), (4, "email"), (5, "email"), (6, "office_pin_code"), (7, "group"), (8, "date_of_birth")}
    assert result.failed_lines == [2, 4, 5, 6, 7, 8]
    assert sorted(site.db["officer"].distinct("email")) == ["asha.rao@power.gov.in", "taken@power.gov.in", "vikram@power.gov.in"]
    assert site.db["user"].count_documents({"_id": {"$in": ["pin@power.gov.in", "grp@power.gov.in", "old@power.gov.in"]}}) == 0


def test_a_staff_list_for_another_mdo_is_refused_row_by_row(site, nodal, tmp_path):
    rows = [[*GOOD[0][:1], "x@steel.gov.in", *GOOD[0][2:], STEEL]]
    result = importer.import_file(nodal, "Officer", write(tmp_path / "s.csv", rows, HEADINGS + ["MDO"]))
    assert [(e.line, e.field) for e in result.errors] == [(2, "mdo")]
    assert site.db["officer"].count_documents({}) == 0 and not site.db["user"].find_one({"_id": "x@steel.gov.in"})


@pytest.mark.parametrize(
    "name, content",
    [
        ("staff.xlsx", b"this is not a spreadsheet"),
        ("staff.csv", b"Name,Email\n\xff\xfe\x00broken"),
    ],
)
def test_a_malformed_file_is_refused_whole(site, nodal, tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ValidationError) as refused:
        importer.import_file(nodal, "Officer", path, defaults={"mdo": POWER})
    assert name in refused.value.message and "not a readable" in refused.value.message
    assert site.db["officer"].count_documents({}) == 0


def test_xlsx_staff_list(site, nodal, tmp_path):
    import datetime as dt

    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(HEADINGS)
    book.active.append([*GOOD[0][:7], dt.datetime(1985, 4, 2), *GOOD[0][8:10], 110001, *GOOD[0][11:]])
    book.save(tmp_path / "staff.xlsx")
    result = importer.import_file(nodal, "Officer", tmp_path / "staff.xlsx", defaults={"mdo": POWER})
    assert result.errors == []
    asha = site.db["officer"].find_one({})
    assert asha["date_of_birth"] == "1985-04-02" and asha["office_pin_code"] == "110001"


def test_no_officer_is_left_without_the_account_that_failed(site, nodal, monkeypatch, tmp_path):
    User = site.registry.get("User").controller()
    real_validate = User.validate

    def failing(self):  # the account store refuses one officer's account
        if (self.email or "").startswith("vikram"):
            self.add_error("email", "the account store refused it")
        return real_validate(self)

    monkeypatch.setattr(User, "validate", failing)
    result = importer.import_file(nodal, "Officer", write(tmp_path / "staff.csv", GOOD), defaults={"mdo": POWER})
    assert [(e.line, e.field) for e in result.errors] == [(3, "email")]
    assert site.db["officer"].distinct("email") == ["asha.rao@power.gov.in"]


def test_mdo_onboarding_status(site):
    ctx = site.context()
    mdo = site.db["mdo"].find_one({"_id": POWER})
    assert mdo["onboarding_phase"] == "Phase I" and mdo["onboarding_status"] == "Not Started"
    lifecycle.save(
        ctx,
        "MDO",
        POWER,
        {
            "onboarding_status": "Onboarded",
            "date_onboarded": "2021-03-01",
            "nodal_officer": "Shri A. Kumar",
            "nodal_officer_email": "nodal@power.gov.in",
        },
    )
    assert site.db["mdo"].find_one({"_id": POWER})["onboarding_status"] == "Onboarded"
    with pytest.raises(ValidationError):
        lifecycle.save(ctx, "MDO", POWER, {"onboarding_status": "Done"})


def test_a_row_for_an_officer_who_exists_is_refused_unless_updating(site, nodal, tmp_path):
    importer.import_file(nodal, "Officer", write(tmp_path / "first.csv", GOOD), defaults={"mdo": POWER})
    by_email = [*GOOD[0][:4], "Deputy Secretary", *GOOD[0][5:]]
    by_employee_id = [GOOD[1][0], "", *GOOD[1][2:4], "Under Secretary", *GOOD[1][5:]]  # no e-mail: found by PW-1002
    path = write(tmp_path / "again.csv", [by_email, by_employee_id])
    refused = importer.import_file(nodal, "Officer", path, defaults={"mdo": POWER})
    assert refused.updated == [] and refused.failed_lines == [2, 3]
    assert "choose to update existing records" in refused.errors[0].message
    assert site.db["officer"].find_one({"email": "asha.rao@power.gov.in"})["designation"] == "Under Secretary"
    result = importer.import_file(nodal, "Officer", path, defaults={"mdo": POWER}, update=True)
    assert result.errors == [] and result.inserted == [] and len(result.updated) == 2
    assert site.db["officer"].find_one({"email": "asha.rao@power.gov.in"})["designation"] == "Deputy Secretary"
    vikram = site.db["officer"].find_one({"employee_id": "PW-1002"})
    assert (vikram["designation"], vikram["email"]) == ("Under Secretary", "vikram@power.gov.in")  # empty cells keep values
    assert site.db["officer"].count_documents({}) == 2


def test_updating_cannot_reach_another_mdos_officer(site, nodal, tmp_path):
    importer.import_file(nodal, "Officer", write(tmp_path / "first.csv", GOOD[:1]), defaults={"mdo": POWER})
    add_user(site, "nodal@steel.gov.in", ["MDO Admin"], [STEEL])
    steel = auth.context_for(site, "nodal@steel.gov.in")
    headings = [h for h in HEADINGS if h != "Karmayogi Badge"]  # Power's custom field
    row = [*GOOD[0][:4], "Joint Secretary", *GOOD[0][5:-1]]
    result = importer.import_file(steel, "Officer", write(tmp_path / "steel.csv", [row], headings), update=True)
    assert result.updated == [] and result.inserted == [] and result.failed_lines == [2]
    asha = site.db["officer"].find_one({"email": "asha.rao@power.gov.in"})
    assert (asha["designation"], asha["mdo"]) == ("Under Secretary", POWER)


def test_a_position_is_given_by_its_title_in_the_officers_mdo(site, nodal, tmp_path):
    admin = site.context()
    section = lifecycle.insert(admin, "Position", {"position_name": "Section Officer", "mdo": POWER}).name
    lifecycle.insert(admin, "Position", {"position_name": "Section Officer", "mdo": STEEL})  # another MDO's: not meant
    lifecycle.insert(admin, "Position", {"position_name": "Consultant", "mdo": STEEL})  # only in another MDO
    rows = [[*GOOD[0], "Section Officer"], [*GOOD[1], "Consultant"]]
    headings = [*HEADINGS, "Position"]
    result = importer.import_file(nodal, "Officer", write(tmp_path / "s.csv", rows, headings), defaults={"mdo": POWER})
    assert site.db["officer"].find_one({"email": "asha.rao@power.gov.in"})["position"] == section
    assert [(e.line, e.field) for e in result.errors] == [(3, "position")]
    assert site.db["officer"].count_documents({"email": "vikram@power.gov.in"}) == 0
