"""The REST API under ``/api``: one set of routes for every doctype.

    GET    /api/resource/<DocType>                 list: filters, fields, limit, offset, order_by, search
    POST   /api/resource/<DocType>                 insert
    GET    /api/resource/<DocType>/<name>          read
    PUT    /api/resource/<DocType>/<name>          save (send back "modified" to refuse stale saves)
    DELETE /api/resource/<DocType>/<name>          delete
    POST   /api/resource/<DocType>/<name>/submit   and /cancel, /amend
    POST   /api/file                               upload an attachment (multipart "file")
    GET    /api/file/<id>                          download it

Errors are JSON: ``{"error": "ValidationError", "message": "...", "errors": {field: [..]}}``
with 400 (invalid), 403 (not permitted), 404 (missing), 409 (stale, duplicate, wrong docstatus).
"""
from __future__ import annotations

from flask import Blueprint, Response, current_app, g, jsonify, request

from app import lifecycle, query
from app.errors import IgotError, NotFound, ValidationError
from app.schemas import dump_value

api = Blueprint("api", __name__, url_prefix="/api")


def site():
    return current_app.extensions["igot_site"]


def ctx():
    """The caller's Context. Who the caller is comes from ``app.config["IGOT_AUTHENTICATE"]``
    (request -> Context); the default acts as the system itself."""
    if "igot_ctx" not in g:
        g.igot_ctx = current_app.config["IGOT_AUTHENTICATE"](site(), request)
    return g.igot_ctx


def _json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ValidationError("the request body must be a JSON object", errors={"body": ["expected a JSON object"]})
    return data


def _doc(doc) -> dict:
    data = doc.as_dict() if hasattr(doc, "as_dict") else doc
    return {"doctype": doc.meta.name if hasattr(doc, "meta") else None, **dump_value(data)}


@api.errorhandler(IgotError)
def _igot_error(exc: IgotError):
    return jsonify(exc.to_dict()), exc.status


@api.errorhandler(404)
def _not_found(exc):
    return jsonify({"error": "NotFound", "message": f"no API route {request.path}"}), 404


@api.errorhandler(405)
def _not_allowed(exc):
    return jsonify({"error": "MethodNotAllowed", "message": f"{request.method} is not allowed on {request.path}"}), 405


@api.get("/resource/<doctype>")
def list_records(doctype):
    _not_child(doctype)
    args = request.args
    try:
        limit = int(args.get("limit", args.get("limit_page_length", 20)))
        offset = int(args.get("offset", args.get("limit_start", 0)))
    except ValueError:
        raise ValidationError("limit and offset must be whole numbers",
                              errors={"limit": ["must be a whole number"]}) from None
    rows, total = query.get_list(ctx(), doctype, filters=args.get("filters"), fields=args.get("fields"),
                                 order_by=args.get("order_by"), limit=limit, offset=offset,
                                 search=args.get("search"))
    return jsonify({"data": [dump_value(r) for r in rows], "total": total, "limit": limit, "offset": offset})


@api.post("/resource/<doctype>")
def create_record(doctype):
    _not_child(doctype)
    data = _json_body()
    data.pop("doctype", None)
    if "name" in data:
        meta = site().meta(doctype)
        raise ValidationError.for_fields(doctype, None, {"name": [f"is set by the naming rule ({meta.autoname}), not by the caller."]})
    doc = lifecycle.insert(ctx(), doctype, data)
    return jsonify({"data": _doc(doc)}), 201


@api.get("/resource/<doctype>/<path:name>")
def read_record(doctype, name):
    _not_child(doctype)
    return jsonify({"data": _doc(lifecycle.get(ctx(), doctype, name))})


@api.put("/resource/<doctype>/<path:name>")
def update_record(doctype, name):
    _not_child(doctype)
    data = _json_body()
    data.pop("doctype", None)
    doc = lifecycle.save(ctx(), doctype, name, data)
    return jsonify({"data": _doc(doc)})


@api.delete("/resource/<doctype>/<path:name>")
def delete_record(doctype, name):
    _not_child(doctype)
    lifecycle.delete(ctx(), doctype, name)
    return jsonify({"message": f"{doctype} {name} deleted"})


@api.post("/resource/<doctype>/<path:name>/<any(submit, cancel, amend):action>")
def docstatus_action(doctype, name, action):
    _not_child(doctype)
    body = request.get_json(silent=True) or {}
    if action == "amend":
        return jsonify({"data": _doc(lifecycle.amend(ctx(), doctype, name))}), 201
    operation = lifecycle.submit if action == "submit" else lifecycle.cancel
    doc = operation(ctx(), doctype, name, expected_modified=body.get("modified"))
    return jsonify({"data": _doc(doc)})


@api.get("/doctype")
def list_doctypes():
    return jsonify({"data": [{"name": m.name, "collection": m.collection, "module": m.module,
                              "is_child": m.is_child} for m in site().registry]})


@api.get("/doctype/<doctype>")
def doctype_meta(doctype):
    meta = site().meta(doctype)
    return jsonify({"data": {"name": meta.name, "collection": meta.collection, "module": meta.module,
                             "autoname": meta.autoname, "is_submittable": meta.is_submittable,
                             "is_tenant": meta.is_tenant, "fields": [f.to_dict() for f in meta.all_fields]}})


@api.post("/file")
def upload_file():
    upload = request.files.get("file")
    if upload is None:
        raise ValidationError("send the file as multipart form field 'file'", errors={"file": ["missing"]})
    content_type = upload.mimetype or "application/octet-stream"
    file_id = site().store.files.put(upload.stream, filename=upload.filename,
                                     metadata={"content_type": content_type, "owner": ctx().user})
    info = site().store.files.get(file_id)
    return jsonify({"data": {"file_id": str(file_id), "filename": info.filename, "size": info.length,
                             "content_type": content_type}}), 201


@api.get("/file/<file_id>")
def download_file(file_id):
    from bson import ObjectId
    from bson.errors import InvalidId
    from gridfs.errors import NoFile

    try:
        stored = site().store.files.get(ObjectId(file_id))
    except (InvalidId, NoFile):
        raise NotFound(f"file {file_id!r} not found") from None
    return Response(stored.read(), mimetype=(stored.metadata or {}).get("content_type", "application/octet-stream"),
                    headers={"Content-Disposition": f'attachment; filename="{stored.filename}"'})


def _not_child(doctype):
    meta = site().meta(doctype)
    if meta.is_child:
        raise NotFound(f"{doctype} is a child table; read it through its parent", doctype=doctype)


def system_context(site_, request_):
    """Default authentication: every caller acts as the system (no accounts yet)."""
    return site_.context("Administrator")
