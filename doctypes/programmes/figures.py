"""The Programme module's charts on the admin home."""

from __future__ import annotations

from app import query
from app.errors import PermissionDenied
from doctypes.organisation.figures import monthly

enrolments = monthly("chart-enrolments", "Enrolments per month", "Enrolment", "enrolments")


def claims(ctx) -> list[dict]:
    """Fee reimbursements approved or paid per month: a few thousand claims a year, summed by
    month here, in the query subset every server has."""
    if not ctx.access.can("see_claim_totals"):
        return []
    per_month: dict[str, float] = {}
    try:
        for claim in query.aggregate(
            ctx,
            "Reimbursement Claim",
            [{"$match": {"workflow_state": {"$in": ["Approved", "Paid"]}}}, {"$project": {"creation": 1, "approved_amount": 1}}],
        ):
            month = claim["creation"].strftime("%Y-%m")
            per_month[month] = per_month.get(month, 0) + (claim.get("approved_amount") or 0)
    except PermissionDenied:
        return []
    months = sorted(per_month)[-12:]
    return [
        {
            "id": "chart-claims",
            "title": "Fee reimbursements approved or paid per month (USD)",
            "type": "bar",
            "labels": months,
            "values": [round(per_month[m], 2) for m in months],
        }
    ]
