"""The FRAC module's API methods: gaps, passbooks, talent, plans and the MDO dashboard."""

from __future__ import annotations

from app.errors import ValidationError
from doctypes.organisation import activity, officers

from . import frac


def gap(call):
    """``?officer=<name>``: the officer's gaps against their position's verified role map;
    ``?mdo=<name>``: per competency (and position), officers short and the average gap."""
    if call.arg("officer"):
        return call.data(frac.officer_gap(call.ctx, call.arg("officer")))
    if call.arg("mdo"):
        return call.data(frac.mdo_gap(call.ctx, call.arg("mdo")))
    raise ValidationError("give officer=<name> or mdo=<name>", errors={"officer": ["give officer or mdo"]})


def passbook(call):
    return call.data(frac.passbook(call.ctx, call.arg("officer")))


def talent(call):
    limit = min(max(call.arg("limit") or 50, 1), 1000)
    return call.data(frac.talent(call.ctx, call.arg("competency"), call.arg("level"), call.arg("mdo"), limit))


def my_plan(call):
    return call.data(frac.officer_plan(call.ctx, call.arg("officer")))


def plan_progress(call):
    return call.data(frac.plan_progress(call.ctx, call.arg("plan")))


def mdo_dashboard(call):
    """Officers onboarded, enrolments and certificates per month and in total, and the top
    competency gaps, from rollups only: of ``mdo``, or of the caller's MDOs (every MDO for
    roles that work across them)."""
    c = call.ctx
    meta = c.registry.get("Gap Summary")
    c.access.check(meta, "read")
    mdo = call.arg("mdo")
    if mdo:
        officers.check_mdo(c, meta, mdo)
        mdos = [mdo]
    else:
        mdos = None if not c.access.link_filter(meta) else sorted(c.access.mdos)
    return call.data(activity.dashboard(c, mdos))
