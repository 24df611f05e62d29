"""The learner's pages. Each finds the signed-in user's own officer record and reads what
belongs to it through the modules' own functions, which check access as for any read."""

from __future__ import annotations

import datetime as dt

from flask import abort, make_response, render_template, request
from flask_babel import gettext as _

from app import query
from app.errors import NotFound
from app.web import portal
from app.web.common import browser_origin
from doctypes.content import catalogue as content
from doctypes.frac import frac
from doctypes.learning import certificates as certs
from doctypes.organisation import officers


def _officer(ctx):
    """The signed-in user's officer record, or None (a user who is not an officer)."""
    return officers.own_officer(ctx)


def _no_officer():
    return render_template("portal/no_officer.html"), 200


def my_learning():
    ctx = portal.ctx()
    officer = _officer(ctx)
    if officer is None:
        return _no_officer()
    today = dt.date.today()
    plan = frac.officer_plan(ctx, officer["_id"])
    for item in plan:
        due = item.get("due_date")
        due = dt.date.fromisoformat(str(due)[:10]) if due else None
        item["overdue"] = bool(due and due < today and not item["completed"])
    assigned = sorted((i for i in plan if not i["completed"]), key=lambda i: (not i["overdue"], str(i.get("due_date") or "9999")))
    gaps = frac.officer_gap(ctx, officer["_id"])
    recommended = [c for c in gaps["competencies"] if c["gap"] > 0]
    if recommended:  # and the assessments that would show the level the role needs
        from doctypes.assessments import attempts

        open_ones = attempts.catalogue(ctx)
        for c in recommended:
            c["assessments"] = [
                a for a in open_ones if a["competency"] == c["competency"] and (a["level"] or 0) >= c["required_level"]
            ]
    done = _certificates(ctx, officer["_id"])
    from doctypes.content import progress

    return render_template(
        "portal/my_learning.html",
        officer=officer,
        doing=progress.started_modules(ctx),
        assigned=assigned,
        completed_items=[i for i in plan if i["completed"]],
        gaps=gaps,
        recommended=recommended,
        certificates=done,
    )


def _certificates(ctx, officer: str) -> list[dict]:
    """The officer's certificates, wherever they were issued, once the caller is known to read
    that officer's certificates (their own)."""
    officers.officer_records(ctx, "Certificate", officer)
    rows, _total = query.get_list(
        ctx.as_system(),
        "Certificate",
        filters={"officer": officer},
        fields=[
            "name",
            "title",
            "issued_on",
            "status",
            "code",
            "pdf",
            "course",
            "content_module",
            "revoked_on",
            "revocation_reason",
        ],
        order_by="issued_on desc",
        limit=200,
        with_total=False,
    )
    for r in rows:
        r["verify_url"] = certs.verify_url(ctx.site, r["code"]) if r.get("code") else None
    return rows


COURSE = "Course"  # the catalogue's kind for the programme's courses


def catalogue():
    """Published modules of every MDO and the programme's courses, found by words, competency,
    kind and language; a course opens on its page among the programmes."""
    ctx = portal.ctx()
    args = {k: (request.args.get(k) or "").strip() or None for k in ("search", "kind", "competency", "language")}
    from doctypes.programmes import officer_steps

    course_only = args["kind"] == COURSE
    modules = [] if course_only else content.modules(ctx, **args)
    courses = []  # the programme's courses, beside the modules, when no module-only filter is chosen
    if (args["kind"] in (None, COURSE)) and not args["language"]:
        courses = officer_steps.catalogue_courses(ctx, search=args["search"], competency=args["competency"])
    meta = ctx.registry.get("Content Module")
    return render_template(
        "portal/catalogue.html",
        modules=modules,
        courses=courses,
        args=args,
        kinds=[*meta.get_field("kind").select_options, COURSE],
        language_options=meta.get_field("language").select_options if meta.get_field("language") else [],
        competencies=frac.verified_competencies(ctx),
    )


def catalogue_module(name: str):
    """A module's page: what it teaches and who provides it, and the module itself in the
    player, which measures the learner's progress (a SCORM package through its run-time; a
    video, PDF or lesson text as it is watched or read) and resumes where they left off. An
    external link is reported done by the officer (POST), for their MDO to verify."""
    from flask import flash, redirect, url_for

    from app.errors import IgotError
    from doctypes.content import progress

    ctx = portal.ctx()
    try:
        module = content.module(ctx, name)
    except NotFound:
        abort(404)
    officer = _officer(ctx)
    if request.method == "POST" and officer:
        try:
            progress.self_report(ctx, name)
            flash(_("Recorded. Your MDO verifies it before it counts in your passbook."), "success")
        except IgotError as exc:
            flash(exc.message, "error")
        return redirect(url_for("portal.catalogue_module", name=name))
    player, state, assessment = None, None, None
    measured_by = progress.how(module)
    if module.get("required_assessment"):
        found = ctx.site.unguarded("assessment").find_one({"_id": module["required_assessment"]}, {"title": 1}) or {}
        assessment = {"name": module["required_assessment"], "title": found.get("title") or module["required_assessment"]}
    if officer:
        state = progress.progress_state(ctx, name) if measured_by != "self" else progress.state(ctx, name)
        player = _player(ctx, module, measured_by, state)
    done, revoked = None, None
    if officer:
        mine = [c for c in _certificates(ctx, officer["_id"]) if c.get("content_module") == name]
        done = next((c for c in mine if c.get("status") != "Revoked"), None)
        revoked = None if done else next((c for c in mine if c.get("status") == "Revoked"), None)
    response = make_response(
        render_template(
            "portal/module.html",
            m=module,
            officer=officer,
            certificate=done,
            revoked=revoked,
            measured_by=measured_by,
            player=player,
            state=state,
            assessment=assessment,
        )
    )
    portal.allow_sources(
        response,
        frames=(player or {}).get("content_origin"),
        media=(player or {}).get("media_origin") if measured_by == "video" else None,
    )
    return response


