"""My Courses: for an officer, the offerings open for registration with their eligibility,
rule by rule, an Enrol button on those they may take, and their enrolments so far."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose

from admin.common import Guarded, user_ctx
from app import query
from app.errors import IgotError
from app.model import lifecycle
from doctypes.organisation import officers
from doctypes.programmes import programme_rules as programme


def _officer(ctx) -> dict | None:
    """The signed-in user's own officer record (by its unique e-mail), as they may see it."""
    found = officers.own_officer(ctx)
    if found is None:
        return None
    from app.errors import NotFound, PermissionDenied

    try:
        return lifecycle.read(ctx, "Officer", found["_id"])
    except (NotFound, PermissionDenied):
        return None


class MyCoursesView(Guarded, BaseView):
    def allowed(self) -> bool:
        ctx = user_ctx()
        return _officer(ctx) is not None  # an officer's own account (every officer is a learner)

    @expose("/")
    def index(self):
        ctx = user_ctx()
        officer = _officer(ctx)
        offerings = programme.eligible_offerings(ctx, officer["name"])
        # the user's own officer record (by their e-mail): all of its enrolments
        enrolments, _ = query.get_list(
            ctx.as_system(),
            "Enrolment",
            filters={"officer": officer["name"]},
            order_by="modified desc",
            limit=100,
            with_total=False,
        )
        enrolled = {
            e["course"] for e in enrolments if e.get("workflow_state") not in ("Withdrawn", "Not Eligible", "Not Certified")
        }
        return self.render("igot/my_courses.html", officer=officer, offerings=offerings, enrolments=enrolments, enrolled=enrolled)

    @expose("/enrol/", methods=("POST",))
    def enrol(self):
        ctx = user_ctx()
        officer = _officer(ctx)
        try:
            doc = lifecycle.insert(ctx, "Enrolment", {"officer": officer["name"], "offering": request.form.get("offering")})
        except IgotError as exc:
            flash(exc.message, "error")
            return redirect(url_for(".index"))
        flash(
            f"Enrolled in {doc.course} ({doc.name}). Next: intimate your cadre controlling authority and submit the "
            f"eligibility confirmation form.",
            "success",
        )
        return redirect(url_for("enrolment.edit_view", id=doc.name))
