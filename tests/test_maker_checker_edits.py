"""Maker-checker cannot be bypassed by editing: a checker who changes a record becomes one of
its makers for its current state and may not then approve it; another checker may, and the
record's history shows the edit. Tried on a passbook entry and a role map."""

import pytest

from .conftest import add_user, token_client
from .frac_world import DRAFTING, POWER, build


@pytest.fixture
def w(mock_site):
    world = build(mock_site)
    add_user(mock_site, "nodal2@power.gov.in", ["MDO Admin"], [POWER])
    world.c["admin2"] = token_client(mock_site, "nodal2@power.gov.in", app=world.app)
    return world


def test_an_mdo_admin_who_raises_a_declared_level_may_not_verify_it(w):
    off = w.officer("asha@power.gov.in")
    me = w.learner("asha@power.gov.in")
    entry = w.post(
        me,
        "resource/Passbook Entry",
        {"officer": off, "competency": DRAFTING, "level": 2, "source": "Self-declared", "evidence": "Drafted notes"},
        201,
    ).json["data"]
    w.put("admin", f"resource/Passbook Entry/{entry['name']}", {"level": 5}, status=200)
    refused = w.act("admin", "Passbook Entry", entry["name"], "Verify", status=403).json
    assert "maker-checker" in refused["message"] and "edited" in refused["message"]
    record = w.get("admin", f"resource/Passbook Entry/{entry['name']}", 200).json
    assert "Verify" not in record["workflow"]["actions"]
    assert "_workflow_editors" not in record["data"]  # the platform's bookkeeping is not shown
    history = record["workflow"]["history"]
    assert [(h["action"], h["user"]) for h in history] == [("Edit", "nodal@power.gov.in")]
    assert "Level" in history[0]["comment"] or "level" in history[0]["comment"]
    # another checker, who did not edit it, verifies what they see: level 5, with the edit in the history
    done = w.act("admin2", "Passbook Entry", entry["name"], "Verify").json
    assert done["data"]["workflow_state"] == "Verified" and done["data"]["level"] == 5


def test_an_edit_in_one_state_does_not_bar_the_editor_from_later_states(w):
    pos = w.position()
    rm = w.role_map(pos, [w.role("Cabinet work", {DRAFTING: 3})])
    w.put("admin", f"resource/Role Map/{rm}", {"remarks": "for the 2026 cadre review"}, status=200)
    w.act("admin", "Role Map", rm, "Submit for Review")
    # L1 edits nothing and verifies; the maker's draft edit made them a maker of Draft only
    w.act("l1", "Role Map", rm, "Verify")
    w.act("l2", "Role Map", rm, "Verify")
    assert w.get("admin", f"resource/Role Map/{rm}", 200).json["data"]["workflow_state"] == "Verified"
