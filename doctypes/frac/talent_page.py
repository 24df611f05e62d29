"""Talent search: officers with a competency at a level or above (MDO Admin: their MDOs;
System Manager and Analyst: every MDO), through ``app.frac.talent`` and so the same access
layer as the API."""

from __future__ import annotations

from flask import request
from flask_admin import BaseView, expose

from admin.common import Guarded, user_ctx
from app.errors import IgotError
from doctypes.frac import frac


class TalentView(Guarded, BaseView):
    def allowed(self) -> bool:
        return user_ctx().access.can("search_talent")

    @expose("/")
    def index(self):
        ctx = user_ctx()
        competencies = frac.verified_competencies(ctx)
        competency, results, error = request.args.get("competency"), None, None
        try:
            level = int(request.args.get("level") or 3)
        except ValueError:
            level, error = 3, "The level must be a number from 1 to 5."
        if competency and not error:
            try:
                results = frac.talent(ctx, competency, level, request.args.get("mdo") or None, limit=200)
            except IgotError as exc:
                error = exc.message
        return self.render(
            "igot/talent.html",
            competencies=competencies,
            competency=competency,
            level=level,
            results=results,
            error=error,
        )
