"""Checks on a whole record, after its values were coerced by ``app/schemas.py``:
required fields, Link targets, unique fields and attachments, including inside child rows.
Each check returns ``{field: [message]}`` (child rows nested by row number), so every problem
of a record is reported at once."""

from __future__ import annotations

from app.model import schemas

REQUIRED = "Missing data for required field."


def coerce(ctx, meta, data: dict) -> tuple[dict, dict]:
    return schemas.load(ctx.site.schema(meta), meta, ctx.registry, data)


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


def check_required(meta, doc: dict) -> dict:
    return {f.fieldname: [REQUIRED] for f in meta.required_fields if _empty(doc.get(f.fieldname))}


def check_links(ctx, meta, doc: dict, old: dict | None = None) -> dict:
    """Every Link value must name a record the caller could link to: one that exists, meets
    the field's ``link_filters`` (a role map may require only a Verified competency) and, for
    tenant doctypes, belongs to the caller's MDOs (a record outside them reads as missing).
    On a save, only values that changed are checked."""
    errors: dict = {}
    wanted: dict[tuple, set] = {}
    unchanged = {(f.options, f.link_filters, v) for f, v, _ in _link_values(ctx, meta, old)} if old else set()
    for f, value, _ in _link_values(ctx, meta, doc):
        if (f.options, f.link_filters, value) not in unchanged:
            wanted.setdefault((f.options, f.link_filters), set()).add(value)
    missing: dict[tuple, set] = {}
    unmet: dict[tuple, set] = {}
    for (target, conditions), names in wanted.items():
        cache = ctx.link_cache
        unknown = {n for n in names if cache is None or (target, conditions, n) not in cache}
        if not unknown:
            continue
        found, meeting = _look_up(ctx, target, conditions, unknown)
        missing[(target, conditions)] = unknown - found
        unmet[(target, conditions)] = found - meeting
    if not any(missing.values()) and not any(unmet.values()):
        return errors
    for f, value, row in _link_values(ctx, meta, doc):
        key = (f.options, f.link_filters)
        if value in missing.get(key, ()):
            _add(errors, f.fieldname, f"{f.options} {value!r} does not exist.", row)
        elif value in unmet.get(key, ()):
            wants = ", ".join(f"{k} {v!r}" for k, v in f.link_filters)
            _add(errors, f.fieldname, f"{f.options} {value!r} is not usable here: it must have {wants}.", row)
    return errors


def fetch(ctx, meta, doc: dict, old: dict | None = None) -> dict:
    """Values of ``fetch_from`` fields copied from their linked records, where the link is
    set and changed (or the copy is missing). Read as the system: the link itself is checked
    against the caller's scope by ``check_links``."""
    out: dict = {}
    for f in meta.all_fields:
        if not f.fetch_from:
            continue
        link, remote = f.fetch_from.split(".")
        value = doc.get(link)
        if _empty(value):
            continue
        if old is not None and old.get(link) == value and not _empty(doc.get(f.fieldname)):
            continue
        target = ctx.registry.get(meta.get_field(link).options)
        key = "_id" if remote == "name" else remote
        cache = ctx.fetch_cache
        if cache is not None and (target.name, value, key) in cache:
            found, fetched = cache[(target.name, value, key)]
        else:
            source = ctx.site.collection(target.name).find_one({"_id": value}, {key: 1})
            found, fetched = source is not None, (source or {}).get(key)
            if cache is not None:
                cache[(target.name, value, key)] = (found, fetched)
        if found:
            out[f.fieldname] = fetched
    return out


def warm_links(ctx, meta, docs: list[dict]) -> None:
    """Before a batch (``lifecycle.insert_many``): every Link value of ``docs`` looked up
    with one query per target, so each row's ``check_links`` finds it in ``ctx.link_cache``."""
    if ctx.link_cache is None:
        return
    wanted: dict[tuple, set] = {}
    for doc in docs:
        for f, value, _ in _link_values(ctx, meta, doc):
            if isinstance(value, str) and (f.options, f.link_filters, value) not in ctx.link_cache:
                wanted.setdefault((f.options, f.link_filters), set()).add(value)
    for (target, conditions), names in wanted.items():
        _look_up(ctx, target, conditions, names)


