"""Content modules go from draft to published through review, with maker-checker: the
creator neither reviews nor publishes their own module, and the reviewer does not publish
what they reviewed (unless the workflow relaxes it for the MDO). "Reviewed" needs a passing
quality rubric. Published modules appear in the catalogue and in gap recommendations;
retired and superseded ones do not. Editing a published module makes a new draft version."""

import pytest

from .conftest import add_user, token_client
from .frac_world import BUDGET, DRAFTING, POWER, build

PASS = {
    "Accuracy": 5,
    "Relevance to the competencies claimed": 4,
    "Instructional design": 4,
    "Accessibility": 3,
    "Technical quality": 4,
}


@pytest.fixture
def cw(mock_site):
    w = build(mock_site)
    for key, email, roles in (
        ("reviewer", "reviewer@power.gov.in", ["Content Reviewer"]),
        ("reviewer2", "reviewer2@power.gov.in", ["Content Reviewer"]),
        ("publisher", "publisher@power.gov.in", ["Content Publisher"]),
        ("both", "both@power.gov.in", ["Content Reviewer", "Content Publisher"]),
        ("steel_pub", "publisher@steel.gov.in", ["Content Publisher"]),
    ):
        add_user(mock_site, email, roles, [POWER] if "power" in email else ["Ministry of Steel"])
        w.c[key] = token_client(mock_site, email, app=w.app)
    return w


def score(cw, who, module, scores=PASS, submit=True, status=201):
    """The reviewer scores the rubric on the module (action), then submits the review."""
    r = cw.post(who, f"resource/Content Module/{module}/action/score_quality", {}, status)
    if status != 201:
        return r.json
    review = r.json["data"]
    rows = [{**row, "score": scores.get(row["criterion"]), "comments": "checked"} for row in review["scores"]]
    saved = cw.put(who, f"resource/Content Review/{review['name']}", {"scores": rows}, 200).json["data"]
    if submit:
        return cw.post(who, f"resource/Content Review/{review['name']}/submit", {}).json
    return saved


def lesson(cw, title="Budget Circular 2026: what changed", who="content", competency=BUDGET, level=3):
    return cw.create(
        who,
        "Content Module",
        {
            "title": title,
            "kind": "Lesson Text",
            "mdo": POWER,
            "lesson_text": "...",
            "competencies": [{"competency": competency, "level": level}],
        },
    )["name"]


def publish(cw, name, reviewer="reviewer", publisher="publisher", creator="content"):
    cw.act(creator, "Content Module", name, "Send for Review")
    score(cw, reviewer, name)
    cw.act(reviewer, "Content Module", name, "Approve Review")
    cw.act(publisher, "Content Module", name, "Publish")


def test_draft_to_published_with_maker_checker(cw):
    name = lesson(cw)
    assert cw.get("admin", f"resource/Content Module/{name}").json["data"]["workflow_state"] == "Draft"
    cw.act("content", "Content Module", name, "Send for Review")
    assert "only Content Reviewer" in cw.act("content", "Content Module", name, "Approve Review", status=403).json["message"]
    cw.act("reviewer", "Content Module", name, "Reject", status=400)  # a reason is needed
    cw.act("reviewer", "Content Module", name, "Reject", "Cite the circular's number")
    cw.act("content", "Content Module", name, "Send for Review")
    score(cw, "both", name)
    cw.act("both", "Content Module", name, "Approve Review")
    assert (
        "maker-checker" in cw.act("both", "Content Module", name, "Publish", status=403).json["message"]
    )  # not what they reviewed
    cw.act("steel_pub", "Content Module", name, "Publish", status=404)
    cw.act("publisher", "Content Module", name, "Publish")
    assert cw.get("admin", f"resource/Content Module/{name}").json["data"]["workflow_state"] == "Published"


def test_the_creator_cannot_review_or_publish_their_own(cw, mock_site):
    add_user(mock_site, "all@power.gov.in", ["Content Creator", "Content Reviewer", "Content Publisher"], [POWER])
    cw.c["all"] = token_client(mock_site, "all@power.gov.in", app=cw.app)
    name = cw.create(
        "all",
        "Content Module",
        {
            "title": "Office procedure refresher",
            "kind": "Lesson Text",
            "mdo": POWER,
            "lesson_text": "Noting, drafting, file movement.",
        },
    )["name"]
    cw.act("all", "Content Module", name, "Send for Review")
    assert "maker-checker" in score(cw, "all", name, status=400)["message"]  # no rubric on their own module
    assert "maker-checker" in cw.act("all", "Content Module", name, "Approve Review", status=403).json["message"]
    score(cw, "reviewer", name)
    cw.act("reviewer", "Content Module", name, "Approve Review")
    assert "maker-checker" in cw.act("all", "Content Module", name, "Publish", status=403).json["message"]


