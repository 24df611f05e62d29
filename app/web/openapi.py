"""The OpenAPI 3 description of the API, generated from the meta.

Each doctype gets a record schema (its fields, with the custom fields of the caller's MDOs),
an input schema, and its paths: list, create, read, save, delete, and where they apply
submit/cancel/amend and the workflow transition (with the active workflow's actions).
"""

from __future__ import annotations

from app.model import customize, workflow
from app.model.fieldtypes import FIELDTYPES, bounds
from app.query import MAX_LIMIT, OPERATORS

ERRORS = {
    "400": "Invalid: the record, a field or a parameter",
    "401": "Not signed in",
    "403": "Not permitted",
    "404": "No such record (or not visible to you)",
    "409": "Stale, duplicate, or not allowed in the record's docstatus",
}


def field_schema(f, registry) -> dict:
    s = dict(FIELDTYPES[f.fieldtype].openapi(f))  # the fieldtype's schema (app.model.fieldtypes)
    lo, hi = bounds(f)
    if lo is not None and s.get("type") in ("integer", "number"):
        s["minimum"] = lo
    if hi is not None and s.get("type") in ("integer", "number"):
        s["maximum"] = hi
    if f.description:
        s["description"] = (s.get("description", "") + " " + f.description).strip()
    if not f.reqd and f.fieldtype != "Table":
        s = {**s, "nullable": True}
    return s


def _id(doctype: str) -> str:
    return doctype.replace(" ", "")


def _record_schema(meta, registry, *, writable: bool) -> dict:
    props, required = {}, []
    for f in meta.all_fields:
        if writable and (f.read_only and f.fieldtype != "Table" or f.fieldname == "amended_from"):
            continue
        props[f.fieldname] = field_schema(f, registry)
        if f.reqd and writable:
            required.append(f.fieldname)
    if meta.is_child:
        props.update({"name": {"type": "string"}, "idx": {"type": "integer"}})
    elif not writable:
        props.update(
            {
                "name": {"type": "string"},
                "owner": {"type": "string"},
                "creation": {"type": "string", "format": "date-time"},
                "modified": {"type": "string", "format": "date-time"},
                "modified_by": {"type": "string"},
                "docstatus": {"type": "integer", "enum": [0, 1, 2]},
            }
        )
    else:
        props["modified"] = {
            "type": "string",
            "format": "date-time",
            "description": "the version you read; a save of an older version is refused with 409",
        }
    schema = {"type": "object", "properties": props, "additionalProperties": not writable}
    if required:
        schema["required"] = required
    if meta.description:
        schema["description"] = meta.description
    return schema


