"""The admin home's charts from the MDO dashboard's rollup (``activity``), read once per
access scope, and the Organisation module's own: officers onboarded, and by MDO or service."""

from __future__ import annotations

from app import query
from app.errors import PermissionDenied

from . import activity


def mdo_scope(ctx, doctype: str) -> list[str] | None:
    """The MDOs whose figures the user sees for ``doctype``: None for every MDO; refused for
    users who read only their own records (a learner sees no MDO-wide figures)."""
    meta = ctx.registry.get(doctype)
    ctx.access.check(meta, "read")
    if ctx.access.owner_only(meta):
        raise PermissionDenied(f"{ctx.user} reads only their own {doctype} records")
    return None if not ctx.access.link_filter(meta) else sorted(ctx.access.mdos)


def rollup(ctx, doctype: str) -> tuple[dict, list | None]:
    """(the MDO dashboard's figures, the MDOs they cover) for the MDOs whose ``doctype``
    records the user reads; read once per scope and request (the charts mostly share one)."""
    scope = mdo_scope(ctx, doctype)
    cache = ctx.__dict__.setdefault("_rollup_figures", {})
    key = None if scope is None else tuple(scope)
    if key not in cache:
        cache[key] = activity.dashboard(ctx, scope)
    return cache[key], scope


def monthly(chart_id: str, title: str, doctype: str, metric: str):
    """A line chart of one of the rollup's monthly figures, for users who read ``doctype``."""

    def build(ctx) -> list[dict]:
        try:
            months = rollup(ctx, doctype)[0]["months"][metric]
        except PermissionDenied:
            return []
        return [
            {
                "id": chart_id,
                "title": title,
                "type": "line",
                "labels": [r["month"] for r in months],
                "values": [r["count"] for r in months],
            }
        ]

    return build


def officers_by(ctx) -> list[dict]:
    """Officers by MDO (the top 10), or by service for a user of a single MDO."""
    try:
        _, scope = rollup(ctx, "Officer")
    except PermissionDenied:
        return []
    single = len(ctx.access.mdos) == 1 and not ctx.access.reads_all_mdos()
    if single:  # one MDO's officers by service: an aggregation on that MDO's slice of the mdo index
        by = query.count_by(ctx, "Officer", "service")
        labels, values = [value or "(none)" for value, _ in by], [n for _, n in by]
    else:
        top = activity.by_mdo(ctx, scope, "officers")[:10]
        labels, values = [r["mdo"] for r in top], [r["count"] for r in top]
    return [
        {
            "id": "chart-by",
            "title": "Officers by service" if single else "Officers by MDO (top 10)",
            "type": "bar",
            "labels": labels,
            "values": values,
        }
    ]
