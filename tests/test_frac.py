"""Mission Karmayogi FRAC: the competency dictionary, role maps with two-level review,
officers' positions, the competency passbook, gap analysis, talent search and plans."""

import pytest

from app.model import lifecycle
from doctypes.frac import frac

from .frac_world import BUDGET, CABINET, DRAFTING, POWER, STEEL, build


@pytest.fixture
def w(site):
    return build(site)


@pytest.fixture
def mw(mock_site):
    return build(mock_site)


# competency dictionary ----------------------------------------------------------------------


def test_starter_dictionary_is_verified_with_the_default_scale(mock_site):
    rows = list(mock_site.db["competency"].find({}))
    assert len(rows) >= 36
    assert {r["competency_type"] for r in rows} == {"Behavioural", "Functional", "Domain"}
    assert all(r["workflow_state"] == "Verified" for r in rows)
    levels = mock_site.db["competency"].find_one({"_id": DRAFTING})["levels"]
    assert [(lv["level"], lv["level_name"]) for lv in levels] == [
        (1, "Basic"),
        (2, "Proficient"),
        (3, "Advanced"),
        (4, "Expert"),
        (5, "Ustad"),
    ]


def test_mdo_proposes_dopt_verifies_and_other_mdos_only_read(mw):
    body = {
        "competency_name": "Power Sector Regulation",
        "competency_type": "Domain",
        "mdo": POWER,
        "description": "Tariff setting, electricity regulatory commissions and the Electricity Act.",
    }
    doc = mw.create("admin", "Competency", body)
    assert doc["workflow_state"] == "Draft" and len(doc["levels"]) == 5
    name = doc["name"]
    # Steel reads Power's proposal but may neither change nor move it
    assert mw.get("steel_admin", f"resource/Competency/{name}", 200).json["workflow"]["actions"] == []
    mw.put("steel_admin", f"resource/Competency/{name}", {"area": "Energy"}, 404)
    mw.act("steel_admin", "Competency", name, "Propose", status=403)
    # and may not propose one in Power's name
    assert mw.post("steel_admin", "resource/Competency", {**body, "competency_name": "X"}).status_code == 403
    # not verified: a role cannot require it
    refused = mw.post(
        "admin",
        "resource/FRAC Role",
        {"role_name": "Regulation", "mdo": POWER, "competencies": [{"competency": name, "required_level": 2}]},
        400,
    ).json
    assert "must have workflow_state 'Verified'" in refused["errors"]["competencies"]["1"]["competency"][0]
    mw.act("admin", "Competency", name, "Propose")
    mw.act("admin", "Competency", name, "Verify", status=403)  # only DoPT verifies
    mw.act("dopt", "Competency", name, "Reject", status=400)  # a rejection needs a reason
    mw.act("dopt", "Competency", name, "Verify")
    mw.post(
        "admin",
        "resource/FRAC Role",
        {"role_name": "Regulation", "mdo": POWER, "competencies": [{"competency": name, "required_level": 2}]},
        201,
    )


def test_competency_levels_must_be_one_to_five(mw):
    bad = mw.post(
        "admin",
        "resource/Competency",
        {
            "competency_name": "Grid Operations",
            "competency_type": "Domain",
            "mdo": POWER,
            "description": "x",
            "levels": [{"level": 1, "level_name": "Basic"}, {"level": 1, "level_name": "Again"}],
        },
        400,
    ).json
    assert "exactly the levels 1 to 5" in bad["errors"]["levels"][0]
    assert mw.site.db["competency"].find_one({"_id": "Grid Operations"}) is None


# role maps ----------------------------------------------------------------------------------


