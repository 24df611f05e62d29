"""The Content module's API: the catalogue, and the files of a module's SCORM package."""

from __future__ import annotations

from flask import Response

from app.web.common import ctx

from . import catalogue


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
