"""Taking an assessment: an officer starts an attempt (the platform draws its questions and
keeps them, with no answer leaving the server), and submits it once, before its time runs out;
the server grades it. A pass enters the officer's passbook, verified, at the assessment's
level, which moves their gaps and plans.

Attempts are the platform's records: made and changed here only, with the platform's context,
after checking that the caller is the officer and may take the assessment. A submitted or
expired attempt never changes: the write that grades it is conditional on its being open."""

from __future__ import annotations

import datetime as dt
import random

from app.errors import DocStatusError, NotFound, ValidationError
from app.model import lifecycle
from doctypes.frac import frac
from doctypes.organisation import officers

from . import grading

PUBLISHED = "Published"
GRACE = dt.timedelta(seconds=30)  # a submission in flight when the time ran out still counts
COLLECTION = "assessment_attempt"


def _officer(ctx) -> dict:
    return officers.require_own_officer(ctx, "take assessments")


def published(ctx, name: str) -> dict:
    row = ctx.site.unguarded("assessment").find_one({"_id": name, "workflow_state": PUBLISHED})
    if row is None:
        raise NotFound(f"Assessment {name!r} is not open to take", doctype="Assessment", name=name)
    return row


def catalogue(ctx) -> list[dict]:
    """Published assessments of every MDO: what an officer may take (no questions)."""
    rows = ctx.site.unguarded("assessment").find({"workflow_state": PUBLISHED}).sort([("workflow_state", 1), ("modified", -1)])
    return [summary(r) for r in rows]


def summary(row: dict) -> dict:
    return {
        "name": row["_id"],
        "title": row.get("title"),
        "competency": row.get("competency"),
        "level": row.get("level"),
        "mdo": row.get("mdo"),
        "pass_mark": row.get("pass_mark"),
        "attempts_allowed": row.get("attempts_allowed") or 0,
        "time_limit_minutes": row.get("time_limit_minutes") or 0,
        "questions": min(row.get("draw") or len(row.get("questions") or []), len(row.get("questions") or [])),
    }


def attempts_of(ctx, officer: str, assessment: str) -> list[dict]:
    """The officer's attempts at an assessment, newest first (the caller is that officer)."""
    rows = ctx.site.unguarded(COLLECTION).find({"officer": officer, "assessment": assessment}).sort("started_at", -1)
    return [dict(r, name=r["_id"]) for r in rows]


def _expire_if_late(ctx, attempt: dict, now: dt.datetime) -> dict:
    if attempt["status"] == "In Progress" and attempt.get("deadline") and now > attempt["deadline"] + GRACE:
        ctx.site.unguarded(COLLECTION).update_one(
            {"_id": attempt["_id"], "status": "In Progress"}, {"$set": {"status": "Expired", "passed": False, "modified": now}}
        )
        attempt = {**attempt, "status": "Expired", "passed": False}
    return attempt


def state(ctx, name: str) -> dict:
    """For the signed-in officer: the assessment, their attempts and whether they may start one."""
    officer = _officer(ctx)
    row = published(ctx, name)
    now = ctx.now()
    mine = [_expire_if_late(ctx, a, now) for a in attempts_of(ctx, officer["_id"], name)]
    allowed = row.get("attempts_allowed") or 0
    open_attempt = next((a for a in mine if a["status"] == "In Progress"), None)
    return {
        **summary(row),
        "attempts": [_public_attempt(a) for a in mine],
        "open_attempt": open_attempt["_id"] if open_attempt else None,
        "passed": any(a.get("passed") for a in mine),
        "may_start": open_attempt is None and (not allowed or len(mine) < allowed),
        "attempts_left": None if not allowed else max(allowed - len(mine), 0),
    }


def _public_attempt(a: dict) -> dict:
    return {
        k: a.get(k)
        for k in (
            "name",
            "attempt_no",
            "status",
            "started_at",
            "deadline",
            "submitted_at",
            "score",
            "max_score",
            "percent",
            "passed",
        )
    }