def test_two_level_review_with_maker_checker_and_rejections(w):
    pos = w.position()
    r1 = w.role("Budget preparation", {BUDGET: 3, DRAFTING: 2})
    r2 = w.role("Cabinet work", {CABINET: 3, DRAFTING: 3}, who="ifu")
    rm = w.role_map(pos, [r1, r2], who="ifu")
    doc = w.get("ifu", f"resource/Role Map/{rm}", 200).json["data"]
    assert doc["version"] == 1 and doc["workflow_state"] == "Draft"
    # requirements copied from the roles; Noting and Drafting needed by both roles counts at its highest later
    assert {(r["competency"], r["required_level"]) for r in doc["requirements"]} == {
        (BUDGET, 3),
        (DRAFTING, 2),
        (CABINET, 3),
        (DRAFTING, 3),
    }
    assert len(doc["activities"]) == 2 and doc["roles"][1]["role_name"] == "Cabinet work"
    # the requirements are the platform's to set
    w.put("ifu", f"resource/Role Map/{rm}", {"requirements": []}, 200)
    assert len(w.get("ifu", f"resource/Role Map/{rm}").json["data"]["requirements"]) == 4

    w.act("l1", "Role Map", rm, "Verify", status=400)  # not submitted yet: not an action from Draft
    w.act("ifu", "Role Map", rm, "Submit for Review")
    w.put("ifu", f"resource/Role Map/{rm}", {"remarks": "late edit"}, 403)  # nobody edits under review
    w.act("steel_l1", "Role Map", rm, "Verify", status=404)  # another MDO's reviewer does not see it
    assert "only FRAC Reviewer L1" in w.act("l2", "Role Map", rm, "Verify", status=403).json["message"]  # L2 comes after L1
    w.act("l1", "Role Map", rm, "Reject", status=400)  # needs a comment
    w.act("l1", "Role Map", rm, "Reject", "Activities of Cabinet work are vague")
    assert w.get("ifu", f"resource/Role Map/{rm}").json["data"]["workflow_state"] == "Draft"
    w.act("ifu", "Role Map", rm, "Submit for Review")
    w.act("l1", "Role Map", rm, "Verify")
    assert "only FRAC Reviewer L2" in w.act("l1", "Role Map", rm, "Verify", status=403).json["message"]
    w.act("l2", "Role Map", rm, "Reject", "Budget role needs level 4", status=200)
    assert w.get("l1", f"resource/Role Map/{rm}").json["data"]["workflow_state"] == "Submitted"  # back to L1
    w.act("l1", "Role Map", rm, "Verify")
    w.act("l2", "Role Map", rm, "Verify")
    done = w.get("admin", f"resource/Role Map/{rm}").json
    assert done["data"]["workflow_state"] == "Verified" and done["data"]["docstatus"] == 1 and done["data"]["verified_on"]
    assert [h["action"] for h in done["workflow"]["history"]] == [
        "Submit for Review",
        "Reject",
        "Submit for Review",
        "Verify",
        "Reject",
        "Verify",
        "Verify",
    ]
    assert done["workflow"]["history"][1]["comment"] == "Activities of Cabinet work are vague"
    assert w.put("admin", f"resource/Role Map/{rm}", {"remarks": "x"}).status_code in (403, 409)  # verified: read-only


def test_a_reviewer_cannot_review_their_own_map(mw):
    from app import auth
    from app.model import workflow

    pos = mw.position()
    rm = mw.role_map(pos, [mw.role("Budget preparation", {BUDGET: 3})], who="ifu_l1")
    mw.act("ifu_l1", "Role Map", rm, "Submit for Review")
    refused = mw.act("ifu_l1", "Role Map", rm, "Verify", status=403).json
    assert "maker-checker" in refused["message"]
    mw.act("l1", "Role Map", rm, "Verify")
    # whoever passed it at L1 cannot also pass it at L2, even holding both roles
    mw.site.db["user"].update_one(
        {"_id": "l1@power.gov.in"}, {"$push": {"roles": {"role": "FRAC Reviewer L2", "idx": 2, "name": "x2"}}}
    )
    ctx = auth.context_for(mw.site, "l1@power.gov.in")
    record = {**mw.site.db["role_map"].find_one({"_id": rm}), "name": rm}
    assert workflow.info(ctx, ctx.registry.get("Role Map"), record)["actions"] == []
    assert "maker-checker" in mw.act("l1", "Role Map", rm, "Verify", status=403).json["message"]
    mw.act("l2", "Role Map", rm, "Verify")


def test_review_needs_roles_with_competencies(mw):
    pos = mw.position()
    empty = mw.role_map(pos, [])
    refused = mw.act("admin", "Role Map", empty, "Submit for Review", status=400).json
    assert "at least one role" in refused["errors"]["roles"][0]
    assert mw.site.db["role_map"].find_one({"_id": empty})["workflow_state"] == "Draft"