def _player(ctx, module: dict, measured_by: str, state: dict) -> dict | None:
    """What the page's player needs (as JSON for its script): the run-time's configuration
    for a SCORM package, the file and where to resume for a video or PDF."""
    from urllib.parse import urlsplit

    from flask import url_for

    from doctypes.content import progress

    messages = {
        "progress": _("Progress: {percent} per cent"),
        "complete": _("You completed this module. Your certificate is in My certificates."),
        "assessment": _("Done. Now pass the assessment to complete the module."),
        "saving_failed": _("Your progress could not be saved. Check your connection; it is saved again as you go on."),
        "time_left": _("At least {minutes} more minutes with the module in view are needed to complete it."),
        "waiting": _("Done. The module completes after {minutes} more minutes with it in view."),
        "reading_left": _("Reading time left: {minutes} min. The lesson counts as read when you reach its end after that."),
        "reading_done": _("You reached the end. The lesson counts as read in {minutes} min: keep it open."),
    }
    base = {
        "kind": measured_by,
        "module": module["name"],
        "progressUrl": "/api/method/record_progress",
        "stateUrl": f"/api/method/module_progress?module={module['name']}",
        "heartbeatUrl": "/api/method/module_heartbeat",
        "messages": messages,
        "complete": state["complete"],
    }
    if measured_by == "scorm":
        chosen = request.args.get("part") or None
        try:
            play = progress.play(ctx, module["name"], chosen, origin=browser_origin())
        except progress.NoContentOrigin:
            return {**base, "kind": "unplayable", "message": _("This package cannot be played here yet. Ask your administrator.")}
        parts = state["parts"]
        at = next((i for i, p in enumerate(parts) if p["part"] == play["part"]["identifier"]), 0)
        return {
            **base,
            "version": play["version"],
            "attempt": play["attempt"],
            "src": play["src"],
            "content_origin": play["content_origin"],
            "part": play["part"]["identifier"],
            "part_title": play["part"].get("title"),
            "parts": parts,
            "next": url_for("portal.catalogue_module", name=module["name"], part=parts[at + 1]["part"])
            if at + 1 < len(parts)
            else None,
        }
    measure = state.get("measure") or {}
    if measured_by == "video":
        src = module.get("url") if module.get("kind") == "Video Link" else f"/api/file/{module.get('attachment')}"
        url = urlsplit(src)
        return {
            **base,
            "src": src,
            "position": measure.get("position") or 0,
            "media_origin": f"{url.scheme}://{url.netloc}" if url.netloc else None,
        }
    if measured_by == "pdf":
        return {
            **base,
            "src": f"/api/file/{module.get('attachment')}",
            "page": measure.get("page") or 1,
            "pdfjs": url_for("portal.static", filename="vendor/pdfjs-4.10.38/pdf.min.mjs"),
            "worker": url_for("portal.static", filename="vendor/pdfjs-4.10.38/pdf.worker.min.mjs"),
        }
    if measured_by == "text":
        return {**base, "reading_left": (state.get("time") or {}).get("reading_left") or 0}
    return None


def passbook():
    ctx = portal.ctx()
    officer = _officer(ctx)
    if officer is None:
        return _no_officer()
    book = frac.passbook(ctx, officer["_id"])
    gaps = frac.officer_gap(ctx, officer["_id"], learning=False)  # what the role needs, not what teaches it
    needed = {c["competency"]: c["required_level"] for c in gaps["competencies"]}
    have = {c["competency"]: c["level"] for c in book["current_levels"]}
    rows = [
        {"competency": name, "level": have.get(name, 0), "required": needed.get(name)}
        for name in sorted(set(have) | set(needed), key=lambda n: (-(needed.get(n) or 0) + have.get(n, 0), n))
    ]
    return render_template("portal/passbook.html", officer=officer, rows=rows, entries=book["entries"])


def certificates():
    ctx = portal.ctx()
    officer = _officer(ctx)
    if officer is None:
        return _no_officer()
    return render_template("portal/certificates.html", certificates=_certificates(ctx, officer["_id"]))


