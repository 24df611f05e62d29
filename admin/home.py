"""Home: each user's work. What waits for their action (``app.tasks``), what needs their
attention (``Module.attention``: counts of records in a condition, for the roles whose work
they are), a new installation's first-run checklist (``Module.setup_steps``), and the charts
the modules declare (``Module.figures``), an empty one saying what fills it. The list of every
record type, with counts, is a page of its own (``RecordsView``)."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from flask import redirect, url_for
from flask_admin import AdminIndexView, BaseView, expose

from app import notifications, query, tasks
from app.access import roles_with
from app.errors import IgotError, PermissionDenied
from app.registry import SetupStep

from .common import Guarded, user_ctx

DASHBOARD_SECONDS = 60
_dashboards: dict = {}

# The engine's own steps of the first-run checklist; the modules add theirs (Module.setup_steps).
ENGINE_STEPS = (
    SetupStep(
        10,
        "Check the MDOs",
        "The ministries, departments and organisations whose staff will learn here: correct a name before staff are loaded.",
        "MDO",
        (),
        "mdo/",
    ),
    SetupStep(
        20,
        "Create an MDO Admin for each MDO",
        "Each MDO's nodal officer onboards its staff, maps its roles and verifies its passbooks.",
        "User",
        lambda ctx: (("roles.role", "in", roles_with(ctx.site, "lead_an_mdo")),),
        "user/new/",
    ),
)


class HomeView(Guarded, AdminIndexView):
    @expose("/")
    def index(self):
        ctx = user_ctx()
        if not ctx.access.can("back_office"):  # a learner alone: their home is the learner portal
            return redirect("/")
        workflows = {d["document_type"]: d for d in ctx.site.db["workflow"].find({"is_active": True})}  # read once
        waiting = tasks.my_tasks(ctx)
        for task in waiting:  # one click only for what can succeed and needs no reason or second thought
            meta = ctx.registry.get(task["doctype"])
            offers = task["offers"]
            task["buttons"] = [o["action"] for o in offers if o["ready"] and not (o["comment"] or o["confirm"] or o["inputs"])]
            task["on_page"] = [o["action"] for o in offers if o["ready"] and (o["comment"] or o["confirm"] or o["inputs"])]
            task["not_yet"] = [o["not_yet"] for o in offers if not o["ready"]]
            task["collection"] = meta.collection
        steps = checklist(ctx)
        return self.render(
            "igot/home.html",
            user=notifications.display_name(ctx.site, ctx.user),
            waiting=waiting,
            starts=[(d, url_for(f"{ctx.registry.get(d).collection}.create_view")) for d in tasks.may_start(ctx)],
            drafts=tasks.my_drafts(ctx),
            news=[n for n in notifications.recent(ctx, 5) if not n.get("read")],
            roles=sorted(ctx.access.roles),
            mdos=sorted(ctx.access.mdos),
            attention=attention(ctx, workflows),
            steps=steps if any(not s["done"] for s in steps) else [],
            charts=dashboard(ctx),
        )


class RecordsView(Guarded, BaseView):
    """Every record type the user may read, by module, with how many records they see."""

    def allowed(self) -> bool:
        return user_ctx().access.can("back_office")

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
        counts.sort(key=lambda mc: (mc[0].module, mc[0].name))
        return self.render("igot/records.html", counts=counts)


def list_url(ctx, doctype: str, filters=(), strict: bool = False) -> str | None:
    """The admin list of ``doctype`` with ``filters`` applied (each an ``in_filter`` field
    and an operator the list offers; Flask-Admin's named filter arguments). ``strict``: None
    when a filter is not one the list offers (rather than a list that shows more)."""
    from flask import current_app

    meta = ctx.registry.get(doctype)
    view = next((v for v in current_app.extensions["admin"][0]._views if getattr(v, "endpoint", None) == meta.collection), None)
    args = {}
    if view is not None:
        for pos, (field, op, value) in enumerate(filters):
            for index, flt in enumerate(view._filters or []):
                if getattr(flt, "column", None) == field and flt.op == op:
                    args[f"flt{pos}_{view.get_filter_arg(index, flt)}"] = value
                    break
            else:
                if strict:
                    return None
    base = url_for(f"{meta.collection}.index_view")
    return base + ("?" + urlencode(args) if args else "")


def attention(ctx, workflows: dict) -> list[dict]:
    """The modules' "Needs attention" lines for the user's work (``workflows``: the active
    workflows by doctype), each counted through the access layer (an MDO Admin counts their
    MDOs' records) and linked to the filtered list."""
    out = []
    for item in ctx.site.modules.all("attention"):
        if not _audience(ctx, item, workflows.get(item.doctype)):
            continue
        try:
            n = query.count(ctx, item.doctype, filters=[list(f) for f in item.filters] or None)
        except (PermissionDenied, IgotError):
            continue
        out.append({"words": item.words, "count": n, "url": list_url(ctx, item.doctype, item.filters)})
    return out


def _audience(ctx, item, wf: dict | None) -> bool:
    """Whether ``item`` is the user's work: they take the actions of ``wf`` (its doctype's
    workflow) in the state its filters name ("act"), or they edit the doctype's records
    ("write")."""
    meta = ctx.registry.get(item.doctype)
    if "write" in item.audience and "write" in ctx.access.allowed_actions(meta):
        return True
    if "act" in item.audience:
        states = {v for f, op, v in item.filters if wf and f == wf["state_field"] and op == "="}
        return bool(wf) and any(t["state"] in states and ctx.access.has_role(t["allowed"]) for t in wf["transitions"])
    return False


def checklist(ctx) -> list[dict]:
    """The first-run checklists for the user's roles: the System Manager's for the
    installation, a nodal officer's for her MDO (``SetupStep.audience``), each step done once a
    record exists (an MDO Admin's account, an officer) or by its own test, with what is left."""
    out = []
    steps = [s for s in (*ENGINE_STEPS, *ctx.site.modules.all("setup_steps")) if ctx.access.can(s.audience)]
    for step in sorted(steps, key=lambda s: (s.audience, s.order)):
        try:
            if step.done is not None:
                done = bool(step.done(ctx))
            else:
                filters = step.filters(ctx) if callable(step.filters) else step.filters
                done = query.count(ctx, step.doctype, filters=[list(f) for f in filters] or None) > 0
            detail = step.detail(ctx) if step.detail is not None and not done else []
        except (PermissionDenied, IgotError):
            continue
        url = step.step if step.step.startswith(("/", "mailto:")) else url_for("admin.index") + step.step
        out.append({"words": step.words, "why": step.why, "done": done, "url": url, "detail": detail, "audience": step.audience})
    return out


def dashboard(ctx) -> list[dict]:
    """The modules' charts for this user, recomputed at most once a minute for each access
    scope (the same roles and MDOs see the same figures). A chart with nothing to show says
    what would fill it, and links to where that is done."""
    key = (id(ctx.site), tuple(sorted(ctx.access.roles)), tuple(sorted(ctx.access.mdos)))
    cached = _dashboards.get(key)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    charts = []
    for figure in ctx.site.modules.all("figures"):
        for chart in figure.build(ctx):
            empty = not any(chart.get("values") or [])
            step = url_for("admin.index") + figure.step if figure.step else ""
            charts.append({**chart, "is_empty": empty, "empty": figure.empty, "step": step})
    _dashboards[key] = (time.monotonic() + DASHBOARD_SECONDS, charts)
    return charts