def test_one_open_version_per_position_and_roles_of_the_same_mdo(mw):
    pos = mw.position()
    r1 = mw.role("Budget preparation", {BUDGET: 3})
    mw.role_map(pos, [r1])
    again = mw.post("admin", "resource/Role Map", {"position": pos, "mdo": POWER, "roles": [{"frac_role": r1}]}, 400).json
    assert "still open" in again["errors"]["position"][0]
    steel_role = mw.role("Steel budget", {BUDGET: 2}, who="steel_admin", mdo=STEEL)
    steel_pos = mw.position("Director (Steel)", mdo=STEEL, who="steel_admin")
    # Power's admin cannot point at Steel's role or position: they read as missing
    bad = mw.post(
        "admin", "resource/Role Map", {"position": steel_pos, "mdo": POWER, "roles": [{"frac_role": steel_role}]}, 400
    ).json
    assert "does not exist" in bad["errors"]["position"][0] and "does not exist" in bad["errors"]["roles"]["1"]["frac_role"][0]
    dup = mw.post("admin", "resource/Position", {"position_name": "Under Secretary (Budget)", "mdo": POWER}, 400).json
    assert "already has the position" in dup["errors"]["position_name"][0]


def test_new_version_keeps_the_verified_one_in_force_until_verified(mw):
    pos = mw.position()
    r1 = mw.role("Budget preparation", {BUDGET: 2})
    v1 = mw.role_map(pos, [r1])
    mw.verify_map(v1)
    off = mw.officer("asha@power.gov.in", position=pos)
    gap = mw.get("admin", "method/gap", 200, officer=off).json["data"]["competencies"]
    assert [(r["competency"], r["required_level"]) for r in gap] == [(BUDGET, 2)]

    mw.post("l1", f"resource/Role Map/{v1}/action/new_version", {}, 403)  # reviewers do not draft
    mw.post("steel_admin", f"resource/Role Map/{v1}/action/new_version", {}, 404)
    assert mw.get("admin", f"resource/Role Map/{v1}").json["actions"] == ["new_version"]
    v2 = mw.post("admin", f"resource/Role Map/{v1}/action/new_version", {}, 201).json["data"]
    assert v2["version"] == 2 and v2["previous_version"] == v1 and v2["workflow_state"] == "Draft"
    mw.post("admin", f"resource/Role Map/{v1}/action/new_version", {}, 400)  # one open version at a time
    # the role changes; the verified map in force does not
    role = mw.get("admin", f"resource/FRAC Role/{r1}").json["data"]
    mw.put(
        "admin",
        f"resource/FRAC Role/{r1}",
        {"competencies": [{"competency": BUDGET, "required_level": 4}], "modified": role["modified"]},
        200,
    )
    mw.put("admin", f"resource/Role Map/{v2['name']}", {"remarks": "level raised"}, 200)
    assert mw.get("admin", "method/gap", officer=off).json["data"]["competencies"][0]["required_level"] == 2
    mw.verify_map(v2["name"])
    assert mw.get("admin", f"resource/Role Map/{v1}").json["data"]["workflow_state"] == "Superseded"
    history = mw.get("admin", f"resource/Role Map/{v1}").json["workflow"]["history"]
    assert history[-1]["action"] == "Supersede" and v2["name"] in history[-1]["comment"]
    gap = mw.get("admin", "method/gap", officer=off).json["data"]
    assert gap["role_map"] == v2["name"] and gap["competencies"][0]["required_level"] == 4


# officers, passbook, gaps -------------------------------------------------------------------


def test_position_change_keeps_the_posting_history(mw):
    p1, p2 = mw.position(), mw.position("Deputy Secretary (Coordination)")
    off = mw.officer("asha@power.gov.in", position=p1)
    doc = mw.get("admin", f"resource/Officer/{off}").json["data"]
    assert [(r["position"], r.get("to_date")) for r in doc["postings"]] == [(p1, None)]
    assert doc["designation"] == "Under Secretary (Budget)"
    mw.put("admin", f"resource/Officer/{off}", {"position": p2, "modified": doc["modified"]}, 200)
    doc = mw.get("admin", f"resource/Officer/{off}").json["data"]
    assert [r["position"] for r in doc["postings"]] == [p1, p2]
    assert doc["postings"][0]["to_date"] and not doc["postings"][1].get("to_date")
    steel_pos = mw.position("Director (Steel)", mdo=STEEL, who="steel_admin")
    mw.put("admin", f"resource/Officer/{off}", {"position": steel_pos}, 400)


