"""Checks on a whole record, after its values were coerced by ``app/schemas.py``:
required fields, Link targets, unique fields and attachments, including inside child rows.
Each check returns ``{field: [message]}`` (child rows nested by row number), so every problem
of a record is reported at once."""
from __future__ import annotations

from app import schemas

REQUIRED = "Missing data for required field."


def coerce(ctx, meta, data: dict) -> tuple[dict, dict]:
    return schemas.load(ctx.site.schema(meta), meta, ctx.registry, data)


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def check_required(meta, doc: dict) -> dict:
    return {f.fieldname: [REQUIRED] for f in meta.all_fields if f.reqd and _empty(doc.get(f.fieldname))}


def check_links(ctx, meta, doc: dict, old: dict | None = None) -> dict:
    """Every Link value must name a record the caller could link to: one that exists and,
    for tenant doctypes, belongs to the caller's MDOs (a record outside them reads as
    missing). On a save, only values that changed are checked."""
    errors: dict = {}
    wanted: dict[str, set] = {}
    unchanged = {(f.options, v) for f, v, _ in _link_values(ctx, meta, old)} if old else set()
    for f, value, _ in _link_values(ctx, meta, doc):
        if (f.options, value) not in unchanged:
            wanted.setdefault(f.options, set()).add(value)
    missing: dict[str, set] = {}
    for target, names in wanted.items():
        cache = ctx.link_cache
        unknown = {n for n in names if cache is None or (target, n) not in cache}
        if not unknown:
            continue
        query = {"_id": {"$in": list(unknown)}}
        scope = ctx.access.link_filter(ctx.registry.get(target))
        found = {d["_id"] for d in ctx.site.collection(target).find({"$and": [query, scope]} if scope else query, {"_id": 1})}
        if cache is not None:
            cache.update((target, n) for n in found)
        missing[target] = unknown - found
    for f, value, row in _link_values(ctx, meta, doc):
        if value in missing.get(f.options, ()):
            msg = f"{f.options} {value!r} does not exist."
            _add(errors, f.fieldname, msg, row)
    return errors


def _link_values(ctx, meta, doc):
    """(field, value, (table, row number) or None) for every Link value, child rows too."""
    for f in meta.all_fields:
        value = doc.get(f.fieldname)
        if f.fieldtype == "Link" and not _empty(value):
            yield f, value, None
        elif f.fieldtype == "Table":
            child = ctx.registry.get(f.options)
            for row in value or []:
                for cf in child.link_fields:
                    if not _empty(row.get(cf.fieldname)):
                        yield cf, row[cf.fieldname], (f.fieldname, row.get("idx"))


def _add(errors, fieldname, msg, row=None):
    if row is None:
        errors.setdefault(fieldname, []).append(msg)
    else:
        table, idx = row
        errors.setdefault(table, {}).setdefault(str(idx), {}).setdefault(fieldname, []).append(msg)


def check_unique(ctx, meta, doc: dict) -> dict:
    errors = {}
    coll = ctx.site.collection(meta.name)
    for f in meta.all_fields:
        value = doc.get(f.fieldname)
        if f.unique and not _empty(value):
            other = coll.find_one({f.fieldname: value, "_id": {"$ne": doc.get("name")}}, {"_id": 1})
            if other is not None:  # the other record may be outside the caller's view: not named
                errors[f.fieldname] = [f"must be unique: another {meta.name} already has {value!r}."]
    return errors


def check_attachments(ctx, meta, doc: dict) -> dict:
    errors = {}
    for f in meta.all_fields:
        value = doc.get(f.fieldname)
        if f.fieldtype == "Attach" and not _empty(value):
            from bson import ObjectId
            from bson.errors import InvalidId

            try:
                exists = ctx.site.store.files.exists(ObjectId(value))
            except InvalidId:
                exists = False
            if not exists:
                errors[f.fieldname] = [f"file {value!r} does not exist; upload it first (POST /api/file)."]
    return errors


def merge(*error_dicts: dict) -> dict:
    out: dict = {}
    for errors in error_dicts:
        for key, value in errors.items():
            if isinstance(value, dict):
                target = out.setdefault(key, {})
                for row, row_errors in value.items():
                    for field, msgs in row_errors.items():
                        target.setdefault(row, {}).setdefault(field, []).extend(msgs)
            else:
                out.setdefault(key, []).extend(value)
    return out
