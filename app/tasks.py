""" "Waiting for me": every record, across the doctypes with a workflow, that waits for the
caller's decision: in a state where the caller may take an action now (their role, the
record's MDO, owner-only permissions and the transition's condition allow it, and
maker-checker does not exclude them) other than a destructive one (``workflow.is_task``: a
published module or a live plan is not waiting for anyone to retire or archive it), oldest
first. Each task says how its actions are offered (``workflow.offer``).

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
    out = []
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
        for f in meta.all_fields:  # what transitions' conditions, tenancy and ownership read
            if f.fieldname in (meta.owner_field, meta.tenant_field.split(".")[0] if meta.is_tenant else None):
                fields[f.fieldname] = 1
        for t in wf["transitions"]:
            for key in ("condition", "offered_when"):
                if t.get(key):
                    fields[t[key][0]] = 1
        for state in states:
            query = {wf["state_field"]: state, **scope} if scope else {wf["state_field"]: state}
            cursor = ctx.site.db[meta.collection].find(query, fields).sort([("modified", 1), ("_id", 1)]).limit(PER_STATE)
            for raw in cursor:
                doc = {**raw, "name": raw["_id"]}
                actions = workflow.actions_in(ctx, meta, wf, doc)  # the workflow of this loop, not looked up again
                offers = workflow.offer(wf, state, actions, doc, meta)
                if workflow.is_task(offers):
                    out.append(
                        {
                            "doctype": doctype,
                            "name": doc["name"],
                            "title": doc.get(meta.title_field) if meta.title_field else doc["name"],
                            "state": state,
                            "since": doc.get("modified"),
                            "actions": actions,
                            "offers": offers,
                        }
                    )
    out.sort(key=lambda t: (t["since"] is None, t["since"]))
    return out[:limit]


def count(ctx) -> int:
    return len(my_tasks(ctx, limit=1000))
