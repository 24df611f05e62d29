"""The FRAC module's charts on the admin home."""

from __future__ import annotations

from app import query
from app.errors import PermissionDenied
from doctypes.organisation.figures import mdo_scope, monthly, rollup


def gaps(ctx) -> list[dict]:
    """Top competency gaps, from the gap rollup (kept current as passbooks, positions and
    role maps change)."""
    try:
        top = rollup(ctx, "Gap Summary")[0]["top_gaps"]
    except PermissionDenied:
        return []
    return [
        {
            "id": "chart-gaps",
            "title": "Top competency gaps: officers below the level their role map requires",
            "type": "bar",
            "labels": [r["competency"] for r in top],
            "values": [r["officers_short"] for r in top],
        }
    ]


passbook_verified = monthly(
    "chart-passbook", "Competencies verified in passbooks per month", "Passbook Entry", "passbook_verified"
)


def gaps_by_position(ctx) -> list[dict]:
    """Where the gaps are: each position's count of gaps (an officer below their role map's
    level in one competency counts once), the ten largest, in the user's MDOs."""
    try:
        mdo_scope(ctx, "Officer Gap")  # refused to a learner, who reads only their own
        rows = query.aggregate(
            ctx,
            "Officer Gap",
            [
                {"$match": {"gap": {"$gt": 0}}},
                {"$group": {"_id": "$position_name", "n": {"$sum": 1}}},
                {"$sort": {"n": -1, "_id": 1}},
                {"$limit": 10},
            ],
        )
    except PermissionDenied:
        return []
    return [
        {
            "id": "chart-gaps-by-position",
            "title": "Competency gaps by position (the ten with most)",
            "type": "bar",
            "labels": [r["_id"] or "(no position name)" for r in rows],
            "values": [r["n"] for r in rows],
        }
    ]
