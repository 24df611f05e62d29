"""Progress in a module is measured, not declared: a video by the stretches actually played, a
PDF by the pages shown, lesson text by reaching its end, a SCORM package by what it commits
through the run-time (kept per officer and part, and resumed). Only an external link is
reported by the officer, and then it is Pending for the MDO. A module may require a passed
assessment. Each rule is tested from the side of the caller it refuses."""

import io
import json
import re

import pytest

from app import files
from app.model import lifecycle

from .conftest import PASSWORD
from .frac_world import BUDGET, DRAFTING, POWER, build

MEDIA = "https://media.example.gov.in/outcome-budgeting.mp4"


@pytest.fixture
def w(mock_site):
    w = build(mock_site)
    pos = w.position()
    w.verify_map(w.role_map(pos, [w.role("Budget and drafting", {BUDGET: 3, DRAFTING: 2})]))
    w.off = w.officer("asha@power.gov.in", position=pos, name="Asha Rao")
    w.me = w.learner("asha@power.gov.in")
    w.other_off = w.officer("ravi@power.gov.in", position=pos, name="Ravi Kumar")
    w.other = w.learner("ravi@power.gov.in")
    return w


def published(w, title, kind, competency=BUDGET, level=3, **values) -> str:
    return lifecycle.insert(
        w.site.context(),
        "Content Module",
        {
            "title": title,
            "kind": kind,
            "mdo": POWER,
            "competencies": [{"competency": competency, "level": level}],
            "workflow_state": "Published",
            **values,
        },
    ).name


def state(w, module, who=None):
    return w.get(who or w.me, "method/module_progress", 200, module=module).json["data"]


def record(w, module, body, status=200, who=None):
    r = w.post(who or w.me, "method/record_progress", {"module": module, **body}, status)
    return r.json.get("data") if status == 200 else r.json


def read_lesson(w, module, who):
    """The officer opens a lesson text, reads for a while and reaches its end."""
    import datetime as dt

    w.post(who, "method/record_progress", {"module": module, "share": 0}, 200)
    email = who if "@" in who else None
    w.site.db.module_attempt.update_many(
        {"module": module, **({"officer_email": email} if email else {})},
        {"$set": {"started_at": dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=10)}},
    )
    return w.post(who, "method/record_progress", {"module": module, "read_to_end": True}, 200).json["data"]


def entries(w, competency=BUDGET):
    return sorted(e["workflow_state"] for e in w.site.db.passbook_entry.find({"officer": w.off, "competency": competency}))


def test_a_video_counts_only_the_stretches_played_up_to_its_share(w):
    module = published(w, "Outcome budgeting, explained", "Video Link", url=MEDIA)
    assert record(w, module, {"duration": 100, "watched": [[0, 30]], "position": 30})["progress"] == 30.0
    assert record(w, module, {"duration": 100, "watched": [[20, 60], [0, 60]]})["progress"] == 60.0  # no stretch twice
    after_skip = record(w, module, {"duration": 100, "watched": [[97, 100]], "position": 100})
    assert (after_skip["progress"], after_skip["complete"]) == (63.0, False)  # skipping to the end is not watching
    assert w.site.db.certificate.count_documents({}) == 0
    done = record(w, module, {"duration": 100, "watched": [[60, 87]]})
    assert done["progress"] == 90.0 and done["complete"] and done["certificate"]
    assert entries(w) == ["Verified"]
    assert state(w, module)["measure"]["position"] == 100  # where to resume
    for bad, field in (
        ({"duration": 0, "watched": []}, "duration"),
        ({"duration": 100, "watched": "all of it"}, "watched"),
        ({"duration": 100, "watched": [[0, "end"]]}, "watched"),
    ):
        refused = record(w, module, bad, 400)
        assert field in refused["errors"], refused


def test_a_video_module_may_ask_for_less_or_more_than_ninety_per_cent(w):
    module = published(w, "Budget speech highlights", "Video Link", url=MEDIA, completion_share=50)
    assert record(w, module, {"duration": 60, "watched": [[0, 31]]})["complete"]


def _pdf(pages: int) -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    for n in range(pages):
        c.drawString(100, 700, f"Page {n + 1} of the General Financial Rules")
        c.showPage()
    c.save()
    return out.getvalue()


def test_a_pdf_completes_when_every_page_has_been_shown(w):
    attachment = files.store(w.site.context(), io.BytesIO(_pdf(3)), "gfr.pdf", accept=["pdf"])
    module = published(w, "General Financial Rules", "PDF", attachment=attachment)
    first = record(w, module, {"pages": 3, "seen": [1, 2], "page": 2})
    assert (first["progress"], first["complete"]) == (66.7, False)
    assert record(w, module, {"pages": 3, "seen": [2, 9, -1]})["progress"] == 66.7  # pages that are not there do not count
    assert record(w, module, {"pages": 3, "seen": [3], "page": 3})["complete"]
    assert record(w, module, {"pages": 0, "seen": []}, 400)["errors"]["pages"]