def test_gap_closes_when_a_self_declared_entry_is_verified(w):
    pos = w.position()
    rm = w.role_map(pos, [w.role("Budget preparation", {BUDGET: 3, DRAFTING: 2}), w.role("Cabinet work", {DRAFTING: 3})])
    w.verify_map(rm)
    off = w.officer("asha@power.gov.in", position=pos)
    me = w.learner("asha@power.gov.in")
    gap = w.get(me, "method/gap", 200, officer=off).json["data"]
    assert [(c["competency"], c["required_level"], c["current_level"], c["gap"]) for c in gap["competencies"]] == [
        (BUDGET, 3, 0, 3),
        (DRAFTING, 3, 0, 3),
    ]  # a competency two roles need counts at the higher level
    entry = w.post(
        me,
        "resource/Passbook Entry",
        {
            "officer": off,
            "competency": DRAFTING,
            "level": 3,
            "source": "Self-declared",
            "evidence": "Drafted 40 cabinet notes as Under Secretary",
        },
        201,
    ).json["data"]
    assert entry["workflow_state"] == "Pending" and entry["mdo"] == POWER and entry["officer_email"] == "asha@power.gov.in"
    assert w.get(me, "method/gap", officer=off).json["data"]["competencies"][1]["gap"] == 3  # pending does not count
    w.act(me, "Passbook Entry", entry["name"], "Verify", status=403)  # not their own verifier
    w.act("steel_admin", "Passbook Entry", entry["name"], "Verify", status=404)
    w.act("admin", "Passbook Entry", entry["name"], "Verify")
    gap = w.get(me, "method/gap", officer=off).json["data"]
    assert [(c["competency"], c["gap"]) for c in gap["competencies"]] == [(BUDGET, 3), (DRAFTING, 0)]
    book = w.get(me, "method/passbook", 200, officer=off).json["data"]
    assert book["current_levels"] == [{"competency": DRAFTING, "level": 3, "entries": 1}]
    summary = w.get("admin", "method/gap", 200, mdo=POWER).json["data"]["competencies"]
    assert [(c["competency"], c["officers"], c["officers_short"], c["average_gap"]) for c in summary] == [
        (BUDGET, 1, 1, 3.0),
        (DRAFTING, 1, 0, 0),
    ]
    assert summary[0]["positions"][0]["position_name"] == "Under Secretary (Budget)"


def test_current_level_is_the_highest_verified_and_history_stays(mw):
    from .conftest import add_user, token_client

    add_user(mw.site, "nodal2@power.gov.in", ["MDO Admin"], [POWER])
    mw.c["admin2"] = token_client(mw.site, "nodal2@power.gov.in")
    pos = mw.position()
    mw.verify_map(mw.role_map(pos, [mw.role("Budget preparation", {BUDGET: 4})]))
    off = mw.officer("asha@power.gov.in", position=pos)
    for level in (2, 4, 3):
        e = mw.create(
            "admin", "Passbook Entry", {"officer": off, "competency": BUDGET, "level": level, "source": "Assessment", "score": 70}
        )
        mw.act("dopt", "Passbook Entry", e["name"], "Verify", status=403)  # only an MDO Admin verifies
        mw.act("admin", "Passbook Entry", e["name"], "Verify", status=403)  # maker-checker: they entered it
        mw.act("admin2", "Passbook Entry", e["name"], "Verify")
    rejected = mw.create("admin", "Passbook Entry", {"officer": off, "competency": BUDGET, "level": 5, "source": "Assessment"})
    mw.act("admin2", "Passbook Entry", rejected["name"], "Reject", "No score recorded")
    book = mw.get("admin", "method/passbook", officer=off).json["data"]
    assert book["current_levels"] == [{"competency": BUDGET, "level": 4, "entries": 3}]
    assert sorted(e["workflow_state"] for e in book["entries"]) == ["Rejected", "Verified", "Verified", "Verified"]
    assert mw.get("admin", "method/gap", officer=off).json["data"]["competencies"][0]["gap"] == 0
    # entries are never deleted, and an officer with a passbook is kept
    assert mw.c["dopt"].delete(f"/api/resource/Passbook Entry/{rejected['name']}").status_code == 403
    kept = mw.c["admin"].delete(f"/api/resource/Officer/{off}")
    assert kept.status_code == 400 and "inactive" in kept.json["message"] + str(kept.json.get("errors"))
    assert mw.site.db["officer"].find_one({"_id": off})


