"""Home: the user's roles and MDOs, the charts the modules declare (``Module.figures``), and
counts of what they can see."""

from __future__ import annotations

import time

from flask_admin import AdminIndexView, expose

from app import notifications, query, tasks
from app.errors import PermissionDenied
from app.model import workflow

from .common import Guarded, user_ctx

DASHBOARD_SECONDS = 60
_dashboards: dict = {}


class HomeView(Guarded, AdminIndexView):
    @expose("/")
    def index(self):
        ctx = user_ctx()
        if not ctx.access.can("back_office"):  # a learner alone: their home is the learner portal
            from flask import redirect

            return redirect("/")
        counts = []
        for meta in ctx.registry:
            if meta.is_child or meta.module == "Tests":
                continue
            try:
                counts.append((meta, query.count(ctx, meta.name)))
            except PermissionDenied:
                continue
        waiting = tasks.my_tasks(ctx)
        for task in waiting:  # the actions that need a comment are taken on the record's page
            meta = ctx.registry.get(task["doctype"])
            wf = workflow.active(ctx, meta.name)
            needs = {t["action"] for t in wf["transitions"] if t["state"] == task["state"] and t.get("comment_required")}
            task["buttons"] = [a for a in task["actions"] if a not in needs]
            task["collection"] = meta.collection
        return self.render(
            "igot/home.html",
            user=notifications.display_name(ctx.site, ctx.user),
            waiting=waiting,
            news=[n for n in notifications.recent(ctx, 5) if not n.get("read")],
            roles=sorted(ctx.access.roles),
            mdos=sorted(ctx.access.mdos),
            counts=counts,
            charts=dashboard(ctx),
        )


def dashboard(ctx) -> list[dict]:
    """The modules' charts for this user, recomputed at most once a minute for each access
    scope (the same roles and MDOs see the same figures)."""
    key = (id(ctx.site), tuple(sorted(ctx.access.roles)), tuple(sorted(ctx.access.mdos)))
    cached = _dashboards.get(key)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    charts = [chart for figure in ctx.site.modules.all("figures") for chart in figure.build(ctx)]
    _dashboards[key] = (time.monotonic() + DASHBOARD_SECONDS, charts)
    return charts
