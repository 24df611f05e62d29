"""Home: the user's roles and MDOs, charts from live data, and counts of what they can see."""
from __future__ import annotations

from flask_admin import AdminIndexView, expose

from app import query
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
    try:
        charts += _officer_charts(ctx)
    except PermissionDenied:
        pass
    try:
        for chart_id, title, match, date in (("chart-enrolments", "Enrolments per month", {}, "$creation"),
                                             ("chart-certificates", "Certificates issued per month", {"workflow_state": "Certified"}, "$modified")):
            rows = query.aggregate(ctx, "Enrolment", ([{"$match": match}] if match else []) + [
                {"$group": {"_id": {"$dateToString": {"format": "%Y-%m", "date": date}}, "n": {"$sum": 1}}}, {"$sort": {"_id": 1}}])
            charts.append({"id": chart_id, "title": title, "type": "line",
                           "labels": [r["_id"] for r in rows][-12:], "values": [r["n"] for r in rows][-12:]})
    except PermissionDenied:
        pass
    try:  # read from the gap rollup, kept current as passbooks, positions and role maps change
        gaps = query.aggregate(ctx, "Gap Summary", [
            {"$group": {"_id": "$competency", "short": {"$sum": "$officers_short"}}},
            {"$match": {"short": {"$gt": 0}}}, {"$sort": {"short": -1, "_id": 1}}, {"$limit": 10}])
        charts.append({"id": "chart-gaps", "title": "Top competency gaps: officers below the level their role map requires",
                       "type": "bar", "labels": [r["_id"] for r in gaps], "values": [r["short"] for r in gaps]})
    except PermissionDenied:
        pass
    from app import programme

    if any(ctx.access.has_role(r) for r in programme.TOTALS_ROLES):
        try:
            claims = query.aggregate(ctx, "Reimbursement Claim", [
                {"$match": {"workflow_state": {"$in": ["Approved", "Paid"]}}},
                {"$group": {"_id": {"$dateToString": {"format": "%Y-%m", "date": "$creation"}}, "amount": {"$sum": "$approved_amount"}}},
                {"$sort": {"_id": 1}}])
            charts.append({"id": "chart-claims", "title": "Fee reimbursements approved or paid per month (USD)", "type": "bar",
                           "labels": [r["_id"] for r in claims][-12:], "values": [round(r["amount"] or 0, 2) for r in claims][-12:]})
        except PermissionDenied:
            pass
    try:
        verified = query.aggregate(ctx, "Passbook Entry", [
            {"$match": {"workflow_state": "Verified"}},
            {"$group": {"_id": {"$dateToString": {"format": "%Y-%m", "date": "$modified"}}, "n": {"$sum": 1}}},
            {"$sort": {"_id": 1}}])
        charts.append({"id": "chart-passbook", "title": "Competencies verified in passbooks per month", "type": "line",
                       "labels": [r["_id"] for r in verified][-12:], "values": [r["n"] for r in verified][-12:]})
    except PermissionDenied:
        pass
    return charts


def _officer_charts(ctx) -> list[dict]:
    monthly = query.aggregate(ctx, "Officer", [
        {"$group": {"_id": {"$dateToString": {"format": "%Y-%m", "date": "$creation"}}, "n": {"$sum": 1}}},
        {"$sort": {"_id": 1}}])
    charts = [{"id": "chart-onboarded", "title": "Officers onboarded per month", "type": "line",
               "labels": [r["_id"] for r in monthly][-12:], "values": [r["n"] for r in monthly][-12:]}]
    single = len(getattr(ctx.access, "mdos", ())) == 1 and not ctx.access.has_role("System Manager")
    key = "$service" if single else "$mdo"
    by = query.aggregate(ctx, "Officer", [{"$group": {"_id": key, "n": {"$sum": 1}}}, {"$sort": {"n": -1, "_id": 1}}, {"$limit": 10}])
    charts.append({"id": "chart-by", "title": "Officers by service" if single else "Officers by MDO (top 10)", "type": "bar",
                   "labels": [r["_id"] or "(none)" for r in by], "values": [r["n"] for r in by]})
    return charts
