"""Who verifies an MDO's role maps. A role map sent for review waits for the holders of the
roles that act on it in review (FRAC Reviewer L1, then L2) in its MDO; the System Manager
appoints them. Where nobody holds one, the map would wait for no one: the nodal officer is
told before she sends it (beside the record, and on her checklist), and the System Manager's
home lists the MDOs being onboarded without reviewers."""

from __future__ import annotations

from app.access import roles_with

DOCTYPE = "Role Map"
REVIEW_STATES = ("Submitted", "L1 Verified")  # the states in which a map waits for reviewers


def review_roles(site) -> list[str]:
    """The roles that act on a role map in review, in the order they act (from the workflow)."""
    flow = site.unguarded("workflow").find_one({"document_type": DOCTYPE, "is_active": True}) or {}
    out: list[str] = []
    for state in REVIEW_STATES:
        for t in flow.get("transitions", []):
            if t.get("state") == state and t.get("allowed") not in out:
                out.append(t["allowed"])
    return out


def _covered(site, role: str) -> set[str]:
    """The MDOs in which an enabled user holds ``role``."""
    users = site.unguarded("user").find({"roles.role": role}, {"mdos": 1, "enabled": 1})
    return {m.get("mdo") for u in users if u.get("enabled") is not False for m in u.get("mdos") or []}


def missing(site, mdo: str) -> list[str]:
    """The review roles nobody holds in ``mdo``."""
    return [role for role in review_roles(site) if mdo not in _covered(site, role)]


def mdos_without_reviewers(site) -> list[tuple[str, list[str]]]:
    """The MDOs being onboarded (with a nodal officer) where a review role has no holder."""
    leads = site.unguarded("user").find({"roles.role": {"$in": roles_with(site, "lead_an_mdo")}}, {"mdos": 1})
    onboarding = sorted({m.get("mdo") for u in leads for m in u.get("mdos") or [] if m.get("mdo")})
    roles = review_roles(site)
    covered = {role: _covered(site, role) for role in roles}
    out = []
    for mdo in onboarding:
        absent = [role for role in roles if mdo not in covered[role]]
        if absent:
            out.append((mdo, absent))
    return out


def words(site, mdo: str, roles: list[str]) -> str:
    """The MDO by its name, as people read it (its record's id may be a code)."""
    row = site.unguarded("mdo").find_one({"_id": mdo}, {"mdo_name": 1}) or {}
    return f"Nobody holds {' or '.join(roles)} in {row.get('mdo_name') or mdo}"


# The checklists' tests -----------------------------------------------------------------------


def mdo_has_reviewers(ctx) -> bool:
    return bool(ctx.access.mdos) and not any(missing(ctx.site, mdo) for mdo in ctx.access.mdos)


def mdo_missing_detail(ctx) -> list[dict]:
    out = []
    for mdo in sorted(ctx.access.mdos):
        absent = missing(ctx.site, mdo)
        if absent:
            out.append({"text": f"{words(ctx.site, mdo, absent)}: ask the System Manager to appoint them.", "url": ""})
    return out


def every_mdo_has_reviewers(ctx) -> bool:
    return not mdos_without_reviewers(ctx.site)


def mdos_missing_detail(ctx) -> list[dict]:
    return [
        {"text": f"{words(ctx.site, mdo, absent)}.", "url": "/admin/user/new/"}
        for mdo, absent in mdos_without_reviewers(ctx.site)[:20]
    ]


def role_map_reviewers(ctx, role_map: dict) -> dict | None:
    """Beside a role map not yet verified: which review role has no holder in its MDO."""
    if role_map.get("workflow_state") not in (None, "", "Draft", *REVIEW_STATES) or not role_map.get("mdo"):
        return None
    absent = missing(ctx.site, role_map["mdo"])
    if not absent:
        return None
    sent = role_map.get("workflow_state") in REVIEW_STATES
    note = (
        "It waits for them: the System Manager appoints reviewers."
        if sent
        else "Sent for review now, it would wait for no one: ask the System Manager to appoint them first."
    )
    return {
        "title": "Reviewers",
        "items": [{"text": words(ctx.site, role_map["mdo"], absent), "note": note}],
        "total": 1,
        "warning": True,
    }