def test_who_enters_what_in_a_passbook(mw):
    pos = mw.position()
    off = mw.officer("asha@power.gov.in", position=pos)
    other = mw.officer("ravi@power.gov.in", position=pos)
    me = mw.learner("asha@power.gov.in")
    refused = mw.post(
        me, "resource/Passbook Entry", {"officer": off, "competency": BUDGET, "level": 3, "source": "Assessment"}, 400
    ).json
    assert "entered by the officer's MDO" in refused["errors"]["source"][0]
    refused = mw.post(
        me,
        "resource/Passbook Entry",
        {"officer": off, "competency": BUDGET, "level": 3, "source": "Course Completion", "course": "X", "certificate": "C1"},
        400,
    ).json
    assert "entered by the platform" in refused["errors"]["source"][0]
    refused = mw.post(
        me, "resource/Passbook Entry", {"officer": off, "competency": BUDGET, "level": 3, "source": "Self-declared"}, 400
    ).json
    assert "needs evidence" in refused["errors"]["evidence"][0]
    # not for another officer, not beyond level 5, not an unverified competency
    assert mw.post(
        me,
        "resource/Passbook Entry",
        {"officer": other, "competency": BUDGET, "level": 3, "source": "External Training", "course": "NIFM budgeting course"},
    ).status_code in (403, 404)
    mw.post(
        me,
        "resource/Passbook Entry",
        {"officer": off, "competency": BUDGET, "level": 6, "source": "External Training", "course": "x"},
        400,
    )
    mw.site.db["competency"].update_one({"_id": DRAFTING}, {"$set": {"workflow_state": "Proposed"}})
    unverified = mw.post(
        me,
        "resource/Passbook Entry",
        {"officer": off, "competency": DRAFTING, "level": 2, "source": "External Training", "course": "x"},
        400,
    ).json
    assert "Verified" in unverified["errors"]["competency"][0]
    # values the platform sets are not the caller's to give
    mine = mw.post(
        me,
        "resource/Passbook Entry",
        {
            "officer": off,
            "competency": BUDGET,
            "level": 2,
            "source": "External Training",
            "course": "NIFM",
            "mdo": STEEL,
            "officer_email": "x@y.in",
        },
        201,
    ).json["data"]
    assert (mine["mdo"], mine["officer_email"]) == (POWER, "asha@power.gov.in")
    assert mw.site.db["passbook_entry"].count_documents({}) == 1


def test_passbook_is_seen_by_the_officer_and_their_mdo_admin_only(mw):
    off = mw.officer("asha@power.gov.in")
    mw.officer("ravi@power.gov.in")
    asha, ravi = mw.learner("asha@power.gov.in"), mw.learner("ravi@power.gov.in")
    entry = mw.post(
        asha,
        "resource/Passbook Entry",
        {"officer": off, "competency": BUDGET, "level": 2, "source": "External Training", "course": "NIFM budgeting course"},
        201,
    ).json["data"]["name"]
    mw.get(asha, "method/passbook", 200, officer=off)
    mw.get("admin", "method/passbook", 200, officer=off)
    for who in (ravi, "steel_admin"):
        mw.get(who, "method/passbook", 404, officer=off)
        mw.get(who, f"resource/Passbook Entry/{entry}", 404)
        assert mw.get(who, "resource/Passbook Entry").json["total"] == 0
    for who in ("l1", "cbp", "content"):
        mw.get(who, f"resource/Passbook Entry/{entry}", 403)
        mw.get(who, "resource/Passbook Entry", 403)
    mw.get(ravi, "method/gap", 404, officer=off)


