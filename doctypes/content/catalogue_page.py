"""The catalogue: published content modules of every MDO, searchable by title, competency,
kind and language, for every signed-in user. A module's page shows its lesson, link, file or
SCORM package (launched in a sandboxed frame from the package in GridFS) and, for an
officer, a button to record its completion, which issues the certificate."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose

from admin.common import Guarded, site, user_ctx
from app.errors import IgotError
from doctypes.content import catalogue
from doctypes.frac import frac
from doctypes.learning import certificates
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
        except IgotError as exc:
            flash(exc.message, "error")
            return redirect(url_for(".index"))
        officer = officers.own_officer(ctx)
        cert = site().unguarded("certificate").find_one({"officer": officer["_id"], "content_module": name}) if officer else None
        return self.render("igot/catalogue_module.html", m=module, officer=officer, cert=cert)

    @expose("/module/<module_id>/complete", methods=("POST",))
    def complete(self, module_id):
        name = module_id
        ctx = user_ctx()
        officer = officers.own_officer(ctx)
        if officer is None:
            flash("Only officers record completions.", "error")
            return redirect(url_for(".module", module_id=name))
        try:
            cert = certificates.complete_module(ctx, officer["_id"], name)
            flash(f"Completed. Certificate {cert.name}, verification code {cert.code}.", "success")
        except IgotError as exc:
            flash(exc.message, "error")
        return redirect(url_for(".module", module_id=name))
