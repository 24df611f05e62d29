"""Who may read a stored file: the access layer asked what reading its owner asks (the record
and field it is attached to, the job that made it, or its uploader; ``app.files`` keeps that
on the file). Anything else is NotFound, as if the file did not exist."""

from __future__ import annotations

from app import files
from app.errors import NotFound


def _holds(record: dict, field: str, file_id: str) -> bool:
    return str(record.get(field) or "") == file_id


def may_read(ctx, stored: dict) -> bool:
    """Whether the caller may read the stored file ``stored`` (its ``fs.files`` record)."""
    from app.errors import IgotError
    from app.model import customize, persistence

    if ctx.is_system:
        return True
    meta = stored.get("metadata") or {}
    file_id = str(stored["_id"])
    if meta.get("owner") == ctx.user:
        return True
    for claim in meta.get("attached") or []:
        doctype, name, field = claim.get("doctype"), claim.get("name"), claim.get("field")
        if doctype not in ctx.registry.names:
            continue
        meta_ = ctx.registry.get(doctype)
        try:
            record = persistence.read_as(ctx, meta_, name)
        except IgotError:
            record = None
        if record is not None:
            shown = customize.present(ctx, meta_, record)
            if field in shown and _holds(shown, field, file_id):
                return True
        reader = ctx.site.modules.file_reader(doctype)
        if reader is not None and reader(ctx, name, field, file_id):
            return True
    if meta.get("job"):
        try:
            persistence.read_as(ctx, ctx.registry.get("Background Job"), meta["job"])
            return True
        except IgotError:
            pass
    return False


def open_for(ctx, file_id):
    """The stored file (a GridFS file to read) if the caller may read it; NotFound otherwise,
    whether or not it exists."""
    from gridfs.errors import NoFile

    oid = files.parse_id(file_id)
    stored = ctx.site.db["fs.files"].find_one({"_id": oid}) if oid is not None else None
    if stored is None or not may_read(ctx, stored):
        raise NotFound(f"file {file_id!r} not found")
    try:
        return ctx.site.store.files.get(oid)
    except NoFile:
        raise NotFound(f"file {file_id!r} not found") from None


def may_attach(ctx, file_id) -> bool:
    """Whether the caller may put an existing file into a record: one they uploaded, or one
    they may already read (a new version of a record carries its files over)."""
    oid = files.parse_id(file_id)
    stored = ctx.site.db["fs.files"].find_one({"_id": oid}) if oid is not None else None
    return stored is not None and may_read(ctx, stored)