def _look_up(ctx, target: str, conditions, names) -> tuple[set, set]:
    """(the ``names`` of ``target`` that exist in the caller's scope, those of them that meet
    ``conditions``), with one query; the usable ones go into ``ctx.link_cache``."""
    scope = ctx.access.link_filter(ctx.registry.get(target))
    query = {"_id": {"$in": sorted(names, key=str)}}
    fields = {"_id": 1, **{k: 1 for k, _ in conditions}}
    found = list(ctx.site.collection(target).find({"$and": [query, scope]} if scope else query, fields))
    meeting = {d["_id"] for d in found if all(d.get(k) == v for k, v in conditions)}
    if ctx.link_cache is not None:
        ctx.link_cache.update((target, conditions, n) for n in meeting)
    return {d["_id"] for d in found}, meeting


def unique_taken(ctx, meta, docs: list[dict]) -> dict:
    """The unique values of ``docs`` already stored, {(field, value): name}: one query per
    unique field for a batch."""
    taken: dict = {}
    coll = ctx.site.collection(meta.name)
    for f in meta.all_fields:
        if not f.unique:
            continue
        values: set = set()
        for d in docs:
            value = d.get(f.fieldname)
            if not _empty(value):  # as given, and as a controller may tidy it (an e-mail in lower case)
                values.update({value, value.strip(), value.strip().lower()} if isinstance(value, str) else {value})
        values = sorted(values, key=str)
        if values:
            for d in coll.find({f.fieldname: {"$in": values}}, {f.fieldname: 1}):
                taken[(f.fieldname, d.get(f.fieldname))] = d["_id"]
        taken[(f.fieldname, None)] = True  # this field's values are all known to the cache
    return taken


def note_unique(ctx, meta, stored: dict) -> None:
    """A record of the batch about to be written takes its unique values."""
    if ctx.unique_cache is None:
        return
    for f in meta.all_fields:
        if f.unique and not _empty(stored.get(f.fieldname)):
            ctx.unique_cache[(f.fieldname, stored.get(f.fieldname))] = stored.get("name")


def _link_values(ctx, meta, doc):
    """(field, value, (table, row number) or None) for every Link value, child rows too."""
    for f in meta.link_and_table_fields:
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
    for f in meta.unique_fields:
        value = doc.get(f.fieldname)
        if not _empty(value):
            cache = ctx.unique_cache
            if cache is not None and (f.fieldname, None) in cache:  # read for the batch, with its earlier rows
                holder = cache.get((f.fieldname, value))
                other = None if holder is None or holder == doc.get("name") else holder
            else:
                other = coll.find_one({f.fieldname: value, "_id": {"$ne": doc.get("name")}}, {"_id": 1})
            if other is not None:  # the other record may be outside the caller's view: not named
                errors[f.fieldname] = [f"must be unique: another {meta.name} already has {value!r}."]
    return errors


def check_attachments(ctx, meta, doc: dict, old: dict | None = None) -> dict:
    """Each file newly put in an Attach field exists and the caller may use it (their own
    upload, or a file they may read); each file is of a kind the field accepts."""
    if not meta.attach_fields:
        return {}
    from app import files
    from app.model import attachments

    errors = {}
    for f in meta.attach_fields:
        value = doc.get(f.fieldname)
        if not _empty(value):
            unchanged = old is not None and old.get(f.fieldname) == value
            if not unchanged and not attachments.may_attach(ctx, value):
                # the same answer for a file that exists but is someone else's
                errors[f.fieldname] = [f"file {value!r} does not exist; upload it first (POST /api/file)."]
                continue

            wanted = files.accepted(f, doc)
            stored = files.info(ctx.site, value) or {}
            kind = (stored.get("metadata") or {}).get("kind")
            if wanted and kind not in wanted:
                words = files.kinds(ctx.site)
                errors[f.fieldname] = [
                    f"{stored.get('filename')} is {words.get(kind, kind or 'of an unknown kind')}; "
                    f"{files.describe_accept(wanted, ctx.site)} is needed here."
                ]
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
