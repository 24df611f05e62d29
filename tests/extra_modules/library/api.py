"""The Library module's API method: loans past their due date, read through the access layer."""

from app import query


def overdue_loans(call):
    today = call.arg("on") or call.ctx.now().date().isoformat()
    rows, _ = query.get_list(
        call.ctx,
        "Book Loan",
        filters=[["returned", "=", False], ["due_on", "<", today]],
        order_by="due_on",
        limit=query.MAX_LIMIT,
        with_total=False,
    )
    return call.data([{"name": r["name"], "title": r["title"], "due_on": r["due_on"]} for r in rows])