def test_an_installation_relaxes_maker_checker_for_one_mdo_only(cw, mock_site):
    """A small MDO with one content person: the workflow lists it in relaxed_for."""
    from app.model import lifecycle

    add_user(mock_site, "solo@power.gov.in", ["Content Creator", "Content Reviewer", "Content Publisher"], [POWER])
    add_user(mock_site, "solo@steel.gov.in", ["Content Creator", "Content Reviewer", "Content Publisher"], ["Ministry of Steel"])
    for email in ("solo@power.gov.in", "solo@steel.gov.in"):
        cw.c[email] = token_client(mock_site, email, app=cw.app)
    # an MDO Admin may not relax it; the System Manager may
    cw.put("admin", "resource/Workflow/Content Publishing", {"relaxed_for": [{"mdo": POWER}]}, 403)
    lifecycle.save(
        mock_site.context(),
        "Workflow",
        "Content Publishing",
        {"relaxed_for": [{"mdo": POWER, "reason": "one-person content cell"}]},
    )
    for email, mdo in (("solo@power.gov.in", POWER), ("solo@steel.gov.in", "Ministry of Steel")):
        name = cw.create(
            email, "Content Module", {"title": f"Induction ({mdo})", "kind": "Lesson Text", "mdo": mdo, "lesson_text": "x"}
        )["name"]
        cw.act(email, "Content Module", name, "Send for Review")
        if mdo == POWER:
            score(cw, email, name)
            cw.act(email, "Content Module", name, "Approve Review")
            cw.act(email, "Content Module", name, "Publish")
        else:  # Steel keeps maker-checker
            assert "maker-checker" in score(cw, email, name, status=400)["message"]
            assert "maker-checker" in cw.act(email, "Content Module", name, "Approve Review", status=403).json["message"]


def test_reviewed_needs_a_passing_rubric_of_this_round(cw):
    name = lesson(cw)
    cw.act("content", "Content Module", name, "Send for Review")
    refused = cw.act("reviewer", "Content Module", name, "Approve Review", status=400).json
    assert "nobody has scored the quality rubric" in refused["errors"]["quality_review"][0]
    # every criterion must be scored before the review is submitted
    draft = score(cw, "reviewer", name, scores={"Accuracy": 5}, submit=False)
    r = cw.post("reviewer", f"resource/Content Review/{draft['name']}/submit", {}, 400).json
    assert "not scored" in r["errors"]["scores"][0] and "Accessibility" in r["errors"]["scores"][0]
    # out of range
    rows = [{**row, "score": 9} for row in draft["scores"]]
    assert (
        "outside 0 to 5" in cw.put("reviewer", f"resource/Content Review/{draft['name']}", {"scores": rows}, 400).json["message"]
    )
    # a failing total: 2+2+2+2+2 of 25 = 40% < 60%
    failed = score(cw, "reviewer", name, scores={k: 2 for k in PASS})["data"]
    assert failed["total_percent"] == 40.0 and failed["result"] == "Failed"
    assert "scored 40.0% and failed" in cw.act("reviewer", "Content Module", name, "Approve Review", status=400).json["message"]
    # a high total with Accuracy under its minimum (2) still fails
    low = score(cw, "reviewer", name, scores={**{k: 5 for k in PASS}, "Accuracy": 1})["data"]
    assert low["total_percent"] == 84.0 and low["result"] == "Failed"
    cw.act("reviewer", "Content Module", name, "Reject", "Accuracy: the limits quoted are from 2019")
    cw.act("content", "Content Module", name, "Send for Review")
    module = cw.get("admin", f"resource/Content Module/{name}").json["data"]
    assert module.get("quality_result") is None  # a new round starts unscored
    passed = score(cw, "reviewer2", name)["data"]
    assert passed["total_percent"] == 80.0 and passed["result"] == "Passed"
    cw.act("reviewer2", "Content Module", name, "Approve Review")
    module = cw.get("admin", f"resource/Content Module/{name}").json["data"]
    assert (module["workflow_state"], module["quality_review"], module["quality_score"]) == ("Reviewed", passed["name"], 80.0)
    rounds = cw.get("admin", "resource/Content Review", filters=f'{{"content_module": "{name}"}}').json["data"]
    assert len(rounds) == 4  # every round's review is kept


