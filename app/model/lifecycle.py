"""The document lifecycle: new, insert, save, submit, cancel, amend, delete.

Each operation reads top to bottom: ask access, build the new state, validate it, run the
controller's hooks (order in ``app/document.py``), write it in one atomic operation, record
the version. Nothing is written until every check has passed, so a refused record leaves the
database as it was.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from app import files, heap
from app.errors import DocStatusError, DuplicateEntry, IgotError, StaleDocument, ValidationError
from app.meta import STANDARD_FIELDS
from app.model import audit, customize, naming, persistence, schemas, validation, workflow
from app.model.document import DocStatus, Document

SYSTEM_SET = set(STANDARD_FIELDS) | {"amended_from"}
# Kept on a stored record while its after-write hooks that the controller declares
# ``resumable`` have not all run: a crash between the write and the end of those hooks
# leaves the marker, and ``resume_pending`` runs them again (they are written to be run twice).
# A write may also mark follow-up work of its own due (``move(..., due=...)``, or a module's
# conditional update that names it here): a named hook of the controller, such as a
# completion's certificate and passbook entries, kept here in the same write that decided
# it, so the work is finished after any crash between that write and its end.
PENDING = "_pending_hooks"
# A batch of ``insert_many`` is noted here, by its records' names, instead of marking each
# record: one write before the batch is written and one delete once its follow-up is done. A
# note left behind by a crash is completed like a marker (``resume_pending``).
BATCHES = "pending_batch"


def new(ctx, doctype: str, data: dict | None = None) -> Document:
    """An unsaved document with defaults applied (and the custom fields of its MDO)."""
    meta = customize.meta_for_record(ctx, ctx.registry.get(doctype), data or {})
    return _new(ctx, meta, data)


def _new(ctx, meta, data: dict | None) -> Document:
    values = {}
    for f in meta.all_fields:
        if f.default is not None:
            values[f.fieldname] = _default(ctx, f)
        elif f.fieldtype == "Table":
            values[f.fieldname] = []
    values.update(data or {})
    return meta.controller()(meta, values, ctx)


def _default(ctx, f):
    if f.default == "Today" and f.fieldtype == "Date":
        return ctx.now().date().isoformat()
    if f.default == "Now" and f.fieldtype == "Datetime":
        return ctx.now()
    return f.default


def insert(
    ctx,
    doctype: str,
    data: dict,
    *,
    name: str | None = None,
    docstatus: DocStatus = DocStatus.DRAFT,
    platform: dict | None = None,
    keys: dict | None = None,
) -> Document:
    """Validate and store a new record. ``name`` overrides the naming rule (fixtures, amend).
    ``platform``: read-only values the platform itself carries over (a new version's).
    ``keys``: the platform's own keys on the stored record, not fields (an import's row)."""
    meta = ctx.registry.get(doctype)
    ctx.access.check(meta, "create")
    meta, doc, stored, after, pending = _prepare(ctx, meta, data, name, docstatus, platform, keys)
    _write_new(ctx, meta, doc, stored, drawn=not name)
    try:
        for hook in after:
            _hook(ctx, meta, doc, hook)
        _raise_hook_errors(meta, doc)
    except BaseException:
        # A hook that fails after the write (e.g. creating the officer's learner account)
        # takes the record back out: nothing is left half-created.
        persistence.delete(ctx.site.collection(doctype), meta, stored["name"])
        raise
    if pending:
        _hooks_done(ctx, meta, stored["name"], pending)
    return doc


# A drawn name taken meanwhile is drawn again, this many times at most: each draw is above
# the last one met taken, so a writer needs at most as many as there are writers at once.
NAME_DRAWS = 64


def _write_new(ctx, meta, doc, stored: dict, *, drawn: bool) -> None:
    """Write a new record. A name the platform drew (a series' number, a hash) that another
    record holds by the time of the write is drawn again: a create never fails because
    another ran at the same moment. A series' counter is one atomic ``$inc`` on MongoDB and
    the embedded store, yet a server whose updates are read and written in two steps
    (FerretDB) can hand one number to two writers; the loser takes a later one
    (``naming.name_after``). A name the caller gave, and a unique field's value, are
    refused as duplicates at once."""
    import random
    import time

    collection = ctx.site.collection(meta.name)
    for attempt in range(NAME_DRAWS):
        try:
            persistence.insert(collection, meta, stored)
            return
        except DuplicateEntry as exc:
            if not drawn or meta.autoname.startswith("field:") or set(exc.errors) != {"name"} or attempt == NAME_DRAWS - 1:
                raise
        time.sleep(random.uniform(0, min(0.002 * attempt, 0.02)))  # contenders part before they draw again
        stored["name"] = naming.name_after(ctx, meta, stored, stored["name"])
        doc.set("name", stored["name"])
        files.claim(ctx, meta, stored)


def _prepare(ctx, meta, data: dict, name, docstatus, platform, keys):
    """Everything ``insert`` does before the write, for one record: access, values,
    validation, the name, the before-hooks; (effective meta, document, what to store, the
    after-hooks, those of them resumable)."""
    _refuse_system_fields(meta, data, allow=("name",) if name else ())
    data = {**_writable(ctx, meta, data), **(platform or {})}
    data.update(validation.fetch(ctx, meta, data))
    meta = customize.meta_for_record(ctx, meta, data)
    values, errors = validation.coerce(ctx, meta, {k: v for k, v in data.items() if k != "name"})
    doc = _new(ctx, meta, values)
    doc.set("owner", ctx.user)
    ctx.access.check(meta, "create", doc.as_dict())
    ctx.access.check_fields(meta, doc.as_dict(), [k for k in data if k in values])
    _number_rows(meta, doc)
    workflow.start(ctx, meta, doc)
    _hook(ctx, meta, doc, "before_insert")
    now = ctx.now()
    doc.set("owner", ctx.user)
    doc.set("creation", now)
    doc.set("modified", now)
    doc.set("modified_by", ctx.user)
    doc.set("docstatus", int(docstatus))
    _validate(ctx, meta, doc, errors)
    # Named only once valid, so a refused record never uses up a number of its series.
    doc.set("name", name or naming.make_name(ctx, meta, doc.as_dict()))
    _hook(ctx, meta, doc, "before_submit" if docstatus == DocStatus.SUBMITTED else "before_save")
    _raise_hook_errors(meta, doc)
    stored = _storable(meta, doc)
    stored.update(keys or {})
    after = ["after_insert", "on_update"] + (["on_submit"] if docstatus == DocStatus.SUBMITTED else [])
    resumable = ctx.batch_cached(("resumable hooks", meta.name), lambda: resumable_hooks(ctx.site, meta))
    pending = [h for h in after if h in resumable]
    if pending:
        stored[PENDING] = pending
    files.claim(ctx, meta, stored)
    return meta, doc, stored, after, pending


BATCH = 500  # records prepared, written and followed up together by insert_many


def insert_many(
    ctx, doctype: str, rows: list[dict], *, keys: list[dict] | None = None, progress=None, source: str | None = None
) -> list:
    """Insert many records with the same rules as ``insert``, row by row (each row's result
    is its Document, or the IgotError that refused it, as ``insert`` would raise it), with
    the work done once per batch where it can be: Link and unique checks as one query per
    field for the batch (and duplicates within it), the series' names reserved for the
    batch, one bulk write, and the after-write hooks in bulk where the controller or a
    module declares a batch form (``<hook>_batch``, ``DocEvent.batch``), one by one
    otherwise. Until its hooks have run the batch is noted (``BATCHES``), so a run cut off
    half-way is completed by ``resume_pending`` and nothing is made twice.
    ``progress(n)`` is told of each batch done; ``source`` (an imported file's digest) is
    noted on each batch, so that running the same file again completes what a crash cut off
    (``resume_batches_from``)."""
    meta = ctx.registry.get(doctype)
    ctx.access.check(meta, "create")
    results: list = [None] * len(rows)
    source = source or ctx.batch_source
    saved = (ctx.link_cache, ctx.name_block, ctx.unique_cache, ctx.fetch_cache, ctx.batch_source)
    ctx.batch_source = source
    ctx.link_cache = ctx.link_cache if ctx.link_cache is not None else set()
    ctx.name_block = max(ctx.name_block, min(BATCH, len(rows)))
    ctx.fetch_cache = {}
    try:
        with heap.bulk_work():
            for start in range(0, len(rows), BATCH):
                chunk = list(range(start, min(len(rows), start + BATCH)))
                _insert_batch(ctx, meta, rows, keys, chunk, results, source)
                if progress:
                    progress(len(chunk))
    finally:
        ctx.link_cache, ctx.name_block, ctx.unique_cache, ctx.fetch_cache, ctx.batch_source = saved
        if not saved[1]:
            ctx.name_pool.clear()
    return results


def _insert_batch(ctx, meta, rows, keys, chunk, results, source=None) -> None:
    validation.warm_links(ctx, meta, [rows[i] for i in chunk])
    ctx.unique_cache = validation.unique_taken(ctx, meta, [rows[i] for i in chunk])
    ready = []  # (row index, effective meta, document, stored, after, pending)
    for i in chunk:
        try:
            prepared = _prepare(ctx, meta, rows[i], None, DocStatus.DRAFT, None, keys[i] if keys else None)
        except IgotError as exc:
            results[i] = exc
            continue
        validation.note_unique(ctx, prepared[0], prepared[2])  # a later row with the same value is refused
        ready.append((i, *prepared))
    batch = _open_batch(ctx, meta, ready, source)
    written = _write_many(ctx, meta, ready, results)
    if not written:
        _close_batch(ctx, batch)
        return
    after = written[0][4]  # drafts all: the same after-write hooks for every record
    coll = ctx.site.collection(meta.name)
    outer, ctx.batch_note = ctx.batch_note, batch
    try:
        failed = _hooks_batch(ctx, meta, [e[2] for e in written], after)
    except BaseException:
        # as insert does: records whose follow-up failed are taken back out
        for entry in written:
            coll.delete_one({"_id": entry[2].name})
        _close_batch(ctx, batch)
        raise
    finally:
        ctx.batch_note = outer
    for i, _meta, doc, _stored, _after, _pending in written:
        if doc.name in failed:
            persistence.delete(coll, meta, doc.name)
            results[i] = failed[doc.name]
        else:
            results[i] = doc
    _close_batch(ctx, batch)


def _open_batch(ctx, meta, ready, source=None) -> str | None:
    """Note the batch's names and resumable hooks (one write), in place of each record's
    marker; None when it has no resumable hooks."""
    pending = ready[0][5] if ready else []  # drafts all: the same hooks for every record
    if not pending:
        return None
    for entry in ready:
        entry[3].pop(PENDING, None)
    batch = f"{meta.name}|{secrets.token_hex(8)}"
    ctx.site.db[BATCHES].insert_one(
        {
            "_id": batch,
            "doctype": meta.name,
            "names": [entry[3]["name"] for entry in ready],
            "hooks": list(pending),
            "user": ctx.user,
            "created": ctx.now(),
            **({"source": source} if source else {}),
        }
    )
    return batch


def claim_for_batch(ctx, counter: str) -> bool:
    """In the follow-up of an ``insert_many`` batch (``ctx.batch_note``): claim ``counter``
    for all of the batch's records with one update of its note. True the first time only, so
    a batch completed again after a crash is not counted twice."""
    claimed = ctx.site.db[BATCHES].update_one(
        {"_id": ctx.batch_note, "counted": {"$ne": counter}}, {"$addToSet": {"counted": counter}}
    )
    return bool(claimed.modified_count)


def _close_batch(ctx, batch: str | None) -> None:
    if batch is not None:
        ctx.site.db[BATCHES].delete_one({"_id": batch})


def _write_many(ctx, meta, ready, results) -> list:
    """One bulk write of the prepared records; if the store refuses it (a name or unique value
    taken meanwhile by another writer), each record is written alone, as ``insert`` would."""
    from pymongo.errors import PyMongoError

    if not ready:
        return []
    coll = ctx.site.collection(meta.name)
    try:
        coll.insert_many([persistence.to_db(e[3]) for e in ready], ordered=True)
        return ready
    except PyMongoError:
        present = {d["_id"] for d in coll.find({"_id": {"$in": [e[3]["name"] for e in ready]}}, {"_id": 1})}
    written = []
    for entry in ready:
        i, m, doc, stored = entry[:4]
        if stored["name"] in present:
            written.append(entry)
            continue
        try:
            persistence.insert(coll, m, stored)
            written.append(entry)
        except IgotError as exc:
            results[i] = exc
    return written


def _hooks_batch(ctx, meta, docs: list, after) -> dict:
    """Run the after-write hooks for ``docs``: the controller's batch form of a hook when it
    has one (``after_insert_batch(ctx, docs)``), else each document's; then each module
    event, in batch where declared. Returns {name: error} for the documents refused by a
    hook (taken back out by the caller), as ``insert`` would have raised it."""
    failed: dict = {}
    controller = meta.controller()
    for hook in after:
        live = [d for d in docs if d.name not in failed]
        batch = getattr(controller, f"{hook}_batch", None)
        if batch is not None:
            batch(ctx, live)
        else:
            for doc in live:
                try:
                    getattr(doc, hook)()
                except IgotError as exc:
                    failed[doc.name] = exc
        for event in ctx.site.modules.events_for(meta.name, hook):
            live = [d for d in docs if d.name not in failed]
            if event.batch is not None:
                event.batch(live)
                continue
            for doc in live:
                try:
                    event.handler(doc)
                except IgotError as exc:
                    failed[doc.name] = exc
        for doc in docs:
            errors = doc.take_errors()
            if errors and doc.name not in failed:
                failed[doc.name] = ValidationError.for_fields(meta.name, doc.name, errors)
    return failed


def get(ctx, doctype: str, name: str) -> Document:
    """The whole record, for code acting on it; NotFound unless the caller may read it."""
    meta = ctx.registry.get(doctype)
    data = persistence.read_as(ctx, meta, name)
    return meta.controller()(customize.meta_for_record(ctx, meta, data), data, ctx)


def read(ctx, doctype: str, name: str) -> dict:
    """The record as the caller may see it: its MDO's custom fields, and no field above the
    caller's permission level."""
    doc = get(ctx, doctype, name)
    return customize.present(ctx, doc.meta, doc.as_dict())


def save(ctx, doctype: str, name: str, changes: dict, *, expected_modified=None) -> Document:
    """Apply ``changes`` to a stored record. ``expected_modified`` (or ``modified`` in
    ``changes``) is the version the caller read; if the record changed since, nothing is
    written and StaleDocument is raised."""
    meta = ctx.registry.get(doctype)
    changes = dict(changes)
    if "modified" in changes:
        expected_modified = changes.pop("modified")
    if changes.get("name", name) != name:
        raise ValidationError.for_fields(meta.name, name, {"name": ["cannot be changed by a save; rename is not supported."]})
    changes.pop("name", None)
    ctx.access.check(meta, "write")
    old = get(ctx, doctype, name).as_dict()
    ctx.access.check(meta, "write", old)
    check_expected(meta, old, expected_modified)
    _refuse_system_fields(meta, changes, current=old)
    if meta.versioned_edit and workflow.state_of(ctx, meta, old) in meta.versioned_edit["states"]:
        return _revise(ctx, meta, old, changes)
    changes = _writable(ctx, meta, changes)
    changes.update(validation.fetch(ctx, meta, {**old, **changes}, old))
    meta = customize.meta_for_record(ctx, meta, {**old, **changes})
    workflow.check_edit(ctx, meta, old, changes)
    changes = {k: v for k, v in changes.items() if k not in SYSTEM_SET}  # unchanged echoes
    status = DocStatus(old.get("docstatus", 0))
    if status == DocStatus.CANCELLED:
        raise DocStatusError(
            f"{meta.name} {name!r} is cancelled and cannot be changed; amend it instead", doctype=meta.name, name=name
        )
    values, errors = validation.coerce(ctx, meta, changes)
    ctx.access.check_fields(meta, old, [k for k, v in values.items() if v != old.get(k)])
    if status == DocStatus.SUBMITTED:
        locked = [k for k, v in values.items() if v != old.get(k) and not meta.get_field(k).allow_on_submit]
        if locked:
            raise DocStatusError(
                f"{meta.name} {name!r} is submitted: {', '.join(locked)} cannot be changed "
                f"(only fields marked allow_on_submit can); cancel and amend it instead",
                doctype=meta.name,
                name=name,
                errors={k: ["cannot be changed after submit"] for k in locked},
            )
    doc = meta.controller()(meta, {**old, **values}, ctx, before=old)
    ctx.access.check(meta, "write", doc.as_dict())  # e.g. not moved to another MDO
    _number_rows(meta, doc)
    _validate(ctx, meta, doc, errors, old=old)
    _hook(ctx, meta, doc, "before_save")
    _raise_hook_errors(meta, doc)
    edited = [k for k in values if values[k] != old.get(k)]
    saved = _write(ctx, meta, doc, old, after=("on_update",), platform=workflow.edited(ctx, meta, old, edited))
    workflow.log_edit(ctx, meta, old, edited)
    return saved


def _revise(ctx, meta, old: dict, changes: dict) -> Document:
    """An edit of a live record (``meta.versioned_edit``): a new draft version with the
    changes; the live one stays as it is until the new one goes live. One draft at a time."""
    wf = workflow.active(ctx, meta.name)
    done = [*meta.versioned_edit["states"], meta.versioned_edit["superseded"]]
    draft = ctx.site.collection(meta.name).find_one(
        {"previous_version": old["name"], wf["state_field"]: {"$nin": done}}, {"_id": 1}
    )
    if draft:
        raise ValidationError.for_fields(
            meta.name,
            old["name"],
            {"name": [f"is live and already being revised as {draft['_id']}; edit that draft version instead."]},
        )
    # Carried over: the record's own values (not its review, kept at higher field levels),
    # the read-only ones the platform set among them; then the caller's changes on top.
    skip = {f.fieldname for f in meta.all_fields if f.permlevel > 0} | {wf["state_field"], *meta.versioned_edit.get("reset", ())}
    copy = {k: v for k, v in old.items() if k in meta.known_fieldnames and k not in SYSTEM_SET and k not in skip}
    for f in meta.table_fields:  # rows get new names in the new record
        if f.fieldname in copy:
            copy[f.fieldname] = [{k: v for k, v in r.items() if k != "name"} for r in copy.get(f.fieldname) or []]
    platform = {
        k: copy.pop(k) for k in list(copy) if (f := meta.fields_by_name.get(k)) is not None and f.read_only and not f.standard
    }
    platform.update(
        {
            "version": int(old.get("version") or 1) + 1,
            "previous_version": old["name"],
            "version_of": old.get("version_of") or old["name"],
        }
    )
    copy.update({k: v for k, v in _writable(ctx, meta, changes).items() if k not in SYSTEM_SET and k not in platform})
    return insert(ctx, meta.name, copy, platform=platform)


def supersede_previous(ctx, meta, doc: dict) -> None:
    """When a new version goes live, the one it revised is superseded."""
    spec = meta.versioned_edit
    wf = workflow.active(ctx, meta.name)
    if not spec or not doc.get("previous_version") or doc.get(wf["state_field"]) not in spec["states"]:
        return
    system = ctx.as_system()
    prev = ctx.site.collection(meta.name).find_one({"_id": doc["previous_version"]})
    if prev is None or prev.get(wf["state_field"]) not in spec["states"]:
        return
    from app.model import persistence

    move(system, meta, persistence.from_db(prev), {wf["state_field"]: spec["superseded"]})
    workflow.log(
        system,
        meta,
        prev["_id"],
        "Supersede",
        prev.get(wf["state_field"]),
        spec["superseded"],
        f"superseded by version {doc.get('version')} ({doc['name']})",
        mdos=sorted(meta.tenant_values(prev)) if meta.is_tenant else [],
        workflow_name=wf["_id"],
    )


def submit(ctx, doctype: str, name: str, *, expected_modified=None) -> Document:
    return _change_status(
        ctx,
        doctype,
        name,
        "submit",
        DocStatus.DRAFT,
        DocStatus.SUBMITTED,
        expected_modified,
        before="before_submit",
        after="on_submit",
    )


def cancel(ctx, doctype: str, name: str, *, expected_modified=None) -> Document:
    return _change_status(
        ctx,
        doctype,
        name,
        "cancel",
        DocStatus.SUBMITTED,
        DocStatus.CANCELLED,
        expected_modified,
        before="before_cancel",
        after="on_cancel",
    )


def _change_status(ctx, doctype, name, action, wanted, new_status, expected_modified, *, before, after):
    """Submit (validated again, as a draft may have gone stale) or cancel."""
    meta = ctx.registry.get(doctype)
    ctx.access.check(meta, action)
    old = get(ctx, doctype, name).as_dict()
    ctx.access.check(meta, action, old)
    check_expected(meta, old, expected_modified)
    if not meta.is_submittable:
        raise DocStatusError(f"{meta.name} is not submittable", doctype=meta.name, name=name)
    _require_status(meta, old, wanted, action)
    workflow.refuse_direct_status(ctx, meta, name, action)
    return move(ctx, meta, old, {"docstatus": int(new_status)})


def move(ctx, meta, old: dict, changes: dict, *, platform: dict | None = None, due: tuple = ()) -> Document:
    """Apply a change already authorised by the caller (submit, cancel, a workflow
    transition): runs the hooks of the docstatus change it makes, validates unless it
    cancels, writes conditionally on ``old["modified"]`` and records the version.
    ``platform``: keys the platform keeps on the stored record (not fields), written with it.
    ``due``: follow-up hooks this change makes due (resumable ones the controller defines),
    marked on the record in the same write and run after the others (``PENDING``)."""
    doc = meta.controller()(meta, {**old, **changes}, ctx, before=old)
    status, new_status = DocStatus(old.get("docstatus", 0)), DocStatus(doc.get("docstatus", 0))
    if (status, new_status) == (DocStatus.DRAFT, DocStatus.SUBMITTED):
        before, after = "before_submit", "on_submit"
    elif (status, new_status) == (DocStatus.SUBMITTED, DocStatus.CANCELLED):
        before, after = "before_cancel", "on_cancel"
    elif status == new_status:
        before, after = "before_save", "on_update"
    else:
        raise DocStatusError(
            f"{meta.name} {old['name']!r}: docstatus cannot go from {status.name.lower()} to {new_status.name.lower()}",
            doctype=meta.name,
            name=old["name"],
        )
    if after != "on_cancel":
        _validate(ctx, meta, doc, {}, old=old)
    _hook(ctx, meta, doc, before)
    _raise_hook_errors(meta, doc)
    return _write(ctx, meta, doc, old, after=(after, *due), platform=platform)


def amend(ctx, doctype: str, name: str) -> Document:
    """A new draft copy of a cancelled record, named ``NAME-1`` (then ``NAME-2``...)."""
    meta = ctx.registry.get(doctype)
    ctx.access.check(meta, "create")
    old = get(ctx, doctype, name).as_dict()
    ctx.access.check(meta, "create", old)
    _require_status(meta, old, DocStatus.CANCELLED, "amend")
    copy = {k: v for k, v in old.items() if k in meta.known_fieldnames and k not in SYSTEM_SET}
    for f in meta.table_fields:  # rows get new names in the new record
        copy[f.fieldname] = [{k: v for k, v in r.items() if k != "name"} for r in copy.get(f.fieldname) or []]
    new_name = naming.amended_name(ctx.site.collection(doctype), name, old.get("amended_from"))
    doc = insert(ctx, doctype, copy, name=new_name)
    return _force_set(ctx, meta, doc, "amended_from", name)


def delete(ctx, doctype: str, name: str) -> None:
    meta = ctx.registry.get(doctype)
    ctx.access.check(meta, "delete")
    old = get(ctx, doctype, name)
    ctx.access.check(meta, "delete", old.as_dict())
    if old.docstatus == DocStatus.SUBMITTED:
        raise DocStatusError(
            f"{meta.name} {name!r} is submitted and cannot be deleted; cancel it first", doctype=meta.name, name=name
        )
    _hook(ctx, meta, old, "on_trash")
    _raise_hook_errors(meta, old)
    persistence.delete(ctx.site.collection(doctype), meta, name)
    audit.record(ctx, meta, name, {"deleted": _storable(meta, old)}, old.as_dict())
    _hook(ctx, meta, old, "after_delete")


# steps ------------------------------------------------------------------------------------


def _validate(ctx, meta, doc: Document, errors: dict, old: dict | None = None) -> None:
    """Type errors from coercion, then whole-record checks, then the controller's validate.
    All problems are reported together. Links are checked where they changed."""
    data = doc.as_dict()
    required = {k: v for k, v in validation.check_required(meta, data).items() if k not in errors}
    errors = validation.merge(
        errors,
        required,
        _child_required(ctx, meta, data, errors),
        validation.check_links(ctx, meta, data, old),
        validation.check_unique(ctx, meta, data),
        validation.check_attachments(ctx, meta, data, old),
    )
    if not errors:
        _hook(ctx, meta, doc, "validate")
        errors = doc.take_errors()
    if errors:
        raise ValidationError.for_fields(meta.name, data.get("name"), errors)


def _child_required(ctx, meta, data, type_errors: dict) -> dict:
    errors: dict = {}
    for f in meta.table_fields:
        child = ctx.registry.get(f.options)
        for row in data.get(f.fieldname) or []:
            row_key = str(row.get("idx"))
            already = type_errors.get(f.fieldname, {}).get(row_key, {}) if isinstance(type_errors.get(f.fieldname), dict) else {}
            for fieldname, msgs in validation.check_required(child, row).items():
                if fieldname not in already:
                    errors.setdefault(f.fieldname, {}).setdefault(row_key, {})[fieldname] = msgs
    return errors


def _raise_hook_errors(meta, doc: Document) -> None:
    errors = doc.take_errors()
    if errors:
        raise ValidationError.for_fields(meta.name, doc.name, errors)


def _write(ctx, meta, doc: Document, old: dict, after: tuple, platform: dict | None = None) -> Document:
    doc.set("modified", _next_modified(ctx, old["modified"]))
    doc.set("modified_by", ctx.user)
    stored = {**customize.hidden_values(meta, old), **_storable(meta, doc), **(platform or {})}
    pending = [h for h in after if h in resumable_hooks(ctx.site, meta)]
    if pending:  # with any hooks still pending from before (a crash), which stay until they have run
        stored[PENDING] = _in_order([*stored.get(PENDING, ()), *pending])
    files.claim(ctx, meta, stored, old)
    persistence.replace(ctx.site.collection(meta.name), meta, stored, old["modified"])
    audit.record(ctx, meta, doc.name, audit.diff(meta, ctx.registry, old, stored), stored)
    for hook in after:
        _hook(ctx, meta, doc, hook)
    if pending:
        _hooks_done(ctx, meta, doc.name, pending, remaining=stored[PENDING])
    return doc


HOOK_ORDER = ("after_insert", "on_update", "on_submit", "on_cancel")


def _in_order(hooks) -> list[str]:
    """Each hook once: the lifecycle's own in their order, then follow-ups marked due."""
    unique = list(dict.fromkeys(hooks))
    return sorted(unique, key=lambda h: HOOK_ORDER.index(h) if h in HOOK_ORDER else len(HOOK_ORDER))


def _hook(ctx, meta, doc: Document, hook: str) -> None:
    """Run the controller's ``hook``, then the document events the modules declare for it
    (``app.registry.DocEvent``: another module's effects, such as an officer's rollups)."""
    getattr(doc, hook)()
    for event in ctx.site.modules.events_for(meta.name, hook):
        event.handler(doc)


def resumable_hooks(site, meta) -> set[str]:
    """The after-write hooks of ``meta`` that are run again after a crash: those its
    controller declares ``resumable``, and those with a resumable document event."""
    return {*meta.controller().resumable, *(e.hook for e in site.modules.all("events") if e.doctype == meta.name and e.resumable)}


def _hooks_done(ctx, meta, name: str, hooks, *, remaining=()) -> None:
    """The hooks have run: take the marker off the record in one update (or only those hooks,
    when others from an earlier, interrupted write are still ``remaining``)."""
    coll = ctx.site.collection(meta.name)
    left = [h for h in remaining if h not in hooks]
    if left:
        coll.update_one({"_id": name}, {"$set": {PENDING: left}})
    else:
        coll.update_one({"_id": name}, {"$unset": {PENDING: ""}})


def resume(site, meta, raw: dict) -> bool:
    """Run the hooks still pending on one stored record (``raw``), as the user who last
    wrote it; returns whether any were."""
    return _finish(site.context(raw.get("modified_by") or "Administrator"), meta, raw)


def run_pending(ctx, meta, name: str) -> bool:
    """Run the follow-up marked due on record ``name`` by a write made outside ``move`` (a
    module's conditional update that decides something once, such as grading an attempt,
    with ``PENDING`` in the same update), then take the marker off. Should the process die
    first, ``resume_pending`` finishes it. Returns whether anything was due."""
    raw = ctx.site.collection(meta.name).find_one({"_id": name})
    return _finish(ctx, meta, raw) if raw is not None else False


def _finish(ctx, meta, raw: dict) -> bool:
    if not raw.get(PENDING):
        if PENDING in raw:  # an empty marker: nothing left to run
            _hooks_done(ctx, meta, raw["_id"], [])
        return False
    _run_hooks(ctx, meta, raw, raw[PENDING])
    _hooks_done(ctx, meta, raw["_id"], raw[PENDING])
    return True


def _run_hooks(ctx, meta, raw: dict, hooks) -> None:
    data = persistence.from_db(raw)
    doc = meta.controller()(customize.meta_for_record(ctx, meta, data), data, ctx)
    for hook in hooks:
        _hook(ctx, meta, doc, hook)
    _raise_hook_errors(meta, doc)


def resume_pending(site, *, min_age=dt.timedelta(seconds=60), failed: list | None = None) -> list[tuple[str, str]]:
    """Run again the resumable hooks of records whose write was cut off before they all ran
    (a crash): each record of a doctype whose controller declares ``resumable`` hooks and
    still carries ``PENDING``, written more than ``min_age`` ago (younger ones may belong to a
    request still running). Returns the (doctype, name) pairs completed. A record whose
    follow-up fails again keeps its marker, for the next run, and does not hold up the
    others: it is logged and, given ``failed``, added to it as (doctype, name, reason)."""
    done = []
    cutoff = site.context().now() - min_age
    for batch in list(site.db[BATCHES].find({"created": {"$lte": cutoff}})):
        done += resume_batch(site, batch)
    for meta in site.registry:
        if meta.is_child or not resumable_hooks(site, meta):
            continue
        coll = site.collection(meta.name)
        for raw in list(coll.find({PENDING: {"$exists": True}})):
            if raw.get("modified") and raw["modified"] > cutoff:
                continue
            try:
                resume(site, meta, raw)
            except Exception as exc:  # noqa: BLE001 - one record's failure must not stop the others' recovery
                logging.getLogger("igot.recovery").exception(
                    "follow-up of %s %s failed; kept for the next run", meta.name, raw["_id"]
                )
                if failed is not None:
                    failed.append((meta.name, raw["_id"], str(exc)))
                continue
            done.append((meta.name, raw["_id"]))
    return done


def resume_batch(site, batch: dict) -> list[tuple[str, str]]:
    """Complete a batch of ``insert_many`` cut off before its follow-up was done: each of
    its records that was written gets the batch's hooks run (again), then the note goes."""
    done = []
    if batch["doctype"] in site.registry.names:
        meta = site.registry.get(batch["doctype"])
        for raw in list(site.collection(meta.name).find({"_id": {"$in": batch["names"]}})):
            # the records carry no marker: nothing to take off once the hooks have run
            ctx = site.context(raw.get("modified_by") or "Administrator")
            ctx.batch_counted = frozenset(batch.get("counted", ()))  # counted by the batch already
            _run_hooks(ctx, meta, raw, batch["hooks"])
            done.append((meta.name, raw["_id"]))
    site.db[BATCHES].delete_one({"_id": batch["_id"]})
    return done


def resume_batches_from(site, source: str) -> list[tuple[str, str]]:
    """Complete every cut-off batch of an earlier run of the same file (``source``), in the
    order they were made (an officer's batch before the batch of learner accounts its
    follow-up made): their written records get their follow-up, and a batch never written
    (the run killed between noting it and writing it) leaves nothing behind."""
    done = []
    for batch in list(site.db[BATCHES].find({"source": source}).sort("created", 1)):
        done += resume_batch(site, batch)
    return done


def _force_set(ctx, meta, doc: Document, fieldname: str, value) -> Document:
    """Set a system-managed field (``amended_from``) without the user-facing checks."""
    old = doc.as_dict()
    doc.set(fieldname, value)
    return _write(ctx, meta, doc, old, after=())


def _next_modified(ctx, previous: dt.datetime) -> dt.datetime:
    """Strictly after the previous version, so two saves in one millisecond differ."""
    now = ctx.now()
    return now if now > previous else previous + dt.timedelta(milliseconds=1)


def check_expected(meta, old: dict, expected) -> None:
    """Refuse (StaleDocument) if the record is no longer the version the caller read."""
    if expected is None:
        return
    if isinstance(expected, str):
        try:
            expected = dt.datetime.fromisoformat(expected.replace("Z", "+00:00"))
        except ValueError:
            raise ValidationError.for_fields(meta.name, old["name"], {"modified": ["Not a valid datetime."]}) from None
        if expected.tzinfo is not None:
            expected = expected.astimezone(dt.UTC).replace(tzinfo=None)
    elif not isinstance(expected, dt.datetime):
        raise ValidationError.for_fields(
            meta.name,
            old["name"],
            {
                "modified": [
                    f"must be the date and time you read, as text (e.g. {old['modified'].isoformat()}), not {expected!r}."
                ]
            },
        )
    if expected != old["modified"]:
        raise StaleDocument(
            f"{meta.name} {old['name']!r} was changed at {old['modified'].isoformat()} by "
            f"{old.get('modified_by')} after the version you read ({expected.isoformat()}); "
            f"reload it and try again",
            doctype=meta.name,
            name=old["name"],
        )


_PAST = {"submit": "submitted", "cancel": "cancelled", "amend": "amended"}


def _require_status(meta, old: dict, wanted: DocStatus, action: str) -> None:
    status = DocStatus(old.get("docstatus", 0))
    if status != wanted:
        raise DocStatusError(
            f"cannot {action} {meta.name} {old['name']!r}: it is {status.name.lower()}; "
            f"only a {wanted.name.lower()} record can be {_PAST[action]}",
            doctype=meta.name,
            name=old["name"],
        )


def _refuse_system_fields(meta, data: dict, allow=(), current: dict | None = None) -> None:
    """System-set fields may not be given, except unchanged (a client echoing a record back)."""
    bad = [
        k
        for k in data
        if k in SYSTEM_SET
        and k not in allow
        and (current is None or schemas.dump_value(data[k]) != schemas.dump_value(current.get(k)))
    ]
    if bad:
        raise ValidationError.for_fields(
            meta.name, (current or {}).get("name"), {k: ["is set by the system and cannot be given."] for k in bad}
        )


def _writable(ctx, meta, data: dict) -> dict:
    """``data`` without the read-only fields, which only the platform sets (fetched values,
    a role map's version and copied requirements, workflow states); a user's values for them
    are ignored. The system itself (fixtures, derived records) may set them."""
    if ctx.is_system:
        return data
    read_only = {f.fieldname for f in meta.all_fields if f.read_only and not f.standard}
    wf = workflow.active(ctx, meta.name) if read_only & data.keys() else None
    if wf:
        read_only.discard(wf["state_field"])  # moved only by transitions: refused, with a reason, by app.workflow
    return {k: v for k, v in data.items() if k not in read_only} if read_only & data.keys() else data


def _number_rows(meta, doc: Document) -> None:
    """Each child row's number and, if it has none, a random name (``naming.random_names``)."""
    unnamed = []
    for f in meta.table_fields:
        rows = doc.get(f.fieldname) or []
        for i, row in enumerate(rows, start=1):
            row["idx"] = i
            if not row.get("name"):
                unnamed.append(row)
    for row, drawn in zip(unnamed, naming.random_names(len(unnamed)), strict=True):
        row["name"] = drawn


def _storable(meta, doc: Document) -> dict:
    """What is written: known fields only; a field with no value is left out, so sparse
    unique indexes skip it and documents stay small."""
    data = doc.as_dict()
    return {k: v for k, v in data.items() if k in meta.known_fieldnames and v is not None}