def _responses(ok: dict) -> dict:
    out = dict(ok)
    for code, text in ERRORS.items():
        out[code] = {"description": text, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    return out


def _json(ref: str) -> dict:
    return {"content": {"application/json": {"schema": {"$ref": ref}}}}


def _data(ref: str) -> dict:
    return {"content": {"application/json": {"schema": {"type": "object", "properties": {"data": {"$ref": ref}}}}}}


def build(ctx) -> dict:
    registry = ctx.registry
    schemas = {
        "Error": {
            "type": "object",
            "required": ["error", "message"],
            "properties": {
                "error": {"type": "string", "example": "ValidationError"},
                "message": {"type": "string"},
                "doctype": {"type": "string"},
                "name": {"type": "string"},
                "errors": {
                    "type": "object",
                    "description": "field -> [messages]; child tables: table -> row number -> field -> [messages]",
                },
            },
        }
    }
    paths = {}
    name_param = {"name": "name", "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
    for base in registry:
        meta = customize.query_meta(ctx, base) if not base.is_child else base
        sid = _id(meta.name)
        schemas[sid] = _record_schema(meta, registry, writable=False)
        if meta.is_child:
            continue
        schemas[sid + "Input"] = _record_schema(meta, registry, writable=True)
        tag = [meta.module]
        filterable = sorted(f.fieldname for f in meta.all_fields if f.fieldtype != "Table")
        collection = f"/api/resource/{meta.name}"
        paths[collection] = {
            "get": {
                "tags": tag,
                "summary": f"List {meta.name} records",
                "operationId": f"list{sid}",
                "parameters": [
                    {
                        "name": "filters",
                        "in": "query",
                        "schema": {"type": "string"},
                        "description": "JSON: [[field, operator, value], ...] or {field: value | [operator, value]}. "
                        f"Operators: {', '.join(OPERATORS)}. Fields: name, {', '.join(filterable)}; child fields as table.field",
                    },
                    {
                        "name": "fields",
                        "in": "query",
                        "schema": {"type": "string"},
                        "description": 'JSON list, e.g. ["name", "full_name"]',
                    },
                    {
                        "name": "order_by",
                        "in": "query",
                        "schema": {"type": "string"},
                        "description": f"e.g. 'modified desc' (default {meta.default_sort})",
                    },
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": MAX_LIMIT}},
                    {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                    {
                        "name": "search",
                        "in": "query",
                        "schema": {"type": "string"},
                        "description": f"text in {', '.join(['name'] + meta.search_fields)}",
                    },
                ],
                "responses": _responses(
                    {
                        "200": {
                            "description": "records and the total matching",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "data": {"type": "array", "items": {"$ref": f"#/components/schemas/{sid}"}},
                                            "total": {"type": "integer"},
                                        },
                                    }
                                }
                            },
                        }
                    }
                ),
            },
            "post": {
                "tags": tag,
                "summary": f"Create a {meta.name}",
                "operationId": f"create{sid}",
                "requestBody": {"required": True, **_json(f"#/components/schemas/{sid}Input")},
                "responses": _responses({"201": {"description": "created", **_data(f"#/components/schemas/{sid}")}}),
            },
        }
        paths[collection + "/{name}"] = {
            "parameters": [name_param],
            "get": {
                "tags": tag,
                "summary": f"Read a {meta.name}",
                "operationId": f"get{sid}",
                "responses": _responses(
                    {
                        "200": {
                            "description": "the record, the actions you may take, and its workflow",
                            **_data(f"#/components/schemas/{sid}"),
                        }
                    }
                ),
            },
            "put": {
                "tags": tag,
                "summary": f"Save a {meta.name}",
                "operationId": f"save{sid}",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {k: v for k, v in _record_schema(meta, registry, writable=True).items() if k != "required"}
                        }
                    },
                },
                "responses": _responses({"200": {"description": "saved", **_data(f"#/components/schemas/{sid}")}}),
            },
            "delete": {
                "tags": tag,
                "summary": f"Delete a {meta.name}",
                "operationId": f"delete{sid}",
                "responses": _responses({"200": {"description": "deleted"}}),
            },
        }
        if meta.is_submittable:
            for action in ("submit", "cancel", "amend"):
                paths[f"{collection}/{{name}}/{action}"] = {
                    "parameters": [name_param],
                    "post": {
                        "tags": tag,
                        "summary": f"{action.title()} a {meta.name}",
                        "operationId": f"{action}{sid}",
                        "requestBody": {
                            "required": False,
                            "content": {
                                "application/json": {"schema": {"type": "object", "properties": {"modified": {"type": "string"}}}}
                            },
                        },
                        "responses": _responses(
                            {
                                "200": {"description": "done", **_data(f"#/components/schemas/{sid}")},
                                "201": {"description": "amended copy", **_data(f"#/components/schemas/{sid}")},
                            }
                        ),
                    },
                }
        wf = workflow.active(ctx, meta.name)
        if wf:
            actions = sorted({t["action"] for t in wf["transitions"]})
            paths[f"{collection}/{{name}}/transition"] = {
                "parameters": [name_param],
                "post": {
                    "tags": tag,
                    "summary": f"Take a workflow action ({wf['_id']})",
                    "operationId": f"transition{sid}",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["action"],
                                    "properties": {
                                        "action": {"type": "string", "enum": actions},
                                        "comment": {"type": "string", "nullable": True},
                                        "modified": {"type": "string"},
                                    },
                                }
                            }
                        },
                    },
                    "responses": _responses({"200": {"description": "moved", **_data(f"#/components/schemas/{sid}")}}),
                },
            }
        for f in meta.all_fields:
            if f.fieldtype == "Attach":
                paths[f"{collection}/{{name}}/attach/{f.fieldname}"] = {
                    "parameters": [name_param],
                    "post": {
                        "tags": tag,
                        "summary": f"Upload a file into {f.label} and save the {meta.name}",
                        "operationId": f"attach{sid}{_id(f.fieldname)}",
                        "requestBody": {"required": True, **_MULTIPART},
                        "responses": _responses(
                            {
                                "200": {"description": "saved, with the file", **_data(f"#/components/schemas/{sid}")},
                                "413": {"description": "larger than the upload limit"},
                            }
                        ),
                    },
                }
        for action in meta.actions:
            paths[f"{collection}/{{name}}/action/{action['name']}"] = {
                "parameters": [name_param],
                "post": {
                    "tags": tag,
                    "summary": action["label"],
                    "description": action.get("description", ""),
                    "operationId": f"{action['name']}{sid}",
                    "requestBody": {"required": False, "content": {"application/json": {"schema": {"type": "object"}}}},
                    "responses": _responses(
                        {
                            "200": {"description": "done", **_data(f"#/components/schemas/{sid}")},
                            "201": {"description": "a new record", **_data(f"#/components/schemas/{sid}")},
                        }
                    ),
                },
            }
    paths.update(_declared_paths(ctx))
    paths.update(_other_paths())
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "iGOT capacity-building platform API",
            "version": "1",
            "description": "Generated from the doctype definitions. Custom fields shown are those of the caller's MDOs.",
        },
        "servers": [{"url": "/"}],
        "security": [{"token": []}, {"session": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "token": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "token <key>:<secret> (igot token EMAIL)",
                },
                "session": {"type": "apiKey", "in": "cookie", "name": "session", "description": "from POST /api/method/login"},
            },
        },
    }


