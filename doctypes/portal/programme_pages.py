"""The officer's programme pages: the courses (search and filters, my enrolments first), a
course with its offerings and my eligibility rule by rule, and an enrolment with every step I
take on it (the eligibility confirmation form with its upload, withdrawing, my progress, the
fee claim with its receipt). Every step is ``programme.officer_steps``, as the signed-in
officer, so a refusal here is the API's refusal, said with the field's label."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.errors import IgotError, NotFound, PermissionDenied
from app.web import portal
from doctypes.organisation import officers
from doctypes.programmes import officer_steps as steps

FILTERS = ("search", "provider", "fee", "mode", "duration")
FEES = {"free": "Free", "paid": "With a fee"}
DURATIONS = {"short": "Up to 4 weeks", "medium": "5 to 12 weeks", "long": "More than 12 weeks"}
NEXT_STEP = steps.NEXT_STEP
CLAIM_NEXT = steps.CLAIM_NEXT
OFFICER_MESSAGES = (  # the refusals an officer meets on these forms, kept in the catalogues in their words
    "intimate your cadre controlling authority first and give the date.",
    "your cadre needs its approval: give the approval's reference.",
    "upload the signed eligibility confirmation form first.",
    "Missing data for required field.",
    "Not a valid date: expected YYYY-MM-DD or DD/MM/YYYY.",
    "Not a valid number.",
    "must be more than zero.",
)


def problems(ctx, exc: IgotError) -> list[str]:
    """What was refused, one line per problem, in the reader's language: the field's label
    and the reason (a message the catalogues do not hold stays as the engine says it)."""
    if not exc.errors or not exc.doctype:
        return [_(exc.message)]
    meta = ctx.registry.get(exc.doctype)
    out = []
    for fieldname, messages in exc.errors.items():
        field = meta.get_field(fieldname)
        name = portal.label(field.label) if field is not None else fieldname
        for m in messages if isinstance(messages, list) else [str(messages)]:
            out.append(f"{name}: {_(m)}")
    return out


def _flash_problems(ctx, exc: IgotError) -> None:
    for line in problems(ctx, exc):
        flash(line, "error")


def _officer_or_none(ctx):
    return officers.own_officer(ctx)


def programmes():
    """The courses of the programme, my enrolments first (with what comes next and a button
    to it), then search and filters, then the courses with an offering open now first."""
    ctx = portal.ctx()
    officer = _officer_or_none(ctx)
    if officer is None:
        return render_template("portal/no_officer.html"), 200
    if request.method == "POST":
        return _enrol(ctx, officer)
    args = {k: (request.args.get(k) or "").strip() or None for k in FILTERS}
    args["open"] = request.args.get("open") == "1"
    found = steps.courses(
        ctx,
        officer["_id"],
        search=args["search"],
        provider=args["provider"],
        fee=args["fee"],
        mode=args["mode"],
        duration=args["duration"],
        open_now=args["open"],
    )
    mine = steps.enrolments(ctx, officer["_id"])
    enrolled = {e["course"]: e for e in mine if e["open"]}
    return render_template(
        "portal/programmes.html",
        courses=found,
        enrolments=mine,
        enrolled=enrolled,
        args=args,
        filtered=any(v for v in args.values()),
        providers=steps.providers(ctx),
        modes=ctx.registry.get("Course").get_field("mode").select_options,
        fees=FEES,
        durations=DURATIONS,
        next_step=NEXT_STEP,
        claim_next=CLAIM_NEXT,
    )


def _enrol(ctx, officer):
    try:
        doc = steps.enrol(ctx, officer["_id"], request.form.get("offering") or "")
    except IgotError as exc:
        _flash_problems(ctx, exc)
        back = request.form.get("course")
        return redirect(url_for("portal.programme_course", name=back) if back else url_for("portal.programmes"))
    flash(_("Enrolled in %(course)s.", course=doc.course), "success")
    return redirect(url_for("portal.programme_enrolment", name=doc.name))


def programme_course(name: str):
    """A course: what it teaches, who provides it, its fee and length, and its offerings open
    now with my eligibility, rule by rule, and Enrol."""
    ctx = portal.ctx()
    officer = _officer_or_none(ctx)
    if officer is None:
        return render_template("portal/no_officer.html"), 200
    try:
        course = steps.course(ctx, officer["_id"], name)
    except (NotFound, PermissionDenied):
        abort(404)
    mine = next((e for e in steps.enrolments(ctx, officer["_id"]) if e["course"] == name and e["open"]), None)
    return render_template("portal/programme_course.html", c=course, mine=mine, next_step=NEXT_STEP)


def programme_enrolment(name: str):
    """My enrolment and the step it waits for: the eligibility confirmation form (the cadre's
    intimation and approval, and the signed form's upload), Withdraw (asked twice), my
    progress, and the fee claim with its receipt; then where the claim is."""
    ctx = portal.ctx()
    try:
        row = steps.enrolment(ctx, name)
    except (NotFound, PermissionDenied):
        abort(404)
    status = 200
    if request.method == "POST":
        what = request.form.get("what")
        try:
            if what == "form":
                values = {f: request.form.get(f, "").strip() or None for f in steps.FORM_FIELDS}
                values["cadre_approval_required"] = request.form.get("cadre_approval_required") == "1"
                steps.submit_eligibility_form(ctx, name, values, request.files.get("eligibility_form") or None)
                flash(_("Your eligibility confirmation form is submitted. The training division checks it."), "success")
            elif what == "withdraw":
                steps.withdraw(ctx, name)
                flash(_("You have withdrawn from %(course)s.", course=row["title"]), "success")
            elif what == "progress":
                steps.report_progress(ctx, name, request.form.get("progress") or None)
                flash(_("Saved."), "success")
            elif what == "claim":
                steps.claim_fee(
                    ctx,
                    name,
                    request.form.get("amount_paid") or None,
                    row["limit_currency"],
                    request.files.get("proof") or None,
                )
                flash(_("Your fee claim is filed. The training division checks it, then Finance pays it."), "success")
            else:
                abort(400)
            return redirect(url_for("portal.programme_enrolment", name=name))
        except IgotError as exc:
            if isinstance(exc, NotFound):
                abort(404)
            _flash_problems(ctx, exc)
            status = 403 if isinstance(exc, PermissionDenied) else 400
            row = steps.enrolment(ctx, name)
            row["given"] = request.form  # what the officer typed stays in the form
    return render_template(
        "portal/programme_enrolment.html",
        e=row,
        next_step=NEXT_STEP,
        claim_next=CLAIM_NEXT,
        given=row.get("given") or {},
    ), status
