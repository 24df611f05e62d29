"""The catalogue: published content modules of every MDO, searchable by title, competency,
kind and language, for every signed-in user. A module's page shows its lesson, link, file or
SCORM package (launched in a sandboxed frame from the package in GridFS, as a preview: no
progress is recorded here) and, for an officer, the way to the learner portal, whose player
measures their progress and completes the module."""

from __future__ import annotations

from flask import flash, make_response, redirect, request, url_for
from flask_admin import BaseView, expose

from admin.common import Guarded, site, user_ctx
from app.errors import IgotError
from app.web.common import browser_origin
from app.web.portal import allow_sources
from doctypes.content import catalogue, progress
from doctypes.frac import frac
from doctypes.organisation import officers


class CatalogueView(Guarded, BaseView):
    @expose("/")
    def index(self):
        ctx = user_ctx()
        args = {k: request.args.get(k) or None for k in ("search", "kind", "competency", "language")}
        modules = catalogue.modules(ctx, **args)
        kinds = ctx.registry.get("Content Module").get_field("kind").select_options
        competencies = frac.verified_competencies(ctx)
        return self.render("igot/catalogue.html", modules=modules, args=args, kinds=kinds, competencies=competencies)

    @expose("/module/<module_id>")
    def module(self, module_id):
        name = module_id
        ctx = user_ctx()
        try:
            module = catalogue.module(ctx, name)
        except IgotError:
            try:  # a module not yet published, opened by those who read it (its reviewers)
                row = catalogue.readable_module(ctx, name)
            except IgotError as exc:
                flash(exc.message, "error")
                return redirect(url_for(".index"))
            module = {**catalogue.public(row), "lesson_text": row.get("lesson_text"), "unpublished": row.get("workflow_state")}
        officer = officers.own_officer(ctx)
        cert = site().unguarded("certificate").find_one({"officer": officer["_id"], "content_module": name}) if officer else None
        preview = None
        if module.get("kind") == "SCORM Package" and module.get("launch_file"):
            row = site().unguarded("content_module").find_one({"_id": name})
            preview = progress.preview(ctx, row, origin=browser_origin())
        response = make_response(self.render("igot/catalogue_module.html", m=module, officer=officer, cert=cert, preview=preview))
        return allow_sources(response, frames=preview["content_origin"] if preview else None)
