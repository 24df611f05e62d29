"""Version records for doctypes with track_changes, and listing them."""

import datetime as dt

from app import query
from app.model import lifecycle


def versions(ctx, name):
    rows, _ = query.get_list(ctx, "Version", filters={"docname": name}, order_by="creation asc", limit=100)
    return rows


def test_save_records_who_when_and_changed_fields(ctx, officer_data):
    officer = lifecycle.insert(ctx, "Officer", officer_data)
    assert versions(ctx, officer.name) == []  # creation is on the record itself
    lifecycle.save(ctx, "Officer", officer.name, {"designation": "Director", "year_of_allotment": 2013})
    (version,) = versions(ctx, officer.name)
    assert version["ref_doctype"] == "Officer" and version["owner"] == "nodal.power@gov.in"
    assert sorted(version["data"]["changed"], key=lambda c: c["field"]) == [
        {"field": "designation", "old": None, "new": "Director"},
        {"field": "year_of_allotment", "old": 2012, "new": 2013},
    ]


def test_child_rows_added_removed_and_changed(ctx, officer_data):
    officer = lifecycle.insert(
        ctx,
        "Officer",
        officer_data
        | {"postings": [{"designation": "SDM", "from_date": "2014-01-01"}, {"designation": "DM", "from_date": "2017-01-01"}]},
    )
    first, second = officer.postings
    lifecycle.save(
        ctx,
        "Officer",
        officer.name,
        {
            "postings": [
                {"name": first["name"], "designation": "Sub-Divisional Magistrate", "from_date": "2014-01-01"},
                {"designation": "Director", "from_date": "2021-06-01"},
            ]
        },
    )
    data = versions(ctx, officer.name)[0]["data"]
    assert [a["row"]["designation"] for a in data["added"]] == ["Director"] and data["added"][0]["table"] == "postings"
    assert [r["row"]["name"] for r in data["removed"]] == [second["name"]]
    assert data["row_changed"] == [
        {
            "table": "postings",
            "idx": 1,
            "row": first["name"],
            "changes": [{"field": "designation", "old": "SDM", "new": "Sub-Divisional Magistrate"}],
        }
    ]


def test_docstatus_changes_and_deletion_are_recorded(ctx):
    doc = lifecycle.insert(ctx, "Sanction", {"purpose": "fee", "amount": 100, "mdo": "Ministry of Steel"})
    lifecycle.submit(ctx, "Sanction", doc.name)
    lifecycle.cancel(ctx, "Sanction", doc.name)
    lifecycle.delete(ctx, "Sanction", doc.name)
    rows = versions(ctx, doc.name)
    assert [r["data"].get("changed") for r in rows[:2]] == [
        [{"field": "docstatus", "old": 0, "new": 1}],
        [{"field": "docstatus", "old": 1, "new": 2}],
    ]
    assert rows[2]["data"]["deleted"]["purpose"] == "fee"


def test_save_without_change_records_nothing(ctx, officer_data):
    officer = lifecycle.insert(ctx, "Officer", officer_data)
    lifecycle.save(ctx, "Officer", officer.name, {"full_name": officer_data["full_name"]})
    assert versions(ctx, officer.name) == []


def test_untracked_doctype_records_nothing(site, ctx):
    site.registry.get("MDO").track_changes = False
    try:
        lifecycle.save(ctx, "MDO", "Ministry of Steel", {"abbreviation": "MOS"})
    finally:
        site.registry.get("MDO").track_changes = True
    assert versions(ctx, "Ministry of Steel") == []


def test_versions_listed_by_doctype_name_user_and_date_range(site, officer_data):
    alice, bob = site.context("alice@gov.in"), site.context("bob@gov.in")
    day = dt.datetime(2026, 3, 1, 9, 0)
    alice.clock = lambda: day
    bob.clock = lambda: day + dt.timedelta(days=10)
    officer = lifecycle.insert(alice, "Officer", officer_data)
    lifecycle.save(alice, "Officer", officer.name, {"designation": "Deputy Secretary"})
    lifecycle.save(bob, "Officer", officer.name, {"designation": "Director"})
    lifecycle.save(bob, "MDO", "Ministry of Power", {"abbreviation": "MoPower"})
    by_user, _ = query.get_list(alice, "Version", filters=[["owner", "=", "bob@gov.in"]])
    assert {(r["ref_doctype"], r["docname"]) for r in by_user} == {("Officer", officer.name), ("MDO", "Ministry of Power")}
    in_range, total = query.get_list(
        alice, "Version", filters=[["ref_doctype", "=", "Officer"], ["creation", "between", ["2026-03-01", "2026-03-05"]]]
    )
    assert total == 1 and in_range[0]["data"]["changed"] == [{"field": "designation", "old": None, "new": "Deputy Secretary"}]
