"""Document actions: operations a doctype offers beyond save and its workflow, declared in the
meta (``"actions": [{"name": "new_version", "label": "Start a New Version", "roles": [...],
"states": ["Verified"]}]``) and carried out by the controller's ``action_<name>`` method.

The caller must be able to read the record, hold one of the action's roles (any role if none
are listed), have the record within their MDOs, and find it in one of the action's workflow
states. The method then does its work through the lifecycle, so everything it writes passes
the caller's own permission checks too.
"""

from __future__ import annotations

from app.errors import PermissionDenied, ValidationError
from app.model import lifecycle, workflow


def _state(ctx, meta, doc: dict):
    wf = workflow.active(ctx, meta.name)
    return doc.get(wf["state_field"]) if wf else None


def _refusal(ctx, meta, spec: dict, doc: dict) -> str | None:
    roles = spec.get("roles") or []
    if roles and not any(ctx.access.has_role(r) for r in roles):
        return f"only {' or '.join(roles)} may {spec['label']}"
    if spec.get("states") and _state(ctx, meta, doc) not in spec["states"]:
        return f"{spec['label']} applies only to records in state {' or '.join(spec['states'])} (this one is {_state(ctx, meta, doc)!r})"
    try:
        ctx.access.check_scope(meta, doc)
    except PermissionDenied as exc:
        return exc.message
    return None


def available(ctx, meta, doc: dict) -> list[dict]:
    """The actions the caller may take on ``doc`` now, as their specs."""
    return [spec for spec in meta.actions if _refusal(ctx, meta, spec, doc) is None]


def run(ctx, doctype: str, name: str, action: str, args: dict | None = None):
    """Carry out ``action``; returns what the controller's method returns (usually a Document)."""
    doc = lifecycle.get(ctx, doctype, name)
    meta = doc.meta
    spec = next((a for a in meta.actions if a["name"] == action), None)
    if spec is None:
        possible = ", ".join(a["name"] for a in meta.actions) or "none"
        raise ValidationError.for_fields(
            doctype, name, {"action": [f"{action!r} is not an action of {doctype}; possible: {possible}."]}
        )
    why = _refusal(ctx, meta, spec, doc.as_dict())
    if why:
        raise PermissionDenied(f"{doctype} {name!r}: {why}", doctype=doctype, name=name)
    args = args or {}
    inputs = spec.get("inputs") or []
    missing = {
        i["name"]: [f"{i['label']} is needed to {spec['label']}."]
        for i in inputs
        if i.get("required") and not str(args.get(i["name"]) or "").strip()
    }
    if missing:
        raise ValidationError.for_fields(doctype, name, missing)
    return getattr(doc, f"action_{action}")(**{i["name"]: args.get(i["name"]) for i in inputs})
