"""CSV/XLSX import through the full pipeline, and export."""

import csv
import io
import json

import openpyxl
import pytest

from app import importer
from app.errors import ValidationError

HEADER = ["full_name", "email", "service", "group", "mdo", "year_of_allotment", "date_of_birth", "postings"]
ROWS = [
    ["Asha Rao", "asha@gov.in", "IAS", "A", "Ministry of Power", "2012", "1985-04-02", ""],
    ["Bad Year", "bad.year@gov.in", "IAS", "A", "Ministry of Power", "twenty", "", ""],
    [
        "Vikram Singh",
        "vikram@gov.in",
        "CSS",
        "B",
        "Ministry of Steel",
        "2016",
        "1990-11-30",
        '[{"designation": "Section Officer", "from_date": "2016-07-01"}]',
    ],
    ["No Service", "no.service@gov.in", "IXS", "A", "Ministry of Steel", "2016", "", ""],
    ["Asha Again", "asha@gov.in", "IAS", "A", "Ministry of Power", "2013", "", ""],
]


def write_csv(path, rows, header=HEADER):
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_csv_import_stores_valid_rows_and_reports_bad_ones(site, tmp_path):
    ctx = site.context()
    result = importer.import_file(ctx, "Officer", write_csv(tmp_path / "officers.csv", ROWS))
    assert result.rows == 5 and len(result.inserted) == 2
    assert [str(e) for e in result.errors] == [
        "line 3: year_of_allotment: Not a valid integer.",
        "line 5: service: Service 'IXS' does not exist.",
        "line 6: email: must be unique: another Officer already has 'asha@gov.in'.",
    ]
    assert site.db.officer.count_documents({}) == 2
    vikram = site.db.officer.find_one({"email": "vikram@gov.in"})
    assert vikram["year_of_allotment"] == 2016 and vikram["postings"][0]["designation"] == "Section Officer"


def test_xlsx_import(site, tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["Meera Iyer", "meera@gov.in", "IPS", "A", "Ministry of Railways", 2010, "1982-01-15", None])
    sheet.append(["Broken Group", "broken@gov.in", "IPS", "Z", "Ministry of Railways", 2010, None, None])
    path = tmp_path / "officers.xlsx"
    book.save(path)
    result = importer.import_file(site.context(), "Officer", path)
    assert len(result.inserted) == 1
    assert [(e.line, e.field) for e in result.errors] == [(3, "group")]
    assert site.db.officer.find_one({"email": "meera@gov.in"})["date_of_birth"] == "1982-01-15"


def test_child_row_errors_name_the_row(site, tmp_path):
    rows = [["X", "x@gov.in", "IAS", "A", "Ministry of Power", "2012", "", '[{"designation": "DM"}]']]
    result = importer.import_file(site.context(), "Officer", write_csv(tmp_path / "o.csv", rows))
    assert [str(e) for e in result.errors] == ["line 2: postings[1].from_date: Missing data for required field."]


def test_an_unknown_column_refuses_the_file_once_before_any_row(site, tmp_path):
    rows = [["X", "x@gov.in", "IAS", "A", "Ministry of Power", "2012", "", "", "blue"]] * 3
    with pytest.raises(ValidationError) as refused:
        importer.import_file(site.context(), "Officer", write_csv(tmp_path / "o.csv", rows, HEADER + ["colour"]))
    assert refused.value.errors == {"columns": ['Column "colour" is not known: Officer has no such field.']}
    assert site.db.officer.count_documents({}) == 0


def test_a_misnamed_column_is_answered_with_the_nearest_label(site, tmp_path):
    header = ["Full Name", "Email", "Service", "Group", "MDO", "Year of Allotment"]
    rows = [["Asha Rao", "asha@gov.in", "IAS", "A", "Ministry of Power", "2012"]]
    with pytest.raises(ValidationError) as refused:
        importer.import_file(site.context(), "Officer", write_csv(tmp_path / "o.csv", rows, header))
    assert 'Column "Year of Allotment" is not known: did you mean "Year of Allotment / Joining"?' in refused.value.message
    assert site.db.officer.count_documents({}) == 0
    header[-1] = "Year of Allotment / Joining"
    result = importer.import_file(site.context(), "Officer", write_csv(tmp_path / "o.csv", rows, header))
    assert result.errors == [] and site.db.officer.find_one({"email": "asha@gov.in"})["year_of_allotment"] == 2012


def test_export_csv_and_json(site, tmp_path):
    ctx = site.context()
    importer.import_file(ctx, "Officer", write_csv(tmp_path / "officers.csv", ROWS))
    rows = list(csv.DictReader(io.StringIO(importer.export_rows(ctx, "Officer", "csv"))))
    assert [r["email"] for r in rows] == ["asha@gov.in", "vikram@gov.in"]
    assert json.loads(rows[1]["postings"])[0]["designation"] == "Section Officer"
    data = json.loads(importer.export_rows(ctx, "Officer", "json", filters={"service": "CSS"}))
    assert [d["email"] for d in data] == ["vikram@gov.in"] and data[0]["creation"].startswith("20")


def test_exported_csv_reimports_into_a_fresh_site(site, tmp_path):
    ctx = site.context()
    importer.import_file(ctx, "Officer", write_csv(tmp_path / "officers.csv", ROWS))
    exported = importer.export_rows(ctx, "Officer", "csv")
    site.db.officer.delete_many({})
    reader = csv.DictReader(io.StringIO(exported))
    keep = [c for c in reader.fieldnames if c in HEADER + ["mdo", "is_active", "postings"]]
    with open(tmp_path / "again.csv", "w", newline="") as handle:
        writer = csv.DictWriter(handle, keep, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(reader)
    result = importer.import_file(ctx, "Officer", tmp_path / "again.csv")
    assert result.errors == [] and len(result.inserted) == 2


def test_import_reserves_series_names_in_blocks_without_repeats(site, tmp_path):
    ctx = site.context()
    result = importer.import_file(ctx, "Officer", write_csv(tmp_path / "officers.csv", ROWS))
    numbers = [int(n[-5:]) for n in result.inserted]
    assert numbers == sorted(numbers) and len(set(numbers)) == 2
    prefix = result.inserted[0][:9]
    assert site.db.naming_series.find_one({"_id": prefix})["current"] == len(ROWS)  # one block for 5 rows
    from app.model import lifecycle

    later = lifecycle.insert(
        ctx,
        "Officer",
        {"full_name": "Later", "email": "later@gov.in", "service": "IAS", "group": "A", "mdo": "Ministry of Power"},
    )
    assert int(later.name[-5:]) == len(ROWS) + 1 and ctx.name_block == 0


def test_a_staff_list_with_indian_dates_imports_and_an_impossible_date_is_named(site, tmp_path):
    rows = [
        ["Kiran Das", "kiran@gov.in", "IAS", "A", "Ministry of Power", "2012", "15/01/1982", ""],
        ["Leela Rao", "leela@gov.in", "IAS", "A", "Ministry of Power", "2012", "30/02/1987", ""],
    ]
    result = importer.import_file(site.context(), "Officer", write_csv(tmp_path / "staff.csv", rows))
    assert site.db.officer.find_one({"email": "kiran@gov.in"})["date_of_birth"] == "1982-01-15"
    assert [str(e) for e in result.errors] == ["line 3: date_of_birth: Not a valid date: 30/02/1987 is not a date."]
