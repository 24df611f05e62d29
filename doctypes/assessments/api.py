"""The Assessments module's API: what the signed-in officer may take, starting an attempt (its
questions, never their answers), and submitting it to be graded."""

from __future__ import annotations

from app.model.schemas import dump_value

from . import attempts


def assessments(call):
    return {"data": dump_value(attempts.catalogue(call.ctx))}


def assessment(call):
    return {"data": dump_value(attempts.state(call.ctx, call.arg("name") or ""))}


def start_assessment(call):
    return {"data": dump_value(attempts.start(call.ctx, str(call.body.get("assessment") or "")))}, 201


def submit_assessment(call):
    body = call.body
    return {"data": dump_value(attempts.submit(call.ctx, str(body.get("attempt") or ""), body.get("answers")))}
