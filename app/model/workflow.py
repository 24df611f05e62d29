"""Workflows as data: a Workflow record gives a doctype states and transitions.

- A new record starts in the first state. Its state field is set only by transitions.
- In each state only the state's ``allow_edit`` role may change the record's fields.
- A transition (state, action, next state) may be taken by its ``allowed`` role, when its
  optional condition ``[field, operator, value]`` holds. Maker-checker: unless the transition
  has ``allow_self_approval``, neither the record's creator nor the user who moved it into
  its current state may take it; a workflow may relax that for the MDOs listed in its
  ``relaxed_for`` (small MDOs with one person per role). ``comment_required`` transitions (rejections) need a comment.
- Entering a state with docstatus 1 submits the record; 2 cancels it (with their hooks). The
  transition's role is the permission: a reviewer needs no general write right.
- Every transition is recorded in ``workflow_action`` and shown with the record.
- How an action is offered (``offer``): a ``confirm`` (destructive) transition asks first and
  is no task (a published module is not waiting for anyone to retire it); one with
  ``offered_when`` is a button only once the record meets it (Approve Review once a passing
  review is on the module), its ``not_yet`` saying what to do before.
"""

from __future__ import annotations

from app.errors import DocStatusError, PermissionDenied, ValidationError

LOG = "workflow_action"
EDITORS = "_workflow_editors"  # kept on the stored record by the platform; never shown
EDIT = "Edit"
_OPS = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">": lambda a, b: a is not None and a > b,
    "<": lambda a, b: a is not None and a < b,
    ">=": lambda a, b: a is not None and a >= b,
    "<=": lambda a, b: a is not None and a <= b,
    "in": lambda a, b: a in b,
    "not in": lambda a, b: a not in b,
}


def active(ctx, doctype: str) -> dict | None:
    """The doctype's active workflow: read once per batch, and kept per process until a
    workflow changes, here or in another process."""
    query = {"document_type": doctype, "is_active": True}
    return ctx.batch_cached(("active workflow", doctype), lambda: ctx.site.kept_one("workflow", query))


def start(ctx, meta, doc) -> None:
    """On insert: put the record in the first state (refusing any other given state). The
    system itself (fixtures, records it derives, such as passbook entries from a completed
    course) may create a record in any state of the workflow."""
    wf = active(ctx, meta.name)
    if not wf:
        return
    first = wf["states"][0]["state"]
    given = doc.get(wf["state_field"])
    if ctx.is_system and state_def(wf, given) is not None:
        return
    if given not in (None, "", first):
        raise ValidationError.for_fields(
            meta.name, None, {wf["state_field"]: [f"is set by the workflow {wf['_id']!r}; new records start in {first!r}."]}
        )
    doc.set(wf["state_field"], first)


def check_edit(ctx, meta, old: dict, changes: dict) -> None:
    """On save: the state only moves by transition, and only the state's editor edits."""
    wf = active(ctx, meta.name)
    if not wf:
        return
    field = wf["state_field"]
    if field in changes and changes[field] != old.get(field):
        raise ValidationError.for_fields(
            meta.name,
            old["name"],
            {field: [f"moves only by a workflow action ({', '.join(sorted({t['action'] for t in wf['transitions']}))})."]},
        )
    state = state_def(wf, old.get(field)) or {}
    editors = [r for r in (state.get("allow_edit"), state.get("also_edit")) if r]
    if not any(ctx.access.has_role(r) for r in editors):
        raise PermissionDenied(
            f"{meta.name} {old['name']!r} is {old.get(field)!r}: only {' or '.join(editors) or 'nobody'} may edit it now",
            doctype=meta.name,
            name=old["name"],
        )


def editable(ctx, meta, doc: dict) -> bool:
    """Whether the caller's roles may edit ``doc`` in its current workflow state."""
    wf = active(ctx, meta.name)
    if not wf:
        return True
    state = state_def(wf, doc.get(wf["state_field"])) or {}
    return any(ctx.access.has_role(r) for r in (state.get("allow_edit"), state.get("also_edit")) if r)


def comment_actions(wf: dict, state, actions) -> list[str]:
    """Of ``actions`` in ``state``, those that need a comment (a rejection's reason)."""
    return list(
        dict.fromkeys(
            t["action"] for t in wf["transitions"] if t["state"] == state and t.get("comment_required") and t["action"] in actions
        )
    )


