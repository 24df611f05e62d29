"""Assessments: graded on the server, answers never sent before submission, a submitted attempt
never changes, limits on attempts and time held by the server, and a pass that enters the
passbook, verified, and closes the gap."""

import json

import pytest

from app.model import lifecycle
from doctypes.assessments import grading

from . import frac_world
from .conftest import token_client

POWER, BUDGET = frac_world.POWER, frac_world.BUDGET
QUESTIONS = [
    {
        "section": "The budget",
        "kind": "Single choice",
        "question": "Which act authorises withdrawals from the Consolidated Fund?",
        "options": "Finance Act\nAppropriation Act\nCompanies Act",
        "answer": "Appropriation Act",
    },
    {
        "section": "The budget",
        "kind": "True/False",
        "question": "Revised estimates come before budget estimates.",
        "answer": "False",
    },
    {
        "section": "Numbers",
        "kind": "Number",
        "question": "Plan outlay in crore, to the nearest ten?",
        "answer": "1250",
        "tolerance": 10,
    },
    {
        "section": "Numbers",
        "kind": "Multiple choice",
        "question": "Which are kinds of expenditure?",
        "options": "Voted\nCharged\nImagined",
        "answer": "Voted\nCharged",
    },
    {
        "section": "Numbers",
        "kind": "Short text",
        "question": "Who lays the Annual Financial Statement?",
        "answer": "ZEBRA-MINISTER\nThe Zebra-Minister",
        "marks": 2,
    },
]
RIGHT = {"0": "Appropriation Act", "1": "False", "2": "1243", "3": ["Charged", "Voted"], "4": "the zebra-minister"}


@pytest.mark.parametrize(
    "index, given, right",
    [
        (0, "appropriation act", True),
        (0, "Finance Act", False),
        (1, "false", True),
        (1, "True", False),
        (2, "1,259", True),
        (2, "1261", False),
        (2, "twelve", False),
        (3, ["Voted", "Charged"], True),
        (3, ["Voted"], False),
        (3, ["Voted", "Charged", "Imagined"], False),
        (4, "  The   Zebra-Minister ", True),
        (4, "the finance minister", False),
        (4, None, False),
        (0, ["Appropriation Act"], False),
    ],
)
def test_each_kind_of_question_is_graded(index, given, right):
    assert grading.correct(QUESTIONS[index], given) is right


def test_a_question_that_cannot_be_answered_as_written_is_refused(mock_site):
    w = frac_world.build(mock_site)
    bad = dict(QUESTIONS[0], answer="Income Tax Act")
    r = w.post(
        "content",
        "resource/Assessment",
        {"title": "T", "mdo": POWER, "competency": BUDGET, "level": 2, "pass_mark": 50, "questions": [bad]},
        400,
    )
    assert "question 1: the correct answer 'Income Tax Act' is not one of the options." in str(r.json["errors"]["questions"])
    r = w.post(
        "content",
        "resource/Assessment",
        {"title": "T", "mdo": POWER, "competency": BUDGET, "level": 2, "pass_mark": 50, "draw": 3, "questions": [QUESTIONS[0]]},
        400,
    )
    assert "draws 3 questions, but the bank has 1." in str(r.json["errors"]["draw"])


@pytest.fixture
def world(mock_site):
    """Asha, whose role needs budgeting at 3, and a published assessment of it at level 3
    (pass mark 70%, two attempts)."""
    w = frac_world.build(mock_site)
    position = w.position()
    w.verify_map(w.role_map(position, [w.role("Budget officer", {BUDGET: 3})]))
    w.officer("asha@power.gov.in", position=position, name="Asha Rao")
    w.officer("ravi@power.gov.in", position=position, name="Ravi Kumar")
    for email in ("asha@power.gov.in", "ravi@power.gov.in"):
        w.c[email] = token_client(mock_site, email, app=w.app)
    w.assessment = lifecycle.insert(
        mock_site.context(),
        "Assessment",
        {
            "title": "Budgeting at level 3",
            "mdo": POWER,
            "competency": BUDGET,
            "level": 3,
            "pass_mark": 70,
            "attempts_allowed": 2,
            "shuffle": 1,
            "show_feedback": 1,
            "questions": QUESTIONS,
            "workflow_state": "Published",
        },
    ).name
    return w


def _start(w, who="asha@power.gov.in"):
    return w.post(who, "method/start_assessment", {"assessment": w.assessment}, 201).json["data"]


def test_the_questions_reach_the_officer_without_their_answers(world):
    started = _start(world)
    assert sorted(q["id"] for q in started["questions"]) == ["0", "1", "2", "3", "4"]
    sections = [q["section"] for q in started["questions"]]
    assert sections == sorted(sections, key=lambda s: s != "The budget")  # sections stay together
    sent = str(started)
    assert "ZEBRA" not in sent.upper() and "1250" not in sent and "answer" not in sent and "tolerance" not in sent
    assert world.get("asha@power.gov.in", f"resource/Assessment/{world.assessment}").status_code == 403
    attempt = world.get("asha@power.gov.in", f"resource/Assessment Attempt/{started['attempt']}", 200).json["data"]
    assert "drawn" not in attempt and "answers" not in attempt  # the platform's own, level 1
    assert _start(world)["attempt"] == started["attempt"]  # the open attempt is resumed, not a second one


