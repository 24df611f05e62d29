"""Assessments: graded tests of a competency at a level, written, reviewed and published like
content; officers take them in attempts graded on the server, and a pass enters their
passbook, verified by the platform."""

from __future__ import annotations

from app.registry import ApiMethod, Module, Param

from . import api

TAG = "Assessments"
_S = {"type": "string"}

MODULE = Module(
    name="Assessments",
    after=("Organisation", "FRAC and Competencies"),
    methods=(
        ApiMethod("assessments", api.assessments, "Published assessments an officer may take", tag=TAG),
        ApiMethod(
            "assessment",
            api.assessment,
            "An assessment, with the signed-in officer's attempts and whether they may start one",
            tag=TAG,
            params=(Param("name", required=True),),
        ),
        ApiMethod(
            "start_assessment",
            api.start_assessment,
            "Start an attempt (or return the one still open): its questions, without answers",
            "POST",
            body={"required": True, "schema": {"type": "object", "required": ["assessment"], "properties": {"assessment": _S}}},
            status=201,
            tag=TAG,
        ),
        ApiMethod(
            "submit_assessment",
            api.submit_assessment,
            "Submit an open attempt once, graded on the server",
            "POST",
            body={
                "required": True,
                "schema": {
                    "type": "object",
                    "required": ["attempt", "answers"],
                    "properties": {"attempt": _S, "answers": {"type": "object"}},
                },
            },
            tag=TAG,
        ),
    ),
)
