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
                            "title": _task_title(ctx, meta, doc, lead, titles),
                            "state": state,
                            "since": doc.get("modified"),
                            "actions": actions,
                            "offers": offers,
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


def _drafting(ctx) -> list[tuple]:
    """(meta, workflow, first state) of each workflow whose records the caller writes from the
    start: they hold the first state's editing role (not a role every officer has, such as
    Learner for their own enrolments) and may create the doctype's records."""
    out = []
    officers = {r["_id"] for r in ctx.site.db["role"].find({"given_to_officers": True}, {"_id": 1})}
    for wf in ctx.site.db["workflow"].find({"is_active": True}).sort("_id", 1):
        doctype = wf["document_type"]
        if doctype not in ctx.registry.names or not wf.get("states"):
            continue
        first = wf["states"][0]
        editors = [r for r in (first.get("allow_edit"), first.get("also_edit")) if r and r not in officers]
        if not any(ctx.access.has_role(r) for r in editors):
            continue
        meta = ctx.registry.get(doctype)
        if "create" not in ctx.access.allowed_actions(meta):
            continue
        out.append((meta, wf, first["state"]))
    return out


def may_start(ctx) -> list[str]:
    """The doctypes the caller starts records of (a content creator: Content Module,
    Assessment), for the home's "New ..." buttons."""
    return [] if ctx.is_system else [meta.name for meta, _wf, _first in _drafting(ctx)]


def my_drafts(ctx, limit: int = 20) -> list[dict]:
    """The caller's own records still in their workflow's first state, newest first, each
    with ``returned``: the reason it was sent back, when a reviewer returned it there."""
    if ctx.is_system:
        return []
    out = []
    for meta, wf, first in _drafting(ctx):
        fields = {"_id": 1, "modified": 1}
        if meta.title_field:
            fields[meta.title_field] = 1
        mine = meta.owner_field if meta.owner_field != "name" else "owner"  # on the task lists' index
        rows = list(
            ctx.site.db[meta.collection]
            .find({wf["state_field"]: first, mine: ctx.user}, fields)
            .sort([("modified", -1), ("_id", -1)])
            .limit(limit)
        )
        returned = workflow.sent_back_among(ctx, meta, wf, [r["_id"] for r in rows])
        for raw in rows:
            back = returned.get(raw["_id"])
            out.append(
                {
                    "doctype": meta.name,
                    "collection": meta.collection,
                    "name": raw["_id"],
                    "title": raw.get(meta.title_field) if meta.title_field else raw["_id"],
                    "since": raw.get("modified"),
                    "returned": back["reason"] if back else None,
                }
            )
    out.sort(key=lambda d: (d["returned"] is None, -(d["since"].timestamp() if d["since"] else 0)))
    return out[:limit]
