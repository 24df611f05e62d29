"""Library: a module the tests add, in its own folder only (a doctype, an API method, an
admin page, a background job): the engine is not touched."""

from app.registry import ApiMethod, Job, Module, Page, Param

from . import api
from .pages import LoansView


def _check_count(ctx, args):
    ctx.access.check(ctx.registry.get("Book Loan"), "read")


def _run_count(ctx, args, progress):
    from app import query

    progress(1, 1, "counted")
    return {"open": query.count(ctx, "Book Loan", filters={"returned": False})}


MODULE = Module(
    name="Library",
    after=("Organisation",),
    methods=(
        ApiMethod(
            "overdue_loans",
            api.overdue_loans,
            "Loans past their due date",
            tag="Library",
            params=(Param("on", description="the day to count from (YYYY-MM-DD); today by default"),),
        ),
    ),
    pages=(Page(LoansView, "Books on Loan", "loans", "loans", "Library"),),
    jobs=(Job("count_loans", "Count open loans", _check_count, _run_count),),
)
