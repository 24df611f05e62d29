"""Content: learning modules (video, PDF, SCORM package, link, lesson text) from draft to
published through review and the quality rubric, their SCORM packages checked and served,
and the catalogue every signed-in user reads."""

from __future__ import annotations

from app.registry import ApiMethod, Attention, DocEvent, FileKind, Module, Page, Param, Related, Route, SetupStep

from . import api, catalogue, progress, related, scorm
from .catalogue_page import CatalogueView

_S = {"type": "string"}

MODULE = Module(
    name="Content",
    after=("Organisation", "FRAC and Competencies", "Learning", "Assessments"),
    methods=(
        ApiMethod(
            "catalogue",
            api.catalogue_method,
            "Published content modules of every MDO",
            tag="Learning",
            params=tuple(Param(p) for p in ("search", "kind", "competency", "language")),
        ),
        ApiMethod(
            "module_progress",
            api.module_progress,
            "The signed-in officer's progress in a module: its parts, what remains, the certificate once complete",
            tag="Learning",
            params=(Param("module", required=True),),
        ),
        ApiMethod(
            "record_progress",
            api.record_progress,
            "What the player measured in a video (stretches watched), a PDF (pages shown) or lesson text (its end reached)",
            "POST",
            tag="Learning",
            body={
                "required": True,
                "schema": {
                    "type": "object",
                    "required": ["module"],
                    "properties": {
                        "module": _S,
                        "duration": {"type": "number"},
                        "position": {"type": "number"},
                        "watched": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}},
                        "pages": {"type": "integer"},
                        "page": {"type": "integer"},
                        "seen": {"type": "array", "items": {"type": "integer"}},
                        "share": {"type": "number"},
                        "read_to_end": {"type": "boolean"},
                    },
                },
            },
        ),
        ApiMethod(
            "module_heartbeat",
            api.module_heartbeat,
            "The module is open and in view in the signed-in officer's player (every 15 seconds): the server adds "
            "the time since the last heartbeat, at most 20 seconds, to the time on content",
            "POST",
            tag="Learning",
            body={"required": True, "schema": {"type": "object", "required": ["module"], "properties": {"module": _S}}},
        ),
        ApiMethod(
            "scorm_commit",
            api.scorm_commit,
            "A SCORM package's run-time data (CMI), committed for the signed-in officer's attempt",
            "POST",
            tag="Learning",
            body={
                "required": True,
                "schema": {
                    "type": "object",
                    "required": ["attempt", "cmi"],
                    "properties": {"attempt": _S, "cmi": {"type": "object"}},
                },
            },
        ),
        ApiMethod(
            "complete_module",
            api.complete_module,
            "The signed-in officer reports completing a module the platform cannot measure (an external link)",
            "POST",
            tag="Learning",
            status=201,
            body={"required": True, "schema": {"type": "object", "required": ["module"], "properties": {"module": _S}}},
        ),
    ),
    routes=(
        Route(
            "/api/content/<path:name>/package/<path:path>",
            api.package_file,
            "A file of a module's SCORM package, sandboxed",
            tag="Learning",
            params=(Param("name", where="path", required=True), Param("path", where="path", required=True)),
        ),
        Route(
            "/scorm/<token>/",
            api.scorm_launcher,
            "The launcher of a learner's attempt at a SCORM package (the run-time, framing the package), by its signed address",
            public=True,
            content=True,
            tag="Learning",
            params=(Param("token", where="path", required=True),),
        ),
        Route(
            "/scorm/<token>/<path:path>",
            api.scorm_file,
            "A file of a SCORM package by the signed address of a learner's attempt",
            public=True,
            content=True,
            tag="Learning",
            params=(Param("token", where="path", required=True), Param("path", where="path", required=True)),
        ),
        Route(
            "/scorm-commit/<token>",
            api.scorm_commit_here,
            "The launcher's commit of a SCORM package's run-time data (CMI), by the attempt's signed address",
            methods=("POST",),
            public=True,
            content=True,
            tag="Learning",
            params=(Param("token", where="path", required=True),),
        ),
        Route(
            "/scorm-runtime/<filename>",
            api.scorm_runtime,
            "The SCORM run-time's scripts, for the launcher",
            public=True,
            content=True,
            tag="Learning",
            params=(Param("filename", where="path", required=True),),
        ),
    ),
    events=(DocEvent("Assessment Attempt", "on_pass", progress.after_assessment_pass, resumable=True),),
    pages=(Page(CatalogueView, "Catalogue", "catalogue", "catalogue", "Learning"),),
    related=(Related("Content Module", related.module_open, 10), Related("Content Module", related.module_reviews, 20)),
    attention=(
        Attention("Modules in review", "Content Module", (("workflow_state", "=", "In Review"),)),
        Attention(
            "Modules reviewed, to publish",
            "Content Module",
            (("workflow_state", "=", "Reviewed"),),
        ),
    ),
    setup_steps=(
        SetupStep(
            40,
            "Publish the first course",
            "A module goes from draft through review to the catalogue, where officers find it.",
            "Content Module",
            (("workflow_state", "=", "Published"),),
            "content_module/new/",
        ),
    ),
    file_kinds=(FileKind("scorm", "a SCORM package", "zip", scorm.inspect),),
    file_readers={"Content Module": catalogue.published_file},
)
