"""Content modules go from draft to published through review, with maker-checker: the
creator neither reviews nor publishes their own module, and the reviewer does not publish
what they reviewed. Published modules appear in gap recommendations; retired ones do not."""
import pytest

from .frac_world import BUDGET, POWER, build
from .conftest import add_user, token_client


@pytest.fixture
def cw(mock_site):
    w = build(mock_site)
    for key, email, roles in (("reviewer", "reviewer@power.gov.in", ["Content Reviewer"]),
                              ("publisher", "publisher@power.gov.in", ["Content Publisher"]),
                              ("both", "both@power.gov.in", ["Content Reviewer", "Content Publisher"]),
                              ("steel_pub", "publisher@steel.gov.in", ["Content Publisher"])):
        add_user(mock_site, email, roles, [POWER] if "power" in email else ["Ministry of Steel"])
        w.c[key] = token_client(mock_site, email, app=w.app)
    return w


def test_draft_to_published_with_maker_checker(cw):
    module = cw.create("content", "Content Module", {"title": "Budget Circular 2026: what changed", "kind": "Lesson Text",
                                                      "mdo": POWER, "lesson_text": "...",
                                                      "competencies": [{"competency": BUDGET, "level": 3}]})
    name = module["name"]
    assert module["workflow_state"] == "Draft"
    cw.act("content", "Content Module", name, "Send for Review")
    assert "only Content Reviewer" in cw.act("content", "Content Module", name, "Approve Review", status=403).json["message"]
    cw.act("reviewer", "Content Module", name, "Reject", status=400)  # a reason is needed
    cw.act("reviewer", "Content Module", name, "Reject", "Cite the circular's number")
    cw.act("content", "Content Module", name, "Send for Review")
    cw.act("both", "Content Module", name, "Approve Review")
    assert "maker-checker" in cw.act("both", "Content Module", name, "Publish", status=403).json["message"]  # not what they reviewed
    cw.act("steel_pub", "Content Module", name, "Publish", status=404)
    cw.act("publisher", "Content Module", name, "Publish")
    assert cw.get("admin", f"resource/Content Module/{name}").json["data"]["workflow_state"] == "Published"


def test_the_creator_cannot_review_or_publish_their_own(cw, mock_site):
    add_user(mock_site, "all@power.gov.in", ["Content Creator", "Content Reviewer", "Content Publisher"], [POWER])
    cw.c["all"] = token_client(mock_site, "all@power.gov.in", app=cw.app)
    name = cw.create("all", "Content Module", {"title": "Office procedure refresher", "kind": "PDF", "mdo": POWER})["name"]
    cw.act("all", "Content Module", name, "Send for Review")
    assert "maker-checker" in cw.act("all", "Content Module", name, "Approve Review", status=403).json["message"]
    cw.act("reviewer", "Content Module", name, "Approve Review")
    assert "maker-checker" in cw.act("all", "Content Module", name, "Publish", status=403).json["message"]


def test_published_modules_are_recommended_and_retired_ones_are_not(cw):
    pos = cw.position()
    cw.verify_map(cw.role_map(pos, [cw.role("Budget preparation", {BUDGET: 3})]))
    off = cw.officer("asha@power.gov.in", position=pos)
    name = cw.create("content", "Content Module", {"title": "Outcome budgeting", "kind": "Video Link", "mdo": POWER,
                                                    "url": "https://example.gov.in/v/1", "competencies": [{"competency": BUDGET, "level": 3}]})["name"]

    def learning():
        return [r["title"] for r in cw.get("admin", "method/gap", officer=off).json["data"]["competencies"][0]["learning"]]

    assert "Outcome budgeting" not in learning()
    cw.act("content", "Content Module", name, "Send for Review")
    cw.act("reviewer", "Content Module", name, "Approve Review")
    cw.act("publisher", "Content Module", name, "Publish")
    assert "Outcome budgeting" in learning()
    cw.act("publisher", "Content Module", name, "Retire")
    assert "Outcome budgeting" not in learning()