def offer(wf: dict, state, actions, doc: dict, meta=None) -> list[dict]:
    """How each of ``actions`` (the caller's, in ``state``) is offered on ``doc``: ``action``;
    ``comment`` (needs a reason: taken where one is typed); ``confirm`` (destructive: asks
    first); ``ready`` (False: bound to fail now, not offered as a button); ``not_yet`` (what
    to do first, in words); ``inputs`` (the values given with it: field, label, fieldtype,
    required, the record's value)."""
    out = []
    for action in dict.fromkeys(actions):
        rows = [t for t in wf["transitions"] if t["state"] == state and t["action"] == action]
        ready = all(_condition_holds(t.get("offered_when"), doc) for t in rows)
        inputs = []
        for i in next((t.get("inputs") for t in rows if t.get("inputs")), None) or []:
            f = meta.get_field(i["field"]) if meta else None
            inputs.append(
                {
                    "field": i["field"],
                    "label": f.label if f else i["field"],
                    "fieldtype": f.fieldtype if f else "Data",
                    "required": bool(i.get("required")),
                    "value": doc.get(i["field"]),
                }
            )
        out.append(
            {
                "action": action,
                "comment": any(t.get("comment_required") for t in rows),
                "confirm": any(t.get("confirm") for t in rows),
                "ready": ready,
                "not_yet": None if ready else next((t.get("not_yet") for t in rows if t.get("not_yet")), f"{action}: not yet"),
                "inputs": inputs,
            }
        )
    return out


def is_task(offers: list[dict]) -> bool:
    """Whether a record waits for the caller's decision: some action of theirs on it is not a
    destructive one (retiring a published module is possible any day, and no one's task)."""
    return any(not o["confirm"] for o in offers)


def next_step(ctx, meta, doc: dict, wf: dict | None = None) -> str:
    """Who acts next on ``doc``, in words: "With the L1 reviewers of Ministry of Power" (the
    roles of the transitions out of its state, named as their Role records say, with the
    record's MDO for roles that work on their own MDOs); "" when no one acts on it now."""
    wf = wf or active(ctx, meta.name)
    if not wf:
        return ""
    state = doc.get(wf["state_field"])
    roles = list(dict.fromkeys(t["allowed"] for t in wf["transitions"] if t["state"] == state))
    if not roles:
        return ""
    defs = {r["_id"]: r for r in ctx.site.db["role"].find({"_id": {"$in": roles}})}
    people = [(defs.get(r) or {}).get("people") or r for r in roles]
    own = [  # roles that work on their own MDOs' records (not the officer's own role)
        r
        for r in roles
        if (defs.get(r) or {}).get("mdo_scope", "Own MDOs") == "Own MDOs" and not (defs.get(r) or {}).get("given_to_officers")
    ]
    mdo = doc.get(meta.tenant_field) if meta.is_tenant and "." not in meta.tenant_field else None
    where = f" of {mdo}" if own and isinstance(mdo, str) and mdo else ""
    return f"With {' or '.join(people)}{where}"


def refuse_direct_status(ctx, meta, name: str, action: str) -> None:
    wf = active(ctx, meta.name)
    if wf:
        raise DocStatusError(
            f"{meta.name} follows the workflow {wf['_id']!r}: {action} it through one of its actions",
            doctype=meta.name,
            name=name,
        )


def state_of(ctx, meta, doc: dict):
    """The record's workflow state, or None if its doctype has no active workflow."""
    wf = active(ctx, meta.name)
    return doc.get(wf["state_field"]) if wf else None


def state_def(wf, name):
    return next((s for s in wf["states"] if s["state"] == name), None)


def who_made(ctx, meta, doc) -> set:
    """Who may not check this record: its creator, whoever moved it into its state, and
    whoever edited it since."""
    last = ctx.site.db[LOG].find_one(
        {"ref_doctype": meta.name, "docname": doc["name"], "action": {"$ne": EDIT}}, sort=[("creation", -1), ("_id", -1)]
    )
    return {doc.get("owner"), last["owner"] if last else None, *(doc.get(EDITORS) or [])}


def edited(ctx, meta, old: dict, fieldnames) -> dict | None:
    """The platform keys a user's edit of ``old`` writes with it: its author among the
    record's editors in its current state (None: no workflow, the system, or no change)."""
    if not fieldnames or ctx.is_system or not active(ctx, meta.name):
        return None
    return {EDITORS: sorted({*(old.get(EDITORS) or []), ctx.user})}


def log_edit(ctx, meta, old: dict, fieldnames) -> None:
    """Show a user's edit in the record's workflow history, naming the fields it changed."""
    wf = active(ctx, meta.name) if fieldnames and not ctx.is_system else None
    if not wf:
        return
    labels = [meta.get_field(f).label if meta.get_field(f) else f for f in fieldnames]
    state = old.get(wf["state_field"])
    log(
        ctx,
        meta,
        old["name"],
        EDIT,
        state,
        state,
        f"changed {', '.join(labels)}",
        mdos=sorted(meta.tenant_values(old)) if meta.is_tenant else [],
        workflow_name=wf["_id"],
    )


def relaxed(ctx, meta, doc: dict) -> bool:
    """Whether the doctype's workflow relaxes maker-checker for the record's MDO."""
    return _relaxed_for(ctx, active(ctx, meta.name), doc, meta)


def _relaxed_for(ctx, wf, doc: dict, meta=None) -> bool:
    mdos = {r.get("mdo") for r in (wf or {}).get("relaxed_for") or []}
    if not mdos:
        return False
    meta = meta or ctx.registry.get(wf["document_type"])
    return bool(meta.is_tenant and meta.tenant_values(doc) and meta.tenant_values(doc) <= mdos)