def test_measured_modules_cannot_be_marked_complete_by_hand_and_external_links_wait_for_the_mdo(w):
    lesson = published(w, "Noting basics", "Lesson Text", lesson_text="Put up the note.")
    video = published(w, "A video", "Video Link", url=MEDIA)
    link = published(w, "Drafting (external course)", "External Link", competency=DRAFTING, level=2, url="https://example.org/x")
    for module in (lesson, video):
        refused = w.post(w.me, "method/complete_module", {"module": module}, 400).json
        assert "cannot be marked complete by hand" in refused["message"] and "kind" in refused["errors"]
    assert "not measured by the player" in record(w, link, {"read_to_end": True}, 400)["message"]
    reported = w.post(w.me, "method/complete_module", {"module": link}, 201).json["data"]
    assert (reported["self_reported"], reported["complete"], reported["certificate"]) == (True, False, None)
    assert entries(w, DRAFTING) == ["Pending"]  # for the MDO to verify, like any self-declared entry
    w.post(w.me, "method/complete_module", {"module": link}, 201)
    assert entries(w, DRAFTING) == ["Pending"]  # once
    assert w.site.db.certificate.count_documents({}) == 0
    assert "not an officer" in w.post("admin", "method/complete_module", {"module": link}, 400).json["message"]


def _portal(w, email):
    w.app.config["WTF_CSRF_ENABLED"] = False  # the sign-in form, posted by the test
    client = w.app.test_client()
    from app import auth

    auth.set_password(w.site, email, PASSWORD)
    assert client.post("/sign-in", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def _player(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="player-config">(.*?)</script>', page, re.S)
    return json.loads(found.group(1))


def test_a_module_can_require_a_passed_assessment(w):
    assessment = lifecycle.insert(
        w.site.context(),
        "Assessment",
        {
            "title": "Outcome budgeting check",
            "mdo": POWER,
            "competency": BUDGET,
            "level": 3,
            "pass_mark": 100,
            "attempts_allowed": 3,
            "questions": [{"kind": "True/False", "question": "Outcomes are results.", "answer": "True"}],
            "workflow_state": "Published",
        },
    ).name
    module = published(w, "Outcome budgeting", "Lesson Text", lesson_text="...", required_assessment=assessment)
    read = read_lesson(w, module, w.me)
    assert (read["done"], read["assessment_passed"], read["complete"]) == (True, False, False)
    assert "cannot be marked complete" in w.post(w.me, "method/complete_module", {"module": module}, 400).json["message"]
    started = w.post(w.me, "method/start_assessment", {"assessment": assessment}, 201).json["data"]
    question = started["questions"][0]["id"]
    w.post(w.me, "method/submit_assessment", {"attempt": started["attempt"], "answers": {question: "True"}}, 200)
    after = state(w, module)
    assert after["complete"] and after["certificate"]  # the pass completed the module
    assert w.site.db.certificate.count_documents({"content_module": module, "officer": w.off}) == 1


def test_progress_is_only_for_officers_and_published_modules(w):
    draft = lifecycle.insert(
        w.site.context(), "Content Module", {"title": "Draft", "kind": "Lesson Text", "mdo": POWER, "lesson_text": "x"}
    ).name
    assert "not in the catalogue" in record(w, draft, {"read_to_end": True}, 404)["message"]
    assert (
        "not an officer" in w.post("admin", "method/record_progress", {"module": draft, "read_to_end": True}, 400).json["message"]
    )
    module = published(w, "A lesson", "Lesson Text", lesson_text="x")
    assert read_lesson(w, module, w.me)["complete"]
    assert state(w, module, who=w.other)["complete"] is False  # Ravi's progress is his own


def test_lesson_text_is_read_only_after_the_time_it_takes_to_read(w):
    text = " ".join(["word"] * 600)  # two minutes at 300 words a minute
    module = published(w, "Manual of Office Procedure, chapter 3", "Lesson Text", lesson_text=text)
    record(w, module, {"share": 0})
    at_once = record(w, module, {"read_to_end": True, "share": 100})
    assert not at_once["complete"] and not at_once["measure"]["read_to_end"]
    assert 100 <= at_once["measure"]["wait"] <= 121  # it says how long is left
    assert read_lesson(w, module, w.me)["complete"]
