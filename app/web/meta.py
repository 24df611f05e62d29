"""The API describing itself: the doctypes, the OpenAPI description and its docs page."""

from __future__ import annotations

from flask import Response, jsonify

from .common import api, ctx, site

DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>iGOT API</title>
<link rel="stylesheet" href="/api/docs/static/swagger-ui.css"></head>
<body><div id="docs"></div>
<script src="/api/docs/static/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body></html>"""


@api.get("/openapi.json")
def openapi_spec():
    """Public. Signed-in callers see their MDOs' custom fields too."""
    from app.access import UserAccess
    from app.auth import Unauthenticated

    from . import openapi

    try:
        c = ctx()
    except Unauthenticated:
        c = site().context("anonymous", UserAccess(site(), "anonymous", [], []))
    return jsonify(openapi.build(c))


@api.get("/docs")
def api_docs():
    return Response(DOCS_PAGE, mimetype="text/html")


@api.get("/docs/static/<path:filename>")
def api_docs_static(filename):
    from flask import send_from_directory
    from swagger_ui_bundle import swagger_ui_path

    return send_from_directory(str(swagger_ui_path), filename)


@api.get("/docs/init.js")
def api_docs_init():
    return Response(
        'SwaggerUIBundle({url: "/api/openapi.json", dom_id: "#docs", deepLinking: true});\\n', mimetype="text/javascript"
    )


@api.get("/doctype")
def list_doctypes():
    ctx()  # signed-in callers only
    return jsonify(
        {
            "data": [
                {"name": m.name, "collection": m.collection, "module": m.module, "is_child": m.is_child} for m in site().registry
            ]
        }
    )


@api.get("/doctype/<doctype>")
def doctype_meta(doctype):
    ctx()  # signed-in callers only
    meta = site().meta(doctype)
    return jsonify(
        {
            "data": {
                "name": meta.name,
                "collection": meta.collection,
                "module": meta.module,
                "autoname": meta.autoname,
                "is_submittable": meta.is_submittable,
                "is_tenant": meta.is_tenant,
                "fields": [f.to_dict() for f in meta.all_fields],
            }
        }
    )
