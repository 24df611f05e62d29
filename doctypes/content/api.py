"""The Content module's API: the catalogue, and the files of a module's SCORM package."""

from __future__ import annotations

from flask import Response

from app.web.common import ctx

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


INJECT = (
    '<script src="/portal-static/vendor/scorm-again-3.4.3/cross-frame-api.min.js"></script>'
    "<script>(function(){{var api=new CrossFrameAPI({origin},window.top,{{timeout:20000}});"
    "var seed={seed};for(var k in seed){{api._cache.set(k,seed[k]);}}"
    "window.API=api;window.API_1484_11=api;}})();</script>"
)


# a preview runs the package against a run-time in its own page, which records nothing
PREVIEW = (
    '<script src="/portal-static/vendor/scorm-again-3.4.3/scorm12.min.js"></script>'
    '<script src="/portal-static/vendor/scorm-again-3.4.3/scorm2004.min.js"></script>'
    "<script>window.API=new Scorm12API({logLevel:5});window.API_1484_11=new Scorm2004API({logLevel:5});</script>"
)


def scorm_file(token, path):
    """A file of a SCORM package, by the signed address the player page was given (no session:
    the package runs sandboxed in an origin of its own). Its pages get the SCORM 1.2 and 2004
    run-time as ``window.API`` and ``window.API_1484_11``, which pass every call to the
    learner's page; there the run-time keeps the data and commits it."""
    import json

    from flask import request

    from app.web.common import site

    attempt, row, portal = progress.package_for(site(), token)
    here = request.host_url.rstrip("/")
    own_origin = bool(portal) and here != portal  # served apart from the portal's pages
    data, content_type = catalogue.package_data(site(), row, path)
    if content_type == "text/html" and attempt is None:
        data = _inject(data, PREVIEW.encode())
    elif content_type == "text/html":
        officer = site().unguarded("officer").find_one({"_id": attempt["officer"]}) or {"_id": attempt["officer"]}
        script = INJECT.format(
            origin=json.dumps(portal or here), seed=json.dumps(progress.seed(attempt, officer)).replace("</", "<\\/")
        ).encode()
        data = _inject(data, script)
    response = Response(
        data,
        mimetype=content_type,
        headers={
            # an origin of its own lets the package's frames script each other; on the portal's
            # own origin the package gets an opaque one
            "Content-Security-Policy": "sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads"
            + (" allow-same-origin" if own_origin else "")
            + f"; frame-ancestors 'self' {portal or here}",
            "X-Frame-Options": "SAMEORIGIN",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer",
            "Cache-Control": "private, no-store" if content_type == "text/html" else "private, max-age=3600",
        },
    )
    return response


def _inject(page: bytes, script: bytes) -> bytes:
    """``script`` as the first thing a page runs: after ``<head>``, else after ``<html>``,
    else before everything (a fragment)."""
    import re

    for tag in (rb"<head\b[^>]*>", rb"<html\b[^>]*>"):
        found = re.search(tag, page, re.I)
        if found:
            return page[: found.end()] + script + page[found.end() :]
    doctype = re.match(rb"\s*(<!doctype[^>]*>)", page, re.I)
    if doctype:
        return page[: doctype.end()] + script + page[doctype.end() :]
    return script + page