def test_a_fail_then_a_pass_enters_the_passbook_verified_and_closes_the_gap(world):
    site = world.site
    asha = site.db.officer.find_one({"email": "asha@power.gov.in"})["_id"]
    first = _start(world)
    failed = world.post(
        "asha@power.gov.in", "method/submit_assessment", {"attempt": first["attempt"], "answers": {"0": "Finance Act"}}, 200
    ).json["data"]
    assert failed["passed"] is False and failed["score"] == 0 and failed["max_score"] == 6
    assert failed["feedback"][0]["right_answer"]  # shown after submission, as the assessment allows
    again = world.post("asha@power.gov.in", "method/submit_assessment", {"attempt": first["attempt"], "answers": RIGHT}, 409)
    assert "cannot change" in again.json["message"]
    stored = site.db.assessment_attempt.find_one({"_id": first["attempt"]})
    assert stored["status"] == "Submitted" and stored["score"] == 0
    assert site.db.officer_gap.find_one({"officer": asha, "competency": BUDGET})["gap"] == 3

    second = _start(world)
    passed = world.post(
        "asha@power.gov.in", "method/submit_assessment", {"attempt": second["attempt"], "answers": RIGHT}, 200
    ).json["data"]
    assert passed["passed"] is True and passed["percent"] == 100.0
    entry = site.db.passbook_entry.find_one({"_id": passed["passbook_entry"]})
    assert (entry["source"], entry["level"], entry["workflow_state"], entry["officer"]) == ("Assessment", 3, "Verified", asha)
    assert site.db.officer_gap.find_one({"officer": asha, "competency": BUDGET})["gap"] == 0
    refused = world.post("asha@power.gov.in", "method/start_assessment", {"assessment": world.assessment}, 409)
    assert "all 2 attempts are used" in refused.json["message"]


def test_nobody_submits_or_reads_another_officers_attempt(world):
    started = _start(world)
    r = world.post("ravi@power.gov.in", "method/submit_assessment", {"attempt": started["attempt"], "answers": RIGHT}, 404)
    assert r.json["error"] == "NotFound"
    assert world.get("ravi@power.gov.in", f"resource/Assessment Attempt/{started['attempt']}").status_code == 404
    assert world.site.db.assessment_attempt.find_one({"_id": started["attempt"]})["status"] == "In Progress"
    assert (
        "only officers take assessments"
        in world.post("admin", "method/start_assessment", {"assessment": world.assessment}, 400).json["message"]
    )


def test_the_time_limit_is_the_servers(world):
    import datetime as dt

    world.site.db.assessment.update_one({"_id": world.assessment}, {"$set": {"time_limit_minutes": 20}})
    started = _start(world)
    deadline = world.site.db.assessment_attempt.find_one({"_id": started["attempt"]})["deadline"]
    assert started["deadline"] and deadline - dt.datetime.now(dt.UTC).replace(tzinfo=None) <= dt.timedelta(minutes=20)
    world.site.db.assessment_attempt.update_one(
        {"_id": started["attempt"]}, {"$set": {"deadline": deadline - dt.timedelta(hours=1)}}
    )
    late = world.post("asha@power.gov.in", "method/submit_assessment", {"attempt": started["attempt"], "answers": RIGHT}, 409)
    assert "the time ran out" in late.json["message"]
    stored = world.site.db.assessment_attempt.find_one({"_id": started["attempt"]})
    assert stored["status"] == "Expired" and not stored.get("passed")
    assert world.site.db.passbook_entry.count_documents({"source": "Assessment"}) == 0


def test_bad_submissions_get_a_clear_4xx(world):
    started = _start(world)
    for body in ({"attempt": started["attempt"], "answers": "all of them"}, {"attempt": started["attempt"], "answers": [1, 2]}):
        r = world.post("asha@power.gov.in", "method/submit_assessment", body, 400)
        assert "answers" in r.json["errors"]
    world.post("asha@power.gov.in", "method/submit_assessment", {"attempt": "nope", "answers": {}}, 404)
    world.post("asha@power.gov.in", "method/start_assessment", {"assessment": "ASMT-NOPE"}, 404)


def test_the_answers_are_read_only_by_who_writes_reviews_and_publishes(world):
    site = world.site
    asmt = world.get("content", f"resource/Assessment/{world.assessment}", 200).json["data"]
    assert asmt["questions"][0]["answer"] == "Appropriation Act"
    seen = world.get("analyst", f"resource/Assessment/{world.assessment}", 200).json["data"]
    assert all("answer" not in q and "tolerance" not in q for q in seen["questions"])
    from app import analysts

    view = analysts.AnalystDatabase(site.db, site.registry)
    row = next(iter(view["analyst_assessment"].find()))
    assert row["title"] == "Budgeting at level 3" and all("answer" not in q for q in row["questions"])


def test_an_edit_of_the_answers_stays_out_of_the_history_that_others_read(world):
    questions = [dict(q) for q in world.get("content", f"resource/Assessment/{world.assessment}").json["data"]["questions"]]
    world.site.db.assessment.update_one({"_id": world.assessment}, {"$set": {"workflow_state": "Draft"}})
    questions[4]["answer"] = "OKAPI-SECRETARY"
    world.put("content", f"resource/Assessment/{world.assessment}", {"questions": questions}, 200)
    filters = json.dumps({"docname": world.assessment})
    for who in ("analyst", "admin"):  # the MDO Admin reads the answers; the Analyst does not
        history = str(world.get(who, "resource/Version", 200, filters=filters).json["data"])
        assert ("OKAPI" in history) is (who == "admin"), who


def test_my_learning_offers_the_assessment_of_a_gap(world):
    import re

    from app import auth

    from .conftest import PASSWORD

    auth.set_password(world.site, "asha@power.gov.in", PASSWORD)
    world.app.config["WTF_CSRF_ENABLED"] = False
    client = world.app.test_client()
    client.post("/sign-in", data={"email": "asha@power.gov.in", "password": PASSWORD})
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get("/learning").get_data(as_text=True)))
    assert "Show it in an assessment: Budgeting at level 3 (level 3)" in page
