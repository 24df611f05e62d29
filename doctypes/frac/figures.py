"""The FRAC module's charts on the admin home."""

from __future__ import annotations

from app.errors import PermissionDenied
from doctypes.organisation.figures import monthly, rollup


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