def test_criteria_and_pass_mark_are_data(cw, mock_site):
    from app.model import lifecycle

    name = lesson(cw)
    cw.act("content", "Content Module", name, "Send for Review")
    lifecycle.save(mock_site.context(), "Quality Rubric", "Content Quality Framework", {"pass_mark": 85})
    assert score(cw, "reviewer", name)["data"]["result"] == "Failed"  # 80% no longer passes
    rubric = lifecycle.read(mock_site.context(), "Quality Rubric", "Content Quality Framework")
    lifecycle.save(
        mock_site.context(),
        "Quality Rubric",
        "Content Quality Framework",
        {"pass_mark": 60, "criteria": [*rubric["criteria"], {"criterion": "Gender sensitivity", "max_score": 5, "weight": 2}]},
    )
    review = score(cw, "reviewer", name, scores={**PASS, "Gender sensitivity": 5})["data"]
    assert [r["criterion"] for r in review["scores"]][-1] == "Gender sensitivity"
    assert review["total_percent"] == round(100 * (20 / 5 + 2 * 1) / 7, 1)  # weighted
    # a content reviewer may not change the rubric
    cw.put("reviewer", "resource/Quality Rubric/Content Quality Framework", {"pass_mark": 10}, 403)


def test_published_modules_are_recommended_and_in_the_catalogue_retired_ones_are_not(cw):
    pos = cw.position()
    cw.verify_map(cw.role_map(pos, [cw.role("Budget preparation", {BUDGET: 3})]))
    off = cw.officer("asha@power.gov.in", position=pos)
    learner = cw.learner("asha@power.gov.in")
    name = cw.create(
        "content",
        "Content Module",
        {
            "title": "Outcome budgeting",
            "kind": "Video Link",
            "mdo": POWER,
            "url": "https://example.gov.in/v/1",
            "competencies": [{"competency": BUDGET, "level": 3}],
        },
    )["name"]

    def learning():
        return [r["title"] for r in cw.get("admin", "method/gap", officer=off).json["data"]["competencies"][0]["learning"]]

    def catalogue(who=learner, **params):
        return [m["title"] for m in cw.get(who, "method/catalogue", 200, **params).json["data"]]

    assert "Outcome budgeting" not in learning() and catalogue() == []
    publish(cw, name)
    assert "Outcome budgeting" in learning()
    assert catalogue() == ["Outcome budgeting"] == catalogue("steel_admin")  # every MDO's officers see it
    assert catalogue(competency=BUDGET) == ["Outcome budgeting"] and catalogue(competency=DRAFTING) == []
    assert catalogue(search="outcome") == ["Outcome budgeting"] and catalogue(kind="PDF") == []
    cw.get(learner, f"resource/Content Module/{name}", 403)  # the catalogue, not the records, is theirs
    cw.act("publisher", "Content Module", name, "Retire")
    assert "Outcome budgeting" not in learning() and catalogue() == []


def test_editing_a_published_module_makes_a_new_draft_version(cw):
    name = lesson(cw, title="GFR 2017: procurement")
    publish(cw, name)
    r = cw.put("content", f"resource/Content Module/{name}", {"title": "GFR 2017: procurement (2026 amendments)"}, 201).json[
        "data"
    ]
    draft = r["name"]
    assert draft != name and (r["version"], r["previous_version"], r["version_of"], r["workflow_state"]) == (
        2,
        name,
        name,
        "Draft",
    )
    assert r["competencies"] == [{**r["competencies"][0], "competency": BUDGET, "level": 3}] and r.get("quality_result") is None
    live = cw.get("admin", f"resource/Content Module/{name}").json["data"]
    assert (live["title"], live["workflow_state"]) == ("GFR 2017: procurement", "Published")  # unchanged, still live
    again = cw.put("content", f"resource/Content Module/{name}", {"title": "another"}, 400).json
    assert draft in again["message"]  # one draft version at a time
    cw.put("reviewer", f"resource/Content Module/{name}", {"title": "x"}, 403)  # a reviewer does not edit content
    titles = lambda: [m["title"] for m in cw.get("admin", "method/catalogue").json["data"]]
    assert titles() == ["GFR 2017: procurement"]
    publish(cw, draft)
    assert titles() == ["GFR 2017: procurement (2026 amendments)"]
    old = cw.get("admin", f"resource/Content Module/{name}").json
    assert old["data"]["workflow_state"] == "Superseded"
    assert old["workflow"]["history"][-1]["action"] == "Supersede"