def _condition_holds(cond, doc) -> bool:
    if not cond:
        return True
    field, op, value = cond
    return _OPS[str(op).lower()](doc.get(field), value)


def refusal(ctx, wf, transition, doc, makers: set) -> str | None:
    """Why the caller may not take ``transition`` now; None if they may."""
    if not ctx.access.has_role(transition["allowed"]):
        return f"only {transition['allowed']} may {transition['action']}"
    if not _condition_holds(transition.get("condition"), doc):
        field, op, value = transition["condition"]
        return f"{transition['action']} needs {field} {op} {value!r} (it is {doc.get(field)!r})"
    if not transition.get("allow_self_approval") and not ctx.is_system and ctx.user in makers and not _relaxed_for(ctx, wf, doc):
        return f"maker-checker: {ctx.user} created, last moved or edited this record and may not {transition['action']} it"
    return None


def _actions(ctx, meta, wf, doc: dict) -> list[str]:
    """The actions the caller may take on ``doc`` now."""
    state = doc.get(wf["state_field"])
    try:
        ctx.access.check_scope(meta, doc)
    except PermissionDenied:
        return []
    makers = who_made(ctx, meta, doc)
    return [t["action"] for t in wf["transitions"] if t["state"] == state and refusal(ctx, wf, t, doc, makers) is None]


def actions_for(ctx, meta, doc: dict) -> list[str]:
    """The actions the caller may take on ``doc`` now (none without a workflow)."""
    wf = active(ctx, meta.name)
    return _actions(ctx, meta, wf, doc) if wf else []


def actions_in(ctx, meta, wf: dict, doc: dict) -> list[str]:
    """The same, under a workflow the caller has already looked up."""
    return _actions(ctx, meta, wf, doc)


def history(ctx, meta, name: str) -> list[dict]:
    rows = ctx.site.db[LOG].find({"ref_doctype": meta.name, "docname": name}).sort([("creation", 1), ("_id", 1)])
    return [as_move(r) for r in rows]


def as_move(row: dict) -> dict:
    """A workflow log row as the history shows it: what was done, by whom, when and why."""
    return {
        "action": row["action"],
        "from_state": row.get("from_state"),
        "to_state": row["to_state"],
        "user": row["owner"],
        "at": row["creation"],
        "comment": row.get("comment"),
    }


def sent_back(wf: dict, moves: list[dict]) -> dict | None:
    """Who returned the record to its maker, when and why, while that return is its latest
    move (a reviewer's Reject into the workflow's first state): the maker must see the reason
    until they send the record on again, after which it is history, not its state.
    ``moves``: its workflow history, oldest first, as ``history`` gives it."""
    first = wf["states"][0]["state"] if wf.get("states") else None
    last = next((m for m in reversed(moves) if m["action"] != EDIT), None)
    if first is None or last is None or last["to_state"] != first or last.get("from_state") == first:
        return None
    return {"by": last["user"], "at": last["at"], "reason": last.get("comment") or "no reason given"}


def sent_back_among(ctx, meta, wf: dict, names) -> dict:
    """``sent_back`` for many records at once (a list's page, the maker's drafts), by name:
    only those returned to their maker appear; one read of the workflow log for them all."""
    names = list(names)
    if not names:
        return {}
    last = {}
    moves = ctx.site.db[LOG].find({"ref_doctype": meta.name, "docname": {"$in": names}, "action": {"$ne": EDIT}})
    for move in sorted(moves, key=lambda m: (m["creation"], m["_id"])):
        last[move["docname"]] = move
    out = {}
    for name, move in last.items():
        back = sent_back(wf, [as_move(move)])
        if back:
            out[name] = back
    return out


def info(ctx, meta, doc: dict, wf: dict | None = None) -> dict | None:
    """The record's workflow: its state, the caller's actions, its history (``wf``: the active
    workflow, when the caller has looked it up already)."""
    wf = wf or active(ctx, meta.name)
    if not wf:
        return None
    return {
        "workflow": wf["_id"],
        "state": doc.get(wf["state_field"]),
        "actions": _actions(ctx, meta, wf, doc),
        "history": history(ctx, meta, doc["name"]),
    }


def log(ctx, meta, name: str, action: str, from_state, to_state, comment=None, *, mdos=(), workflow_name=None) -> None:
    """Record a move in the record's workflow history (``workflow_action``)."""
    from bson import ObjectId

    if workflow_name is None:
        wf = active(ctx, meta.name)
        workflow_name = wf["_id"] if wf else None
    now = ctx.now()
    ctx.site.db[LOG].insert_one(
        {
            "_id": str(ObjectId()),
            "ref_doctype": meta.name,
            "docname": name,
            "workflow": workflow_name,
            "action": action,
            "from_state": from_state,
            "to_state": to_state,
            "comment": comment or None,
            "owner": ctx.user,
            "modified_by": ctx.user,
            "creation": now,
            "modified": now,
            "docstatus": 0,
            **({"mdos": list(mdos)} if mdos else {}),
        }
    )
