"""Beside an officer's record: their certificates and what their MDO's live plans ask of them."""

from __future__ import annotations

from app import related
from app.errors import IgotError

from . import plans


def officer_certificates(ctx, officer: dict) -> dict | None:
    return related.records(
        ctx,
        "Certificates",
        "Certificate",
        {"officer": officer["name"]},
        order_by="issued_on desc",
        note=lambda r: plans.indian_date(r.get("issued_on")),
    )


def officer_plans(ctx, officer: dict) -> dict | None:
    from doctypes.frac import frac

    try:
        items = frac.officer_plan(ctx, officer["name"])
    except IgotError:
        return None
    rows = [
        {
            "text": f"{i['item']} ({i['plan_name']})",
            "doctype": "Capacity Building Plan",
            "name": i["plan"],
            "note": "Done" if i["completed"] else (f"Due {plans.indian_date(i['due_date'])}" if i.get("due_date") else "To do"),
        }
        for i in items
    ]
    return {"title": "Plans", "items": rows, "total": len(rows)} if rows else None