def start(ctx, name: str) -> dict:
    """Start an attempt (or return the one still open): its questions, without answers."""
    officer = _officer(ctx)
    row = published(ctx, name)
    now = ctx.now()
    mine = [_expire_if_late(ctx, a, now) for a in attempts_of(ctx, officer["_id"], name)]
    open_attempt = next((a for a in mine if a["status"] == "In Progress"), None)
    if open_attempt is None:
        allowed = row.get("attempts_allowed") or 0
        if allowed and len(mine) >= allowed:
            raise DocStatusError(
                f"Assessment {row.get('title')}: all {allowed} attempts are used",
                doctype="Assessment",
                name=name,
                errors={"attempts_allowed": [f"all {allowed} attempts are used."]},
            )
        questions = row.get("questions") or []
        if not questions:
            raise ValidationError(f"Assessment {row.get('title')} has no questions", doctype="Assessment", name=name)
        drawn = grading.draw(questions, int(row.get("draw") or 0), bool(row.get("shuffle")), random.SystemRandom())
        limit = int(row.get("time_limit_minutes") or 0)
        record = lifecycle.insert(
            ctx.as_system(),
            "Assessment Attempt",
            {
                "assessment": name,
                "assessment_title": row.get("title"),
                "officer": officer["_id"],
                "officer_name": officer.get("full_name"),
                "officer_email": ctx.user,
                "mdo": ctx.site.unguarded("officer").find_one({"_id": officer["_id"]}, {"mdo": 1}).get("mdo"),
                "attempt_no": len(mine) + 1,
                "status": "In Progress",
                "started_at": now,
                "deadline": now + dt.timedelta(minutes=limit) if limit else None,
                "drawn": drawn,
                "answers": {},
            },
        )
        open_attempt = ctx.site.unguarded(COLLECTION).find_one({"_id": record.name})
    return _for_taking(row, open_attempt)


def _for_taking(row: dict, attempt: dict) -> dict:
    return {
        "attempt": attempt["_id"],
        "assessment": row["_id"],
        "title": row.get("title"),
        "attempt_no": attempt.get("attempt_no"),
        "deadline": attempt.get("deadline"),
        "questions": grading.shown(row.get("questions") or [], attempt.get("drawn") or []),
    }


def taking(ctx, attempt_name: str) -> dict:
    """An open attempt of the caller's, to show again (after a reload)."""
    attempt = _own(ctx, attempt_name)
    attempt = _expire_if_late(ctx, attempt, ctx.now())
    if attempt["status"] != "In Progress":
        raise DocStatusError(
            f"Attempt {attempt_name} is {attempt['status'].lower()}", doctype="Assessment Attempt", name=attempt_name
        )
    return _for_taking(
        ctx.site.unguarded("assessment").find_one({"_id": attempt["assessment"]}) or {"_id": attempt["assessment"]}, attempt
    )


def _own(ctx, attempt_name: str) -> dict:
    officer = _officer(ctx)
    attempt = ctx.site.unguarded(COLLECTION).find_one({"_id": str(attempt_name or "")})
    if attempt is None or attempt.get("officer") != officer["_id"]:
        raise NotFound(f"Assessment Attempt {attempt_name!r} not found", doctype="Assessment Attempt", name=str(attempt_name))
    return attempt


