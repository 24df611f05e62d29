"""Officers as the other modules ask about them: the signed-in user's own officer record,
reading an officer's records in another doctype, and an MDO's figures."""

from __future__ import annotations


def own_officer(ctx) -> dict | None:
    """The signed-in user's own officer record (``_id``, ``full_name``), by its unique e-mail."""
    return ctx.site.unguarded("officer").find_one({"email": ctx.user}, {"_id": 1, "full_name": 1})


def require_own_officer(ctx, doing: str) -> dict:
    """The signed-in user's own officer record; a ValidationError saying only officers do
    ``doing`` (take modules, take assessments) when they have none."""
    from app.errors import ValidationError

    officer = own_officer(ctx)
    if officer is None:
        raise ValidationError(
            f"{ctx.user} is not an officer; only officers {doing}",
            errors={"officer": ["no officer has this user's e-mail"]},
        )
    return officer


def officer_records(ctx, doctype: str, officer: str) -> dict:
    """The officer (as the caller may read it), once the caller is known to read ``doctype``
    records of that officer (a passbook, a credit ledger); they are then read by officer,
    wherever they were posted. NotFound or PermissionDenied otherwise."""
    from app.model import lifecycle

    off = lifecycle.read(ctx, "Officer", officer)
    ctx.access.check(
        ctx.registry.get(doctype), "read", {"mdo": off.get("mdo"), "officer_email": off.get("email"), "name": off["name"]}
    )
    return off


def check_mdo(ctx, meta, mdo: str) -> None:
    """NotFound unless the caller reads ``meta``'s records of ``mdo`` (another MDO's figures
    look like a missing MDO)."""
    from app.errors import NotFound

    ctx.access.check(meta, "read")
    try:
        ctx.access.check(meta, "read", {"mdo": mdo, "name": mdo})
    except NotFound:
        raise NotFound(f"MDO {mdo!r} not found", doctype="MDO", name=mdo) from None


def all_placed(ctx) -> bool:
    """Every officer the caller reads holds a position (and there is at least one): the
    nodal officer's checklist step "Give every officer a position"."""
    from app import query

    return query.count(ctx, "Officer") > 0 and query.count(ctx, "Officer", filters=[["position", "is", "not set"]]) == 0
