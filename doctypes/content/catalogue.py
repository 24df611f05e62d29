"""The learning catalogue: published content modules of every MDO, for every signed-in
user, and what a learner may do with one (open it, launch its SCORM package, complete it).

Drafts, modules in review, retired and superseded ones never appear: the catalogue is the
Published state. Records are read with the platform's access (modules are tenant records
of their providing MDO) and only public fields leave here.
"""

from __future__ import annotations

import re

from app.errors import NotFound

PUBLISHED = "Published"
FIELDS = (
    "title",
    "kind",
    "language",
    "duration_minutes",
    "course",
    "credit_points",
    "competencies",
    "mdo",
    "url",
    "attachment",
    "lesson_text",
    "package_version",
    "launch_file",
    "required_assessment",
    "version",
    "modified",
)


def modules(
    ctx,
    *,
    search: str | None = None,
    kind: str | None = None,
    competency: str | None = None,
    language: str | None = None,
    limit: int = 100,
) -> list[dict]:
    q: dict = {"workflow_state": PUBLISHED}
    if competency:
        q["competencies.competency"] = competency
    if kind:
        q["kind"] = kind
    if language:
        q["language"] = language
    if search:
        q["title"] = {"$regex": re.escape(search.strip()), "$options": "i"}
    rows = (
        ctx.site.unguarded("content_module")
        .find(q, {f: 1 for f in FIELDS})
        .sort([("workflow_state", 1), ("modified", -1)])
        .limit(limit)
    )
    return [public(r) for r in rows]


def public(row: dict) -> dict:
    out = {"name": row["_id"], **{f: row.get(f) for f in FIELDS if f not in ("lesson_text",)}}
    out["competencies"] = [{"competency": c.get("competency"), "level": c.get("level")} for c in row.get("competencies") or []]
    return out


def module(ctx, name: str) -> dict:
    """A published module, with its lesson text; NotFound if it is not in the catalogue."""
    row = ctx.site.unguarded("content_module").find_one({"_id": name, "workflow_state": PUBLISHED})
    if row is None:
        raise NotFound(f"Content Module {name!r} is not in the catalogue", doctype="Content Module", name=name)
    return {**public(row), "lesson_text": row.get("lesson_text")}


def readable_module(ctx, name: str) -> dict:
    """The module if it is published, or if the caller may read it (its reviewers preview
    drafts); NotFound otherwise."""
    row = ctx.site.unguarded("content_module").find_one({"_id": name})
    if row is not None and row.get("workflow_state") == PUBLISHED:
        return row
    from app.model import lifecycle

    lifecycle.get(ctx, "Content Module", name)  # NotFound outside the caller's view
    return row


def published_file(ctx, name: str, field: str, file_id: str) -> bool:
    """Every signed-in user reads the file of a module in the catalogue."""
    row = ctx.site.unguarded("content_module").find_one({"_id": name, "workflow_state": PUBLISHED}, {field: 1})
    return row is not None and field == "attachment" and str(row.get(field) or "") == file_id


def package_file(ctx, name: str, path: str) -> tuple[bytes, str]:
    """One file of a module's SCORM package, read from the zip in GridFS (nothing is
    unpacked to disk); (content, content type)."""
    return package_data(ctx.site, readable_module(ctx, name), path)


def package_data(site, row: dict, path: str) -> tuple[bytes, str]:
    """One file of the package of module ``row`` (already found readable); NotFound if the
    package has no such file."""
    found = package_path(site, row, path)
    return found.read_bytes(), content_type(path)


def content_type(path: str) -> str:
    import mimetypes

    return mimetypes.guess_type(path)[0] or "application/octet-stream"


def package_path(site, row: dict, path: str):
    """Where one file of the package of module ``row`` (already found readable) lies in the
    package's extracted copy (``packages.extracted``); NotFound if the package has no such file."""
    from doctypes.content import packages, scorm

    name = row["_id"]
    if row.get("kind") != "SCORM Package" or not row.get("attachment"):
        raise NotFound(f"Content Module {name!r} has no SCORM package", doctype="Content Module", name=name)
    if scorm.unsafe_entry(path):
        raise NotFound(f"{path!r} is not in the package")
    found = packages.extracted(site, row["attachment"]).get(scorm.entry_path(path))
    if found is None:
        raise NotFound(f"{path!r} is not in the package of {name}")
    return found