def submit(ctx, attempt_name: str, answers) -> dict:
    """Grade the caller's open attempt once; a pass enters their passbook."""
    if not isinstance(answers, dict) or not all(isinstance(k, str) for k in answers):
        raise ValidationError(
            'send {"attempt": ..., "answers": {question id: answer}}', errors={"answers": ["an object of answers by question id"]}
        )
    attempt = _own(ctx, attempt_name)
    now = ctx.now()
    attempt = _expire_if_late(ctx, attempt, now)
    if attempt["status"] == "Expired":
        raise DocStatusError(
            f"Attempt {attempt_name}: the time ran out at {attempt['deadline']:%H:%M} UTC, so it was not graded",
            doctype="Assessment Attempt",
            name=attempt_name,
        )
    if attempt["status"] != "In Progress":
        raise DocStatusError(
            f"Attempt {attempt_name} was already submitted; it cannot change", doctype="Assessment Attempt", name=attempt_name
        )
    row = ctx.site.unguarded("assessment").find_one({"_id": attempt["assessment"]}) or {}
    questions = row.get("questions") or []
    drawn = attempt.get("drawn") or []
    asked = {str(d["q"]) for d in drawn}
    kept = {k: v for k, v in answers.items() if k in asked and isinstance(v, (str, int, float, list))}
    result = grading.grade(questions, drawn, kept)
    passed = result["percent"] >= float(row.get("pass_mark") or 50)
    # A pass marks its follow-up due in the write that grades it (``record_pass``), so that
    # a crash before its end leaves the mark, and recovery finishes it.
    due = {lifecycle.PENDING: ["on_pass"]} if passed else {}
    done = ctx.site.unguarded(COLLECTION).update_one(
        {"_id": attempt["_id"], "status": "In Progress"},
        {
            "$set": {
                "status": "Submitted",
                "submitted_at": now,
                "answers": kept,
                "score": result["score"],
                "max_score": result["max_score"],
                "percent": result["percent"],
                "passed": passed,
                "modified": now,
                **due,
            }
        },
    )
    if not done.modified_count:  # submitted at the same moment by another request
        raise DocStatusError(
            f"Attempt {attempt_name} was already submitted; it cannot change", doctype="Assessment Attempt", name=attempt_name
        )
    entry = None
    if passed:
        lifecycle.run_pending(ctx.as_system(), ctx.registry.get("Assessment Attempt"), attempt["_id"])
        entry = ctx.site.unguarded(COLLECTION).find_one({"_id": attempt["_id"]}, {"passbook_entry": 1}).get("passbook_entry")
    out = {
        "attempt": attempt["_id"],
        "assessment": row.get("_id"),
        "title": row.get("title"),
        "score": result["score"],
        "max_score": result["max_score"],
        "percent": result["percent"],
        "pass_mark": row.get("pass_mark"),
        "passed": passed,
        "passbook_entry": entry,
    }
    if row.get("show_feedback"):
        shown = {q["id"]: q for q in grading.shown(questions, drawn)}
        out["feedback"] = [
            {**shown[r["id"]], "correct": r["correct"], "right_answer": r["answer"], "your_answer": kept.get(r["id"])}
            for r in result["results"]
        ]
    return out


def record_pass(doc) -> None:
    """A passed attempt's follow-up (``AssessmentAttempt.on_pass``): its Verified passbook
    entry, once (keyed by officer, assessment and competency), named on the attempt that made
    it. Run again after a crash: the entry a cut-off run made is found and named, not made
    twice; one an earlier attempt's pass made stays that attempt's."""
    ctx, data = doc.ctx, doc.as_dict()
    if not data.get("passed"):
        return
    row = ctx.site.unguarded("assessment").find_one({"_id": data["assessment"]}) or {"_id": data["assessment"]}
    officer, competency = data["officer"], row.get("competency")
    entry = frac.record_assessment_pass(
        ctx,
        officer,
        row["_id"],
        row.get("title") or data.get("assessment_title"),
        competency,
        int(row.get("level") or 1),
        data.get("percent"),
        (data.get("submitted_at") or ctx.now()).date().isoformat(),
    )
    attempts = ctx.site.unguarded(COLLECTION)
    if entry is None and not data.get("passbook_entry"):
        found = ctx.site.unguarded("passbook_entry").find_one({"issue_key": frac.assessment_key(officer, row["_id"], competency)})
        if found and attempts.find_one({"passbook_entry": found["_id"]}, {"_id": 1}) is None:
            entry = found["_id"]  # made by this attempt's run that a crash cut off
    if entry:
        attempts.update_one({"_id": doc.name}, {"$set": {"passbook_entry": entry}})
