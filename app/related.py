"""Sections of what belongs to a record (``Module.related``), read through the access layer:
a section lists the records the user may read and is left out when they may read none."""

from __future__ import annotations

from collections.abc import Callable

from app import query
from app.errors import IgotError, PermissionDenied

LIMIT = 8


def records(
    ctx,
    title: str,
    doctype: str,
    filters: dict,
    *,
    order_by: str | None = None,
    text: Callable | None = None,
    note: Callable | None = None,
    limit: int = LIMIT,
) -> dict | None:
    """The ``doctype`` records matching ``filters`` that the user may read, newest first by
    ``order_by``: each with its title (or ``text(row)``) and a note (``note(row)``, else its
    workflow state)."""
    meta = ctx.registry.get(doctype)
    try:
        rows, total = query.get_list(ctx, doctype, filters=filters, order_by=order_by, limit=limit)
    except (PermissionDenied, IgotError):
        return None
    items = []
    for row in rows:
        shown = text(row) if text else (row.get(meta.title_field) if meta.title_field else None)
        items.append(
            {
                "text": shown or row["name"],
                "doctype": doctype,
                "name": row["name"],
                "note": note(row) if note else row.get("workflow_state") or "",
            }
        )
    return {"title": title, "items": items, "total": total, "more": (doctype, tuple((k, "=", v) for k, v in filters.items()))}


def one(ctx, title: str, doctype: str, name: str | None, note: str = "") -> dict | None:
    """A single linked record (an officer's position), if the user may read it."""
    from app.model import lifecycle

    if not name:
        return None
    try:
        row = lifecycle.read(ctx, doctype, name)
    except IgotError:
        return None
    meta = ctx.registry.get(doctype)
    text = (row.get(meta.title_field) if meta.title_field else None) or name
    return {"title": title, "items": [{"text": text, "doctype": doctype, "name": name, "note": note}], "total": 1}
