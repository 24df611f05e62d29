"""Taking a workflow action on a record: the rules are ``workflow``'s, the change is the
lifecycle's (``move``), and the action is logged in the record's history. A transition with
``inputs`` takes values for those fields with it (Pay: the date and the payment reference),
checked like any edit and written in the same change; no other field may be given."""

from __future__ import annotations

from app.errors import PermissionDenied, ValidationError
from app.model import lifecycle, validation, workflow


def apply(
    ctx, doctype: str, name: str, action: str, comment: str | None = None, *, expected_modified=None, values: dict | None = None
):
    """Take ``action`` on a record, with ``values`` for the transition's inputs; returns the
    Document in its new state."""
    doc = lifecycle.get(ctx, doctype, name)  # tenancy and read permission
    meta, old = doc.meta, doc.as_dict()
    ctx.access.check_scope(meta, old)  # a transition changes the record: it must be in the caller's MDOs
    lifecycle.check_expected(meta, old, expected_modified)
    wf = workflow.active(ctx, doctype)
    if not wf:
        raise ValidationError.for_fields(doctype, name, {"action": [f"{doctype} has no active workflow."]})
    state = old.get(wf["state_field"])
    candidates = [t for t in wf["transitions"] if t["state"] == state and t["action"] == action]
    if not candidates:
        possible = sorted({t["action"] for t in wf["transitions"] if t["state"] == state})
        raise ValidationError.for_fields(
            doctype, name, {"action": [f"{action!r} is not an action from {state!r}; possible: {', '.join(possible) or 'none'}."]}
        )
    makers = workflow.who_made(ctx, meta, old)
    reasons = [workflow.refusal(ctx, wf, t, old, makers) for t in candidates]
    transition = next((t for t, why in zip(candidates, reasons) if why is None), None)
    if transition is None:
        raise PermissionDenied(f"{doctype} {name!r}: {reasons[0]}", doctype=doctype, name=name)
    if transition.get("comment_required") and not (comment or "").strip():
        raise ValidationError.for_fields(doctype, name, {"comment": [f"{action} needs a comment saying why."]})
    given = _inputs(ctx, meta, name, transition, values or {})
    target = workflow.state_def(wf, transition["next_state"])
    result = lifecycle.move(
        ctx,
        meta,
        old,
        {**given, wf["state_field"]: target["state"], "docstatus": int(target.get("docstatus", 0))},
        platform={workflow.EDITORS: []},
    )  # a new state: its makers are its mover and whoever edits it next
    workflow.log(
        ctx,
        meta,
        name,
        action,
        state,
        target["state"],
        comment,
        mdos=sorted(meta.tenant_values(old)) if meta.is_tenant else [],
        workflow_name=wf["_id"],
    )
    lifecycle.supersede_previous(ctx, meta, result.as_dict())
    object.__setattr__(
        result,
        "transition",
        {"action": action, "from_state": state, "to_state": target["state"], "comment": comment or None, "by": ctx.user},
    )
    for event in ctx.site.modules.events_for(doctype, "after_transition"):
        event.handler(result)  # who is told (app.notifications), and the modules' own effects
    return result


def _inputs(ctx, meta, name: str, transition: dict, values: dict) -> dict:
    """The values given with ``transition``, coerced; each missing required one and each
    field the action does not take is named, by label."""
    action, inputs = transition["action"], transition.get("inputs") or []
    taken = {i["field"] for i in inputs}

    def label(field):
        f = meta.get_field(field)
        return f.label if f else field

    errors = {
        k: [f"is not given with {action} (it takes {', '.join(label(i['field']) for i in inputs) or 'no values'})."]
        for k in values
        if k not in taken
    }
    clean, bad = validation.coerce(ctx, meta, {k: v for k, v in values.items() if k in taken})
    errors.update(bad)
    for i in inputs:
        value = clean.get(i["field"])
        if i.get("required") and i["field"] not in errors and (value is None or (isinstance(value, str) and not value.strip())):
            errors[i["field"]] = [f"{label(i['field'])} is needed to {action}."]
    if errors:
        raise ValidationError.for_fields(meta.name, name, errors)
    return {k: v.strip() if isinstance(v, str) else v for k, v in clean.items()}
