"""Beside an officer's record: their position, their gaps against its role map with what
teaches each, and their passbook; beside a role map: its position and the officers in it."""

from __future__ import annotations

from app import related
from app.errors import IgotError

from . import frac


def officer_position(ctx, officer: dict) -> dict | None:
    return related.one(ctx, "Position", "Position", officer.get("position"))


def officer_gaps(ctx, officer: dict) -> dict | None:
    try:
        gap = frac.officer_gap(ctx, officer["name"])
    except IgotError:
        return None
    items = []
    for c in gap["competencies"]:
        if not c["gap"]:
            continue
        teach = ", ".join(r["title"] for r in c["learning"][:2])
        items.append(
            {
                "text": f"{c['competency']}: at {c['current_level']}, the role needs {c['required_level']}",
                "doctype": "Competency",
                "name": c["competency"],
                "note": f"Learn from: {teach}" if teach else "Nothing published teaches it yet",
            }
        )
    if not items:
        items = [{"text": gap.get("message") or "No gaps: the officer meets their role map.", "note": ""}]
    return {"title": "Gaps against the role", "items": items, "total": len(items)}


def officer_passbook(ctx, officer: dict) -> dict | None:
    return related.records(ctx, "Passbook", "Passbook Entry", {"officer": officer["name"]}, order_by="acquired_on desc")


def role_map_position(ctx, role_map: dict) -> dict | None:
    return related.one(ctx, "Position", "Position", role_map.get("position"))


def role_map_officers(ctx, role_map: dict) -> dict | None:
    if not role_map.get("position"):
        return None
    return related.records(
        ctx,
        "Officers in this position",
        "Officer",
        {"position": role_map["position"]},
        order_by="full_name asc",
        note=lambda r: r.get("designation") or "",
    )
