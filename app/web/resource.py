"""The resource API: one set of routes for every doctype.

    GET    /api/resource/<DocType>                 list: filters, fields, limit, offset, order_by, search
    POST   /api/resource/<DocType>                 insert
    GET    /api/resource/<DocType>/<name>          read
    PUT    /api/resource/<DocType>/<name>          save (send back "modified" to refuse stale saves);
                                                   201 and a new record if the edit made a new version
    DELETE /api/resource/<DocType>/<name>          delete
    POST   /api/resource/<DocType>/<name>/submit   and /cancel, /amend
    POST   /api/resource/<DocType>/<name>/transition        a workflow action
    POST   /api/resource/<DocType>/<name>/action/<action>   a document action of the meta

Their OpenAPI description is generated from the meta (``app.web.openapi``).
"""

from __future__ import annotations

from flask import jsonify, request

from app import query
from app.errors import ValidationError
from app.model import lifecycle
from app.model.schemas import dump_value

from .common import api, ctx, doc_json, json_body, not_child, site


@api.get("/resource/<doctype>")
def list_records(doctype):
    not_child(doctype)
    args = request.args
    try:
        limit = int(args.get("limit", args.get("limit_page_length", 20)))
        offset = int(args.get("offset", args.get("limit_start", 0)))
    except ValueError:
        raise ValidationError("limit and offset must be whole numbers", errors={"limit": ["must be a whole number"]}) from None
    rows, total = query.get_list(
        ctx(),
        doctype,
        filters=args.get("filters"),
        fields=args.get("fields"),
        order_by=args.get("order_by"),
        limit=limit,
        offset=offset,
        search=args.get("search"),
    )
    return jsonify({"data": [dump_value(r) for r in rows], "total": total, "limit": limit, "offset": offset})


@api.post("/resource/<doctype>")
def create_record(doctype):
    not_child(doctype)
    data = json_body()
    data.pop("doctype", None)
    if "name" in data:
        meta = site().meta(doctype)
        raise ValidationError.for_fields(
            doctype, None, {"name": [f"is set by the naming rule ({meta.autoname}), not by the caller."]}
        )
    doc = lifecycle.insert(ctx(), doctype, data)
    return jsonify({"data": doc_json(doc)}), 201


@api.get("/resource/<doctype>/<path:name>")
def read_record(doctype, name):
    from app.model import actions, workflow

    not_child(doctype)
    c = ctx()
    doc = lifecycle.get(c, doctype, name)
    return jsonify(
        {
            "data": doc_json(doc),
            "allowed": c.access.allowed_actions(doc.meta, doc.as_dict()),
            "workflow": dump_value(workflow.info(c, doc.meta, doc.as_dict())),
            "actions": [a["name"] for a in actions.available(c, doc.meta, doc.as_dict())],
        }
    )


@api.post("/resource/<doctype>/<path:name>/transition")
def transition(doctype, name):
    """Take a workflow action: ``{"action": "Approve", "comment": "...", "values": {...}}``
    (``values``: the fields the action takes, such as Pay's payment reference)."""
    from app.model import transitions, workflow

    not_child(doctype)
    body = json_body()
    if not body.get("action") or not isinstance(body["action"], str):
        raise ValidationError.for_fields(doctype, name, {"action": ["Missing data for required field."]})
    if body.get("comment") is not None and not isinstance(body["comment"], str):
        raise ValidationError.for_fields(doctype, name, {"comment": ["must be a text."]})
    if body.get("values") is not None and not isinstance(body["values"], dict):
        raise ValidationError.for_fields(doctype, name, {"values": ["must be an object of the action's fields and values."]})
    doc = transitions.apply(
        ctx(),
        doctype,
        name,
        body["action"],
        body.get("comment"),
        expected_modified=body.get("modified"),
        values=body.get("values"),
    )
    return jsonify({"data": doc_json(doc), "workflow": dump_value(workflow.info(ctx(), doc.meta, doc.as_dict()))})


@api.post("/resource/<doctype>/<path:name>/action/<action>")
def document_action(doctype, name, action):
    """A document action declared in the meta (e.g. a role map's ``new_version``); the JSON
    body holds its arguments."""
    from app.model import actions
    from app.model.document import Document

    not_child(doctype)
    body = json_body(required=False)
    result = actions.run(ctx(), doctype, name, action, body)
    if isinstance(result, Document):
        return jsonify({"data": doc_json(result)}), 201 if result.name != name else 200
    return jsonify({"data": dump_value(result)})


@api.put("/resource/<doctype>/<path:name>")
def update_record(doctype, name):
    not_child(doctype)
    data = json_body()
    data.pop("doctype", None)
    doc = lifecycle.save(ctx(), doctype, name, data)
    # 201: the record was live, so the edit became a new draft version (meta versioned_edit)
    return jsonify({"data": doc_json(doc)}), 201 if doc.name != name else 200


@api.delete("/resource/<doctype>/<path:name>")
def delete_record(doctype, name):
    not_child(doctype)
    lifecycle.delete(ctx(), doctype, name)
    return jsonify({"message": f"{doctype} {name} deleted"})


@api.post("/resource/<doctype>/<path:name>/<any(submit, cancel, amend):action>")
def docstatus_action(doctype, name, action):
    not_child(doctype)
    body = json_body(required=False)
    if action == "amend":
        return jsonify({"data": doc_json(lifecycle.amend(ctx(), doctype, name))}), 201
    operation = lifecycle.submit if action == "submit" else lifecycle.cancel
    doc = operation(ctx(), doctype, name, expected_modified=body.get("modified"))
    return jsonify({"data": doc_json(doc)})
