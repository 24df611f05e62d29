"""The Content module's API: the catalogue, and the files of a module's SCORM package."""

from __future__ import annotations

from flask import Response

from app.web.common import browser_origin, ctx

from . import catalogue, progress


def catalogue_method(call):
    """Published content modules of every MDO: ``search``, ``kind``, ``competency``, ``language``."""
    return call.data(
        catalogue.modules(
            call.ctx,
            search=call.arg("search"),
            kind=call.arg("kind"),
            competency=call.arg("competency"),
            language=call.arg("language"),
        )
    )


def package_file(name, path):
    """A file of a module's SCORM package (its launch file and what that loads). Served in a
    sandbox (its own origin): package scripts run but cannot reach the platform's session."""
    data, content_type = catalogue.package_file(ctx(), name, path)
    return Response(
        data,
        mimetype=content_type,
        headers={
            "Content-Security-Policy": "sandbox allow-scripts allow-forms allow-popups; frame-ancestors 'self'",
            "X-Frame-Options": "SAMEORIGIN",
            "X-Content-Type-Options": "nosniff",
        },
    )


# progress ----------------------------------------------------------------------------------------


def module_progress(call):
    """The signed-in officer's progress in a module, settled (a certificate once complete),
    with the time on content and what remains of the minimum time."""
    return call.data(progress.progress_state(call.ctx, call.arg("module")))


def module_heartbeat(call):
    """``{"module": name}``: the module is open and in view in the officer's player; the server
    adds the time since the last heartbeat (capped) to the time on content."""
    return call.data(progress.heartbeat(call.ctx, str(call.body.get("module") or "")))


def record_progress(call):
    """What the player measured in a video, PDF or lesson text."""
    body = call.body
    return call.data(progress.record(call.ctx, str(body.get("module") or ""), body))


def scorm_commit(call):
    """A SCORM package's CMI data, committed by the run-time in the learner's page; answered
    as scorm-again reads a commit's result."""
    body = call.body
    return progress.commit(call.ctx, str(body.get("attempt") or ""), body.get("cmi"))


def complete_module(call):
    """``{"module": name}``: the signed-in officer reports completing a module the platform
    cannot measure (an external link); refused for every module whose completion is measured."""
    return call.data(progress.self_report(call.ctx, str(call.body.get("module") or "")), 201)


# The package's player ------------------------------------------------------------------------
#
# The learner's page (the portal's origin) frames the launcher, served at the content origin;
# the launcher holds the run-time (``window.API`` for SCORM 1.2, ``window.API_1484_11`` for 2004,
# scorm-again) and frames the package's launch file, from the same origin. Every search a
# package's driver makes (its own window, each parent, the opener, the top) finds the run-time
# in its own origin before it could touch the portal's. The launcher commits to the content
# origin itself (``scorm_commit_here``, keyed by the signed address: no session there), and
# tells the portal page only that something changed, by a message the page checks.

# No sandbox flags: any of them forbids a package's page to navigate its own parent frame
# (Lectora moves to its next page so), and the content origin is the package's confinement.


def _content_headers(portal: str, here: str, *, html: bool, launcher: bool = False) -> dict:
    """A package's files run in their own origin (the content origin, never the portal's:
    ``progress.content_origin``), which holds no session and answers nothing but packages, and
    may be framed only by the launcher inside the portal's page."""
    ancestors = portal if launcher else f"{here} {portal}"
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "private, no-store" if html else "private, max-age=3600",
    }
    if html:
        headers["Content-Security-Policy"] = f"frame-ancestors {ancestors}"
    return headers


def _served_here(portal: str) -> str:
    """This request's origin, which must be the content origin of the page that plays the
    package, never the portal's own (NotFound otherwise)."""

    from app.errors import NotFound
    from app.web.common import site

    here = browser_origin()
    if here == portal or here != progress.content_origin(site(), portal):
        raise NotFound("Packages are served from the content address only")
    return here


def scorm_launcher(token):
    """The launcher of a learner's attempt (or a preview): the run-time, the CMI data to start
    from, and a frame for the package's launch file."""
    import json
    from urllib.parse import quote

    from flask import render_template
    from markupsafe import Markup

    from app.web.common import site

    attempt, row, portal = progress.package_for(site(), token)
    here = _served_here(portal)
    config = {
        "version": progress.version(row),
        "portal": portal,
        "commitUrl": f"/scorm-commit/{token}" if attempt is not None else None,
        "cmi": progress.seed(attempt, _officer_row(attempt)) if attempt is not None else {},
    }
    page = render_template(
        "igot/scorm_launcher.html",
        title=row.get("title") or "",
        launch=quote(progress.launch(site(), attempt, row), safe="/?&=%:;,+"),
        config=Markup(json.dumps(config).replace("</", "<\\/")),
        runtime="scorm12.min.js" if config["version"] == "1.2" else "scorm2004.min.js",
    )
    headers = _content_headers(portal, here, html=True, launcher=True)
    # the launcher's own scripts are the platform's; the package's pages keep theirs
    headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        f"frame-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors {portal}"
    )
    return Response(page, mimetype="text/html", headers=headers)


def _officer_row(attempt: dict) -> dict:
    from app.web.common import site

    return site().unguarded("officer").find_one({"_id": attempt["officer"]}) or {"_id": attempt["officer"]}


RUNTIME_FILES = {
    "scorm12.min.js": "vendor/scorm-again-3.4.3/scorm12.min.js",
    "scorm2004.min.js": "vendor/scorm-again-3.4.3/scorm2004.min.js",
    "launcher.js": "scorm-launcher.js",
}


def scorm_runtime(filename):
    """The launcher's scripts (scorm-again and the launcher's own), at the content origin."""
    from pathlib import Path

    from flask import abort, send_file

    import app.web

    if filename not in RUNTIME_FILES:
        abort(404)
    path = Path(app.web.__file__).parent / "portal_static" / RUNTIME_FILES[filename]
    response = send_file(path, mimetype="text/javascript", max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def scorm_commit_here(token):
    """The launcher's commit (scorm-again's request, with the attempt's CMI data), at the
    content origin; answered as scorm-again reads a commit's result."""
    from flask import jsonify, request

    from app.errors import IgotError
    from app.web.common import json_body, site

    if request.mimetype != "application/json":
        return jsonify({"result": False, "errorCode": 101, "message": "send the CMI data as JSON"}), 415
    try:
        body = json_body()
        answer = progress.commit_by_token(site(), token, body.get("cmi"))
    except IgotError as exc:
        return jsonify({"result": False, "errorCode": 101, "message": exc.message}), exc.status
    return jsonify(answer)


def scorm_file(token, path):
    """A file of a SCORM package, by the signed address the player page was given (no session:
    the package runs sandboxed at the content origin), from the package's extracted copy.
    Nothing is added to the package's pages: the run-time is in the launcher that frames them."""
    from flask import send_file

    from app.web.common import site

    _attempt, row, portal = progress.package_for(site(), token)
    here = _served_here(portal)
    found = catalogue.package_path(site(), row, path)
    kind = catalogue.content_type(path)
    response = send_file(found, mimetype=kind, conditional=True, max_age=0)
    response.headers.update(_content_headers(portal, here, html=kind in ("text/html", "application/xhtml+xml")))
    return response
