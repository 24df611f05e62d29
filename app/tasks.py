""" "Waiting for me": every record, across the doctypes with a workflow, in a state where the
caller may take an action now (their role, the record's MDO, owner-only permissions and the
transition's condition allow it, and maker-checker does not exclude them), oldest first.

Read through the access layer (the caller's own query filter) on the indexes every
doctype with a ``workflow_state`` has (``app.install.index_specs``: the state, then when it
last changed).
"""

from __future__ import annotations

from app.errors import PermissionDenied
from app.model import workflow

PER_STATE = 200  # records read per (doctype, state); the list shows the oldest


def my_tasks(ctx, limit: int = 100) -> list[dict]:
    """The caller's tasks: doctype, name, title, state, since (last change), actions."""
    if ctx.is_system:
        return []
    from app import display

    out = []
    titles = display.Titles(ctx)
    for wf in ctx.site.db["workflow"].find({"is_active": True}).sort("_id", 1):
        doctype = wf["document_type"]
        if doctype not in ctx.registry.names:
            continue
        meta = ctx.registry.get(doctype)
        states = sorted({t["state"] for t in wf["transitions"] if ctx.access.has_role(t["allowed"])})
        if not states:
            continue
        try:
            ctx.access.check(meta, "read")
        except PermissionDenied:
            continue
        scope = ctx.access.query_filter(meta, "read")
        fields = {"_id": 1, "owner": 1, "modified": 1, wf["state_field"]: 1, workflow.EDITORS: 1}
        if meta.title_field:
            fields[meta.title_field] = 1
        lead = _lead_column(meta)
        if lead:
            fields[lead] = 1
        for f in meta.all_fields:  # what transitions' conditions, tenancy and ownership read
            if f.fieldname in (meta.owner_field, meta.tenant_field.split(".")[0] if meta.is_tenant else None):
                fields[f.fieldname] = 1
        for t in wf["transitions"]:
            if t.get("condition"):
                fields[t["condition"][0]] = 1
        for state in states:
            query = {wf["state_field"]: state, **scope} if scope else {wf["state_field"]: state}
            cursor = ctx.site.db[meta.collection].find(query, fields).sort([("modified", 1), ("_id", 1)]).limit(PER_STATE)
            for raw in cursor:
                doc = {**raw, "name": raw["_id"]}
                actions = workflow.actions_in(ctx, meta, wf, doc)  # the workflow of this loop, not looked up again
                if actions:
                    out.append(
                        {
                            "doctype": doctype,
                            "name": doc["name"],
                            "title": _task_title(ctx, meta, doc, lead, titles),
                            "state": state,
                            "since": doc.get("modified"),
                            "actions": actions,
                        }
                    )
    out.sort(key=lambda t: (t["since"] is None, t["since"]))
    return out[:limit]


def _lead_column(meta) -> str | None:
    """The list's first column where it is not the title (an entry's officer, before its
    competency): whom the record is about, shown in the task's row."""
    columns = meta.list_columns or []
    first = columns[0] if columns else None
    if first in (None, "name", meta.title_field) or meta.get_field(first) is None:
        return None
    return first


def _task_title(ctx, meta, doc: dict, lead: str | None, titles) -> str:
    """A task's words: whom it is about, then the record's title as people read it (a
    course by its name, not its id): "Venkatesh Rao: Noting and Drafting"."""
    from app import display

    title = display.value_text(ctx, meta, meta.title_field, doc.get(meta.title_field), doc, titles) if meta.title_field else ""
    who = display.value_text(ctx, meta, lead, doc.get(lead), doc, titles) if lead else ""
    words = ": ".join(w for w in (who, title) if w)
    return words or doc["name"]


def count(ctx) -> int:
    return len(my_tasks(ctx, limit=1000))
