"""Content: learning modules (video, PDF, SCORM package, link, lesson text) from draft to
published through review and the quality rubric, their SCORM packages checked and served,
and the catalogue every signed-in user reads."""

from __future__ import annotations

from app.registry import ApiMethod, FileKind, Module, Page, Param, Route

from . import api, catalogue, scorm
from .catalogue_page import CatalogueView

MODULE = Module(
    name="Content",
    after=("Organisation", "FRAC and Competencies", "Learning"),
    methods=(
        ApiMethod(
            "catalogue",
            api.catalogue_method,
            "Published content modules of every MDO",
            tag="Learning",
            params=tuple(Param(p) for p in ("search", "kind", "competency", "language")),
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
    ),
    pages=(Page(CatalogueView, "Catalogue", "catalogue", "catalogue", "Learning"),),
    file_kinds=(FileKind("scorm", "a SCORM package", "zip", scorm.inspect),),
    file_readers={"Content Module": catalogue.published_file},
)