def test_course_completion_enters_the_passbook_once(mw):
    pos = mw.position()
    mw.verify_map(mw.role_map(pos, [mw.role("Budget preparation", {BUDGET: 3})]))
    off = mw.officer("asha@power.gov.in", position=pos)
    ctx = mw.site.context()
    completion = (off, "Public Financial Management", "CERT-001", [(BUDGET, 3), (DRAFTING, 1)], "2026-11-01")
    assert len(frac.record_course_completion(ctx, *completion)) == 2
    assert frac.record_course_completion(ctx, *completion) == []
    entries = list(mw.site.db["passbook_entry"].find({"officer": off}))
    assert len(entries) == 2 and {(e["workflow_state"], e["docstatus"]) for e in entries} == {("Verified", 1)}
    assert mw.get("admin", "method/gap", officer=off).json["data"]["competencies"][0]["gap"] == 0


def test_gap_for_an_mdo_is_refused_outside_it(mw):
    mw.get("steel_admin", "method/gap", 404, mdo=POWER)
    mw.get("content", "method/gap", 403, mdo=POWER)
    mw.get("dopt", "method/gap", 200, mdo=POWER)
    mw.get("analyst", "method/gap", 200, mdo=POWER)
    mw.get("admin", "method/gap", 400)


def test_gap_lists_live_learning_that_teaches_the_competency(mw):
    pos = mw.position()
    mw.verify_map(mw.role_map(pos, [mw.role("Budget preparation", {BUDGET: 3})]))
    off = mw.officer("asha@power.gov.in", position=pos)
    ctx = mw.site.context()
    for title, level, state in (
        ("Budgeting basics", 1, "Live"),
        ("Public Financial Management", 3, "Live"),
        ("Advanced PFM", 4, "Live"),
        ("Old PFM", 4, "Retired"),
    ):
        lifecycle.insert(
            ctx, "Lesson", {"title": title, "state": state, "competencies": [{"competency": BUDGET, "level": level}]}
        )
    learning = mw.get("admin", "method/gap", officer=off).json["data"]["competencies"][0]["learning"]
    assert [(r["title"], r["level"]) for r in learning] == [("Public Financial Management", 3), ("Advanced PFM", 4)]


def test_talent_search_respects_mdos_and_personal_fields(mw):
    a = mw.officer("asha@power.gov.in")
    s = mw.officer("sunil@steel.gov.in", mdo=STEEL, who="steel_admin")
    ctx = mw.site.context()
    mw.site.db["officer"].update_many({}, {"$set": {"mobile": "9876543210"}})
    frac.record_course_completion(ctx, a, "PFM", "C1", [(BUDGET, 4)], "2026-10-01")
    frac.record_course_completion(ctx, s, "PFM", "C2", [(BUDGET, 3)], "2026-10-01")
    assert [r["name"] for r in mw.get("admin", "method/talent", 200, competency=BUDGET, level=3).json["data"]] == [a]
    assert [r["name"] for r in mw.get("dopt", "method/talent", 200, competency=BUDGET, level=3).json["data"]] == [a, s]
    assert [r["name"] for r in mw.get("dopt", "method/talent", competency=BUDGET, level=4).json["data"]] == [a]
    assert mw.get("admin", "method/talent", competency=BUDGET, level=3).json["data"][0]["mobile"] == "9876543210"
    assert "mobile" not in mw.get("analyst", "method/talent", 200, competency=BUDGET, level=3).json["data"][0]
    mw.get(mw.learner("asha@power.gov.in"), "method/talent", 403, competency=BUDGET, level=3)
    mw.get("admin", "method/talent", 400, competency=BUDGET, level=9)


# capacity building plans --------------------------------------------------------------------


