"""Home: the user's roles and MDOs, charts from live data, and counts of what they can see."""
from __future__ import annotations

from flask_admin import AdminIndexView, expose

from app import query
from doctypes.organisation import activity
from app.errors import PermissionDenied

from .common import Guarded, user_ctx


class HomeView(Guarded, AdminIndexView):
    @expose("/")
    def index(self):
        ctx = user_ctx()
        counts = []
        for meta in ctx.registry:
            if meta.is_child or meta.module == "Tests":
                continue
            try:
                counts.append((meta, query.count(ctx, meta.name)))
            except PermissionDenied:
                continue
        return self.render("igot/home.html", user=ctx.user, roles=sorted(getattr(ctx.access, "roles", [])),
                           mdos=sorted(getattr(ctx.access, "mdos", [])), counts=counts, charts=dashboard(ctx))


DASHBOARD_SECONDS = 60


_dashboards: dict = {}


def dashboard(ctx) -> list[dict]:
    """The home page's charts, recomputed at most once a minute for each access scope (the
    same roles and MDOs see the same figures)."""
    import time

    access = ctx.access
    key = (id(ctx.site), tuple(sorted(getattr(access, "roles", ()))), tuple(sorted(getattr(access, "mdos", ()))))
    cached = _dashboards.get(key)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    charts = _dashboard(ctx)
    _dashboards[key] = (time.monotonic() + DASHBOARD_SECONDS, charts)
    return charts


def _dashboard(ctx) -> list[dict]:
    """Charts from live data, through the access layer: officers onboarded per month, officers
    by MDO (by service for a single MDO), enrolments and certificates per month, the top
    competency gaps, fee reimbursements, and the competencies verified per month."""
    charts = []
    figures = _rollup_figures(ctx)
    try:
        charts += _officer_charts(ctx, figures)
    except PermissionDenied:
        pass
    try:  # from the MDO dashboard's rollup (app.activity), scoped like the enrolments the user may read
        months = figures("Enrolment")[0]["months"]
        for chart_id, title, metric in (("chart-enrolments", "Enrolments per month", "enrolments"),
                                        ("chart-certificates", "Certificates issued per month", "certificates")):
            charts.append({"id": chart_id, "title": title, "type": "line",
                           "labels": [r["month"] for r in months[metric]], "values": [r["count"] for r in months[metric]]})
    except PermissionDenied:
        pass
    try:  # read from the gap rollup, kept current as passbooks, positions and role maps change
        gaps = figures("Gap Summary")[0]["top_gaps"]
        charts.append({"id": "chart-gaps", "title": "Top competency gaps: officers below the level their role map requires",
                       "type": "bar", "labels": [r["competency"] for r in gaps], "values": [r["officers_short"] for r in gaps]})
    except PermissionDenied:
        pass
    from doctypes.programmes import programme_rules as programme

    if any(ctx.access.has_role(r) for r in programme.TOTALS_ROLES):
        try:
            # a few thousand claims a year: summed by month here, in the subset every server has
            per_month: dict[str, float] = {}
            for claim in query.aggregate(ctx, "Reimbursement Claim", [
                    {"$match": {"workflow_state": {"$in": ["Approved", "Paid"]}}},
                    {"$project": {"creation": 1, "approved_amount": 1}}]):
                month = claim["creation"].strftime("%Y-%m")
                per_month[month] = per_month.get(month, 0) + (claim.get("approved_amount") or 0)
            months = sorted(per_month)[-12:]
            charts.append({"id": "chart-claims", "title": "Fee reimbursements approved or paid per month (USD)", "type": "bar",
                           "labels": months, "values": [round(per_month[m], 2) for m in months]})
        except PermissionDenied:
            pass
    try:  # from the MDO dashboard's rollup, scoped like the passbook entries the user may read
        verified = figures("Passbook Entry")[0]["months"]["passbook_verified"]
        charts.append({"id": "chart-passbook", "title": "Competencies verified in passbooks per month", "type": "line",
                       "labels": [r["month"] for r in verified], "values": [r["count"] for r in verified]})
    except PermissionDenied:
        pass
    return charts


def _mdo_scope(ctx, doctype: str) -> list[str] | None:
    """The MDOs whose figures the user sees for ``doctype``: None for every MDO; refused for
    users who read only their own records (a learner sees no MDO-wide figures)."""
    meta = ctx.registry.get(doctype)
    ctx.access.check(meta, "read")
    grant = getattr(ctx.access, "_grant", None)
    if grant and grant(meta, "read")[1]:
        raise PermissionDenied(f"{ctx.user} reads only their own {doctype} records")
    return None if not ctx.access.link_filter(meta) else sorted(getattr(ctx.access, "mdos", []))


def _rollup_figures(ctx):
    """``figures(doctype)`` -> (the MDO dashboard's figures, scope) for the MDOs whose
    ``doctype`` records the user reads; read once per scope (the charts mostly share one)."""
    seen: dict = {}

    def figures(doctype: str):
        scope = _mdo_scope(ctx, doctype)
        key = None if scope is None else tuple(scope)
        if key not in seen:
            seen[key] = activity.dashboard(ctx, scope)
        return seen[key], scope

    return figures


def _officer_charts(ctx, figures) -> list[dict]:
    dashboard, scope = figures("Officer")
    monthly = dashboard["months"]["officers"]
    charts = [{"id": "chart-onboarded", "title": "Officers onboarded per month", "type": "line",
               "labels": [r["month"] for r in monthly], "values": [r["count"] for r in monthly]}]
    single = len(getattr(ctx.access, "mdos", ())) == 1 and not ctx.access.has_role("System Manager")
    if single:  # one MDO's officers by service: an aggregation on that MDO's slice of the mdo index
        by = query.count_by(ctx, "Officer", "service")
        labels, values = [value or "(none)" for value, _ in by], [n for _, n in by]
    else:
        top = activity.by_mdo(ctx, scope, "officers")[:10]
        labels, values = [r["mdo"] for r in top], [r["count"] for r in top]
    charts.append({"id": "chart-by", "title": "Officers by service" if single else "Officers by MDO (top 10)", "type": "bar",
                   "labels": labels, "values": values})
    return charts