DELIVERY_WORDS = {"Immediately": "At once", "Daily digest": "In a daily digest", "Off": "Not by e-mail"}
OFFICER_FIELDS = ("full_name", "email", "service", "group", "designation", "position", "mdo")


def profile():
    """My profile: my officer record as the platform holds it, my language, what I am
    e-mailed about, and my password."""
    from flask import flash, redirect, url_for

    from app import accounts, display, notifications
    from app.errors import IgotError
    from app.model import lifecycle

    ctx = portal.ctx()
    problems: list[str] = []
    if request.method == "POST" and request.form.get("what") == "preferences":
        language = request.form.get("language") or None
        rows = [
            {"kind": k, "delivery": request.form.get(f"kind-{k}")}
            for k in notifications.KINDS
            if request.form.get(f"kind-{k}") in notifications.DELIVERIES
        ]
        try:
            lifecycle.save(ctx, "User", ctx.user, {"language": language, "notification_preferences": rows})
            flash(_("Saved."), "success")
            return redirect(url_for("portal.profile"))
        except IgotError as exc:
            problems = [exc.message]
    if request.method == "POST" and request.form.get("what") == "password":
        new, again = request.form.get("new_password") or "", request.form.get("confirm") or ""
        if new != again:
            problems = [_("The two new passwords are not the same.")]
        else:
            try:
                accounts.change_password(ctx.site, ctx.user, request.form.get("current_password") or "", new)
                from app.web.session import sign_out

                sign_out()
                flash(_("Your password is changed and every session has ended: sign in with the new one."), "success")
                return redirect(url_for("portal.home"))
            except IgotError as exc:
                problems = [m for msgs in (exc.errors or {}).values() if isinstance(msgs, list) for m in msgs] or [exc.message]
    user = lifecycle.get(ctx, "User", ctx.user).as_dict()
    officer = _officer(ctx)
    details = []
    if officer:
        record = lifecycle.get(ctx, "Officer", officer["_id"]).as_dict()
        meta = ctx.registry.get("Officer")
        titles = display.Titles(ctx)  # a position and a service by their names, not their ids
        details = [
            (meta.get_field(f).label, display.value_text(ctx, meta, f, record.get(f), record, titles))
            for f in OFFICER_FIELDS
            if meta.get_field(f) and record.get(f)
        ]
    prefs = {row["kind"]: row["delivery"] for row in user.get("notification_preferences") or []}
    return render_template(
        "portal/profile.html",
        user=user,
        details=details,
        kinds=[(k, notifications.KIND_WORDS.get(k, k), prefs.get(k, "Immediately")) for k in notifications.KINDS],
        deliveries=DELIVERY_WORDS,
        problems=problems,
        minimum=accounts.MIN_PASSWORD,
    ), (400 if problems else 200)


# assessments -----------------------------------------------------------------------------------


def assessments():
    from doctypes.assessments import attempts

    ctx = portal.ctx()
    return render_template("portal/assessments.html", items=attempts.catalogue(ctx))


def assessment(name: str):
    """An assessment's page: what it tests, my attempts, and Start or Continue (POST)."""
    from flask import flash, redirect, url_for

    from app.errors import IgotError
    from doctypes.assessments import attempts

    ctx = portal.ctx()
    if _officer(ctx) is None:
        return _no_officer()
    try:
        if request.method == "POST":
            started = attempts.start(ctx, name)
            return redirect(url_for("portal.assessment_attempt", attempt=started["attempt"]))
        info = attempts.state(ctx, name)
    except NotFound:
        abort(404)
    except IgotError as exc:
        flash(exc.message, "error")
        return redirect(url_for("portal.assessment", name=name))
    return render_template("portal/assessment.html", a=info)


def assessment_attempt(attempt: str):
    """Taking an attempt: its questions (GET); submitting the answers, graded (POST)."""
    from flask import flash, redirect, url_for

    from app.errors import IgotError
    from doctypes.assessments import attempts

    ctx = portal.ctx()
    try:
        taking = attempts.taking(ctx, attempt)
    except NotFound:
        abort(404)
    except IgotError as exc:
        flash(exc.message, "error")
        row = ctx.site.unguarded("assessment_attempt").find_one({"_id": attempt, "officer_email": ctx.user}, {"assessment": 1})
        return redirect(url_for("portal.assessment", name=row["assessment"]) if row else url_for("portal.assessments"))
    if request.method == "POST":
        answers = {}
        for q in taking["questions"]:
            key = f"q-{q['id']}"
            if q["kind"] == "Multiple choice":
                answers[q["id"]] = request.form.getlist(key)
            elif request.form.get(key, "").strip():
                answers[q["id"]] = request.form.get(key, "").strip()[:500]
        try:
            result = attempts.submit(ctx, attempt, answers)
        except IgotError as exc:
            flash(exc.message, "error")
            return redirect(url_for("portal.assessment", name=taking["assessment"]))
        return render_template("portal/assessment_result.html", r=result)
    return render_template("portal/assessment_attempt.html", t=taking)