def test_plan_assigns_items_and_shows_completion(mw):
    p1, p2 = mw.position(), mw.position("Section Officer")
    a, b, _ = (
        mw.officer(e, position=p) for e, p in (("asha@power.gov.in", p1), ("ravi@power.gov.in", p2), ("uma@power.gov.in", p2))
    )
    body = {
        "plan_name": "CBP 2026-27",
        "mdo": POWER,
        "period_from": "2026-04-01",
        "period_to": "2027-03-31",
        "items": [
            {"item_type": "Course", "item": "Public Financial Management", "audience": "All Officers", "due_date": "2026-12-31"},
            {
                "item_type": "Content Module",
                "item": "Preparation of Notes for the Cabinet",
                "audience": "Position",
                "position": p2,
                "due_date": "2026-09-30",
            },
            {
                "item_type": "Course",
                "item": "Data, Economics and Development Policy",
                "audience": "Officer",
                "officer": a,
                "due_date": "2027-03-31",
            },
        ],
    }
    # the module the plan names is a real one (a plan's item is picked, never free text)
    mw.site.db["content_module"].insert_one(
        {"_id": "Preparation of Notes for the Cabinet", "title": "Preparation of Notes for the Cabinet", "mdo": POWER}
    )
    bad = mw.post("cbp", "resource/Capacity Building Plan", {**body, "items": [{**body["items"][1], "position": None}]}, 400).json
    assert "needs the position" in bad["errors"]["items"][0]
    plan = mw.create("cbp", "Capacity Building Plan", body)["name"]
    asha = mw.learner("asha@power.gov.in")
    assert mw.get(asha, "method/my_plan", 200, officer=a).json["data"] == []  # a draft plan assigns nothing
    mw.act("cbp", "Capacity Building Plan", plan, "Go Live")
    assert [i["item"] for i in mw.get(asha, "method/my_plan", officer=a).json["data"]] == [
        "Public Financial Management",
        "Data, Economics and Development Policy",
    ]
    assert [i["item"] for i in mw.get("admin", "method/my_plan", officer=b).json["data"]] == [
        "Public Financial Management",
        "Preparation of Notes for the Cabinet",
    ]
    frac.record_course_completion(mw.site.context(), b, "Public Financial Management", "C9", [(BUDGET, 2)], "2026-10-01")
    progress = mw.get("cbp", "method/plan_progress", 200, plan=plan).json["data"]
    assert [(i["assigned"], i["completed"]) for i in progress["items"]] == [(3, 1), (2, 0), (1, 0)]
    assert [(p["position_name"], p["assigned"], p["completed"]) for p in progress["positions"]] == [
        ("Section Officer", 4, 1),
        ("Under Secretary (Budget)", 2, 0),
    ]
    assert mw.get("admin", "method/my_plan", officer=b).json["data"][0]["completed"] is True
    mw.get("steel_admin", "method/plan_progress", 404, plan=plan)
    mw.get(asha, "method/plan_progress", 403, plan=plan)
    mw.get(asha, "method/my_plan", 404, officer=b)


def test_another_mdo_sees_none_of_the_frac_records(mw):
    pos = mw.position()
    role = mw.role("Budget preparation", {BUDGET: 3})
    rm = mw.role_map(pos, [role])
    mw.verify_map(rm)
    off = mw.officer("asha@power.gov.in", position=pos)
    entry = mw.create("admin", "Passbook Entry", {"officer": off, "competency": BUDGET, "level": 2, "source": "Assessment"})
    plan = mw.create(
        "admin",
        "Capacity Building Plan",
        {"plan_name": "CBP", "mdo": POWER, "period_from": "2026-04-01", "period_to": "2027-03-31"},
    )
    records = {
        "Position": pos,
        "FRAC Role": role,
        "Role Map": rm,
        "Passbook Entry": entry["name"],
        "Capacity Building Plan": plan["name"],
        "Officer Gap": f"{off}|{BUDGET}",
        "Gap Summary": f"{POWER}|{pos}|{BUDGET}",
    }
    for doctype, name in records.items():
        assert mw.get("admin", f"resource/{doctype}/{name}").status_code == 200, doctype
        mw.get("steel_admin", f"resource/{doctype}/{name}", 404)
        listed = mw.get("steel_admin", f"resource/{doctype}", 200).json
        assert listed["total"] == 0, doctype
        assert mw.get("steel_admin", "method/link_options", 200, doctype=doctype).json["data"] == [], doctype
    # the rollups are the platform's: nobody writes them by hand
    for who in ("admin", "dopt"):
        assert mw.post(who, "resource/Gap Summary", {"competency": BUDGET, "mdo": POWER}).status_code == 403
        assert mw.put(who, f"resource/Officer Gap/{off}|{BUDGET}", {"gap": 0}).status_code == 403
