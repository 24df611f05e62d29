"""The Programme module's API: eligibility, offerings open to an officer, credits, nominees
and fee claim totals."""

from __future__ import annotations

from app import query
from app.model import lifecycle, persistence
from doctypes.organisation import officers

from . import programme_rules as programme


def eligibility(call):
    """Every eligibility rule of an offering for an officer, with pass or fail and why."""
    c = call.ctx
    officer = persistence.to_db(lifecycle.get(c, "Officer", call.arg("officer")).as_dict())
    offering = persistence.to_db(lifecycle.get(c, "Course Offering", call.arg("offering")).as_dict())
    answer = programme.eligibility(c.site.unguarded_db, officer, offering, c.now().date())
    open_, why = programme.registration_open(offering, c.now().date())
    return call.data({**answer, "registration_open": open_, "registration": why})


def eligible_courses(call):
    return call.data(programme.eligible_offerings(call.ctx, call.arg("officer")))


def credits(call):
    """The credit ledger and its balance."""
    c = call.ctx
    off = officers.officer_records(c, "Credit Entry", call.arg("officer"))
    # The caller may read this officer's ledger: all of it, by officer (wherever it was posted).
    rows, _ = query.get_list(
        c.as_system(),
        "Credit Entry",
        filters={"officer": off["name"]},
        order_by="posted_on",
        limit=query.MAX_LIMIT,
        with_total=False,
    )
    return call.data({"officer": call.arg("officer"), "balance": sum(r["points"] for r in rows), "ledger": rows})


def nominees(call):
    """Nominees of a training programme, ranked, MicroMasters completers first."""
    c = call.ctx
    lifecycle.get(c, "Training Programme", call.arg("programme"))
    return call.data(programme.ranked_nominees(c, call.arg("programme")))


def claim_totals(call):
    return call.data(programme.claim_totals(call.ctx, call.arg("by") or "mdo"))