_MULTIPART = {
    "content": {
        "multipart/form-data": {
            "schema": {"type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}}}
        }
    }
}


def _get(tag, summary, op, params=(), responses=None, security=None) -> dict:
    out = {
        "tags": [tag],
        "summary": summary,
        "operationId": op,
        "parameters": [{"name": p, "in": where, "required": req, "schema": {"type": t}} for p, where, req, t in params],
        "responses": _responses(responses or {"200": {"description": summary}}),
    }
    if security is not None:
        out["security"] = security
    return {"get": out}


def _post(tag, summary, op, body=None, responses=None) -> dict:
    out = {
        "tags": [tag],
        "summary": summary,
        "operationId": op,
        "responses": _responses(responses or {"200": {"description": summary}}),
    }
    if body is not None:
        out["requestBody"] = body
    return {"post": out}


def _params(params) -> list[dict]:
    return [
        {
            "name": p.name,
            "in": p.where,
            "required": p.required or p.where == "path",
            "schema": {"type": p.type},
            **({"description": p.description} if p.description else {}),
        }
        for p in params
    ]


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w.title() for w in rest)


def _declared(method) -> dict:
    """An ``ApiMethod`` declaration as its OpenAPI operation."""
    op = {
        "tags": [method.tag or "Methods"],
        "summary": method.summary,
        "operationId": _camel(method.name),
        "parameters": _params(method.params),
        "responses": _responses({str(method.status): {"description": method.summary}}),
    }
    if method.public:
        op["security"] = []
    if method.body is not None:
        op["requestBody"] = {
            "required": bool(method.body.get("required")),
            "content": {"application/json": {"schema": method.body["schema"]}},
        }
    elif method.multipart is not None:
        op["requestBody"] = {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": [k for k in method.multipart if k in ("file", "doctype")],
                        "properties": method.multipart,
                    }
                }
            },
        }
    return {method.http_method.lower(): op}


def _route(route) -> tuple[str, dict]:
    import re

    path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", route.rule)
    op = {
        "tags": [route.tag or "Pages"],
        "summary": route.summary,
        "operationId": _camel(route.view.__name__),
        "parameters": _params(route.params),
        "responses": _responses({"200": {"description": route.summary}}),
    }
    if route.public:
        op["security"] = []
    return path, {m.lower(): op for m in route.methods}


def _declared_paths(ctx) -> dict:
    """The engine's API methods and the modules' (``ApiMethod``), and the modules' routes
    (``Route``): described from the same declarations the routes are served from."""
    from . import methods

    out = {f"/api/method/{m.name}": _declared(m) for m in methods.all_methods()}
    for route in ctx.site.modules.all("routes"):
        path, item = _route(route)
        out[path] = item
    return out


def _other_paths() -> dict:
    """The engine's fixed routes: files, and the API's description of itself."""
    return {
        "/api/openapi.json": _get("Meta", "This description", "openapi", security=[]),
        "/api/docs": _get("Meta", "The API's documentation page", "docs", security=[]),
        "/api/docs/init.js": _get("Meta", "The documentation page's script", "docsScript", security=[]),
        "/api/docs/static/{filename}": _get(
            "Meta", "The documentation page's files", "docsStatic", [("filename", "path", True, "string")], security=[]
        ),
        "/api/doctype": _get("Meta", "The doctypes", "doctypes"),
        "/api/doctype/{doctype}": _get("Meta", "One doctype's definition", "doctype", [("doctype", "path", True, "string")]),
        "/api/file": _post(
            "Files",
            "Upload a file (checked by its content)",
            "uploadFile",
            {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["file"],
                            "properties": {"file": {"type": "string", "format": "binary"}, "accept": {"type": "string"}},
                        }
                    }
                },
            },
            {"201": {"description": "stored"}, "413": {"description": "larger than the upload limit"}},
        ),
        "/api/file/{file_id}": _get(
            "Files", "Download a file you may read", "downloadFile", [("file_id", "path", True, "string")]
        ),
    }
