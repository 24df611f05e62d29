"""A capacity building plan's items are real courses and modules, picked, never free text,
so an item the officer completes is counted."""

import pytest

from .frac_world import POWER, build


@pytest.fixture
def mw(mock_site):
    w = build(mock_site)
    mock_site.db["content_module"].insert_one(
        {"_id": "CM-2026-00042", "title": "Outcome budgeting", "mdo": POWER, "workflow_state": "Published", "docstatus": 0}
    )
    return w


def plan_body(items):
    return {"plan_name": "CBP 2026-27", "mdo": POWER, "period_from": "2026-04-01", "period_to": "2027-03-31", "items": items}


def item(**kw):
    return {"audience": "All Officers", "due_date": "2026-12-31", **kw}


def test_a_typed_title_that_names_nothing_is_refused(mw):
    """Typing a module's title where its record is meant is refused, by row, with the reason."""
    r = mw.post(
        "cbp", "resource/Capacity Building Plan", plan_body([item(item_type="Content Module", item="Outcome budgetting")]), 400
    )
    assert r.json["errors"]["items"] == ["row 1: there is no module 'Outcome budgetting'; choose one from the list."]
    r = mw.post("cbp", "resource/Capacity Building Plan", plan_body([item(item_type="Course")]), 400)
    assert r.json["errors"]["items"] == ["row 1: choose the course from the list."]


def test_a_module_item_completed_by_the_officer_is_counted(mw):
    asha = mw.officer("asha@power.gov.in", name="Asha Rao")
    mw.officer("ravi@power.gov.in", name="Ravi Kumar")
    plan = mw.create(
        "cbp",
        "Capacity Building Plan",
        plan_body(
            [
                item(item_type="Content Module", content_module="CM-2026-00042"),
                item(item_type="Course", course="Public Financial Management"),
                item(item_type="Course", item="Data, Economics and Development Policy"),  # by its name, as an API client
            ]
        ),
    )
    rows = mw.get("cbp", f"resource/Capacity Building Plan/{plan['name']}").json["data"]["items"]
    assert [(r["item"], r["content_module"], r["course"]) for r in rows] == [
        ("Outcome budgeting", "CM-2026-00042", None),
        ("Public Financial Management", None, "Public Financial Management"),
        ("Data, Economics and Development Policy", None, "Data, Economics and Development Policy"),
    ]
    mw.act("cbp", "Capacity Building Plan", plan["name"], "Go Live")
    # Asha completes the module: its certificate is issued
    mw.site.db["certificate"].insert_one(
        {"_id": "CERT-1", "officer": asha, "content_module": "CM-2026-00042", "status": "Valid", "mdo": POWER, "docstatus": 0}
    )
    progress = mw.get("cbp", "method/plan_progress", 200, plan=plan["name"]).json["data"]
    assert [(i["item"], i["assigned"], i["completed"]) for i in progress["items"]] == [
        ("Outcome budgeting", 2, 1),
        ("Public Financial Management", 2, 0),
        ("Data, Economics and Development Policy", 2, 0),
    ]
    mine = mw.get(mw.learner("asha@power.gov.in"), "method/my_plan", 200, officer=asha).json["data"]
    assert sum(1 for i in mine if i["completed"]) == 1 and len(mine) == 3  # 1 of 3
    assert next(i for i in mine if i["content_module"] == "CM-2026-00042")["completed"] is True
    # a revoked certificate no longer counts
    mw.site.db["certificate"].update_one({"_id": "CERT-1"}, {"$set": {"status": "Revoked"}})
    progress = mw.get("cbp", "method/plan_progress", 200, plan=plan["name"]).json["data"]
    assert progress["items"][0]["completed"] == 0
