"""Who is told, and what waits for whom: a role map's reviewers in order, the maker told the
decision, nobody told of a record they may not read, and the caller's own notifications only."""

import pytest

from app import notifications, tasks
from app.auth import context_for

from . import frac_world
from .conftest import add_user, token_client

POWER, STEEL = frac_world.POWER, frac_world.STEEL


@pytest.fixture
def world(mock_site):
    return frac_world.build(mock_site)


def _told(site, user, kind=None):
    query = {"for_user": user, **({"kind": kind} if kind else {})}
    return [n["subject"] for n in site.db["notification"].find(query)]


def _map(w):
    position = w.position()
    role = w.role("Budget officer", {frac_world.BUDGET: 2})
    return w.role_map(position, [role])


def test_a_role_map_waits_for_l1_then_l2_and_the_maker_hears_the_decision(world):
    w, site = world, world.site
    rm = _map(w)
    assert _told(site, "l1@power.gov.in") == []  # a draft waits for nobody but its maker
    w.act("admin", "Role Map", rm, "Submit for Review")
    for key in ("l1", "l1b"):
        reviewer = frac_world.USERS[key][0]
        assert [t["name"] for t in w.get(key, "method/my_tasks", 200).json["data"]] == [rm]
        assert _told(site, reviewer, "Task") == [
            "nodal sent the role map for Under Secretary (Budget) for review. It waits for you: Verify or Reject."
        ]
    assert w.get("l2", "method/my_tasks").json["data"] == [] and _told(site, "l2@power.gov.in") == []
    w.act("l1", "Role Map", rm, "Verify")
    assert w.get("l1", "method/my_tasks").json["data"] == []
    assert [(t["name"], t["actions"]) for t in w.get("l2", "method/my_tasks").json["data"]] == [(rm, ["Verify", "Reject"])]
    assert notifications.unread_count(context_for(site, "l1@power.gov.in")) == 0  # the task is done
    assert _told(site, "nodal@power.gov.in", "Decision") == ["l1 verified the role map for Under Secretary (Budget)."]
    w.act("l2", "Role Map", rm, "Reject", comment="Level 2 is too low for budgeting")
    decision = site.db["notification"].find_one({"for_user": "nodal@power.gov.in", "subject": {"$regex": "rejected"}})
    assert decision["subject"] == "l2 rejected the role map for Under Secretary (Budget)."
    assert decision["message"] == "It is now Submitted. Comment: Level 2 is too low for budgeting"
    assert "l1@power.gov.in" in [n["for_user"] for n in site.db["notification"].find({"subject": {"$regex": "l2 rejected"}})]


def test_nobody_outside_the_records_reach_is_told_or_given_the_task(world):
    w, site = world, world.site
    rm = _map(w)
    w.act("admin", "Role Map", rm, "Submit for Review")
    w.act("l1", "Role Map", rm, "Verify")
    for outsider in ("l1@steel.gov.in", "nodal@steel.gov.in", "analyst@gov.in", "cbp@power.gov.in", "creator@power.gov.in"):
        assert _told(site, outsider) == [], outsider
        assert tasks.my_tasks(context_for(site, outsider)) == [], outsider


def test_every_shipped_workflow_tells_only_those_who_may_read(world):
    """For every active workflow and each of its states: whoever ``waiting_for`` names may read
    the record and take an action, and a user of another MDO is never among them."""
    from app.model import workflow

    site = world.site
    system = site.context()
    for wf in site.db["workflow"].find({"is_active": True}):
        meta = site.meta(wf["document_type"])
        for state in {t["state"] for t in wf["transitions"]}:
            doc = {"name": "X-1", "owner": "someone@power.gov.in", wf["state_field"]: state}
            if meta.is_tenant:
                doc[meta.tenant_field.split(".")[0]] = POWER
            if meta.owner_field not in ("owner", "name"):
                doc[meta.owner_field] = "nodal@power.gov.in"
            for user, actions in notifications.waiting_for(site, meta, wf, doc):
                ctx = context_for(site, user)
                ctx.access.check(meta, "read", doc)  # raises if they may not read it
                assert actions and set(actions) <= {t["action"] for t in wf["transitions"] if t["state"] == state}
                assert not (meta.is_tenant and ctx.access.mdos == {STEEL}), (meta.name, state, user)
        assert workflow.active(system, meta.name)


def test_a_notification_is_its_users_alone(world):
    w, site = world, world.site
    rm = _map(w)
    w.act("admin", "Role Map", rm, "Submit for Review")
    mine = w.get("l1", "resource/Notification", 200).json["data"]
    assert len(mine) == 1 and mine[0]["for_user"] == "l1@power.gov.in"
    name = mine[0]["name"]
    assert w.get("l1b", f"resource/Notification/{name}").status_code == 404
    assert w.post("l1b", "method/mark_notifications_read", {"names": [name]}).json["marked"] == 0
    assert site.db["notification"].find_one({"_id": name})["read"] is False
    assert w.post("l1", "method/mark_notifications_read", {"names": [name]}).json["marked"] == 1
    assert w.get("l1", "method/notifications").json["unread"] == 0


def test_preferences_decide_the_mail_and_the_digest_goes_once_a_day(mock_site):
    import datetime as dt

    site = mock_site
    add_user(site, "asha@power.gov.in", ["Learner"], [POWER])
    client = token_client(site, "asha@power.gov.in")
    prefs = [{"kind": "Decision", "delivery": "Daily digest"}, {"kind": "Job", "delivery": "Off"}]
    assert client.put("/api/resource/User/asha@power.gov.in", json={"notification_preferences": prefs}).status_code == 200
    notifications.notify(site, "asha@power.gov.in", "Decision", "Your claim was approved")
    notifications.notify(site, "asha@power.gov.in", "Job", "Your import finished")
    notifications.notify(site, "asha@power.gov.in", "Certificate", "Your certificate: Noting and Drafting")
    subjects = [m["subject"] for m in site.db["mail"].find({"recipient": "asha@power.gov.in", "kind": {"$ne": "invitation"}})]
    assert subjects == ["Your certificate: Noting and Drafting"]
    morning = dt.datetime(2026, 12, 3, 4, 0)
    assert notifications.send_digests(site, morning.replace(hour=1)) == []  # before the digest hour
    assert notifications.send_digests(site, morning) == ["asha@power.gov.in"]
    assert notifications.send_digests(site, morning.replace(hour=9)) == []  # once a day
    digest = site.db["mail"].find_one({"kind": "digest"})
    assert "Your claim was approved" in digest["body_text"] and "Your import finished" not in digest["body_text"]


def test_every_user_chooses_their_own_mail_and_no_one_elses(world):
    """A reviewer who is not a learner sets what they are e-mailed about; nobody sets another's."""
    prefs = [{"kind": "Task", "delivery": "Daily digest"}]
    r = world.put("l1", "resource/User/l1@power.gov.in", {"notification_preferences": prefs}, 200)
    assert r.json["data"]["notification_preferences"][0]["delivery"] == "Daily digest"
    assert world.put("l1", "resource/User/l2@power.gov.in", {"notification_preferences": prefs}).status_code in (403, 404)
    assert world.put("l1", "resource/User/l1@power.gov.in", {"roles": [{"role": "System Manager"}]}).status_code in (400, 403)
    assert [r["role"] for r in world.site.db.user.find_one({"_id": "l1@power.gov.in"})["roles"]] == ["FRAC Reviewer L1"]
    assert world.put("analyst", "resource/User/analyst@gov.in", {"notification_preferences": prefs}).status_code == 403
