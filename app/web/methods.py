"""``/api/method/<name>``: the methods the engine and the product's modules declare
(``app.registry.ApiMethod``), dispatched by one route and described in the OpenAPI from the
same declarations; and the modules' other routes (``app.registry.Route``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Response, jsonify, request

from app.errors import ValidationError
from app.model.schemas import dump_value

from .common import api, ctx, json_body, site


@dataclass
class Call:
    """One call of an API method: who calls, with what."""

    method: object
    args: dict = field(default_factory=dict)
    body: dict = field(default_factory=dict)

    @property
    def ctx(self):
        return ctx()

    @property
    def site(self):
        return site()

    @property
    def request(self):
        return request

    def arg(self, name: str):
        return self.args.get(name)

    @staticmethod
    def data(value, status: int = 200):
        """The usual answer: ``{"data": value}`` (values made JSON: dates, ObjectIds)."""
        return {"data": dump_value(value)}, status


_TYPES = {
    "integer": (int, "a whole number"),
    "number": (float, "a number"),
    "boolean": (None, "true or false"),
    "string": (str, "a text"),
}


def _coerce(param, raw: str):
    kind, words = _TYPES.get(param.type, (str, "a text"))
    if param.type == "boolean":
        if raw.lower() in ("1", "true", "yes"):
            return True
        if raw.lower() in ("0", "false", "no"):
            return False
    else:
        try:
            return kind(raw)
        except ValueError:
            pass
    raise ValidationError(
        f"the query parameter {param.name!r} must be {words}, not {raw!r}", errors={param.name: [f"must be {words}"]}
    )


def all_methods():
    from . import account, session

    return [*session.METHODS, *account.METHODS, *JOB_METHODS, *site().modules.all("methods")]


def find(name: str):
    return next((m for m in all_methods() if m.name == name), None)


@api.route("/method/<name>", methods=["GET", "POST"])
def method(name):
    declared = find(name)
    if declared is None:
        return jsonify({"error": "NotFound", "message": f"no API method {name!r}"}), 404
    if request.method != declared.http_method:
        return jsonify(
            {
                "error": "MethodNotAllowed",
                "message": f"{request.method} is not allowed on {request.path}; use {declared.http_method}",
            }
        ), 405
    if not declared.public:
        ctx()  # signed-in callers only (401 otherwise)
    args = {}
    for param in declared.params:
        raw = request.args.get(param.name)
        if raw in (None, ""):
            if param.required:
                raise ValidationError(
                    f"the query parameter {param.name!r} is required", errors={param.name: ["Missing data for required field."]}
                )
            continue
        args[param.name] = _coerce(param, raw)
    body = (
        json_body(required=declared.body is not None and bool(declared.body.get("required")))
        if declared.http_method == "POST" and declared.multipart is None
        else {}
    )
    answer = declared.handler(Call(declared, args, body))
    if isinstance(answer, Response):
        return answer
    if isinstance(answer, tuple):
        value, status = answer
        return jsonify(value), status
    return jsonify(answer), declared.status


# background jobs: the engine's own methods ------------------------------------------------------


def _run_job(call):
    """``{"job": name, "args": {...}}``: queue a background job for the caller (202); follow it
    at ``/api/resource/Background Job/<name>``."""
    from app import jobs
    from app.model import lifecycle

    from .common import doc_json

    args = call.body.get("args") or {}
    if not isinstance(args, dict):
        raise ValidationError("args: must be an object of the job's arguments", errors={"args": ["expected an object"]})
    doc = jobs.submit(call.ctx, str(call.body.get("job") or ""), args)
    return {"data": doc_json(lifecycle.get(call.ctx, "Background Job", doc.name))}, 202


def _import_job(call):
    """Multipart ``file`` (CSV or XLSX), ``doctype`` and optional ``mdo``: import in the
    background (202); the job's result lists the rejected rows with their reasons."""
    from app import files, jobs
    from app.model import lifecycle

    from .common import doc_json
    from .files import _upload

    c = call.ctx
    doctype = request.form.get("doctype") or ""
    if doctype not in c.registry.names:
        raise ValidationError(f"doctype: unknown doctype {doctype!r}", errors={"doctype": ["unknown"]})
    c.access.check(c.registry.get(doctype), "import")
    upload = _upload()
    file_id = files.store(c, upload.stream, upload.filename, upload.mimetype, accept=["text", "spreadsheet"])
    doc = jobs.submit(
        c,
        "import",
        {"doctype": doctype, "file": file_id, "mdo": request.form.get("mdo") or None, "filename": upload.filename},
        label=f"Import {doctype} from {upload.filename}",
    )
    return {"data": doc_json(lifecycle.get(c, "Background Job", doc.name))}, 202


def _job_methods():
    from app.registry import ApiMethod

    return (
        ApiMethod(
            "run_job",
            _run_job,
            "Queue a background job",
            "POST",
            tag="Jobs",
            status=202,
            body={
                "required": True,
                "schema": {
                    "type": "object",
                    "required": ["job"],
                    "properties": {"job": {"type": "string"}, "args": {"type": "object"}},
                },
            },
        ),
        ApiMethod(
            "import_job",
            _import_job,
            "Import a CSV or XLSX in the background",
            "POST",
            tag="Jobs",
            status=202,
            multipart={"file": {"type": "string", "format": "binary"}, "doctype": {"type": "string"}, "mdo": {"type": "string"}},
        ),
    )


def _labels(call):
    """A doctype's label, and its fields' labels and options, in ``lang`` (en or hi), for the
    fields the caller reads: what a screen in another language shows."""
    from app import i18n

    meta = call.ctx.registry.get(call.arg("doctype"))
    call.ctx.access.check(meta, "read")
    lang = call.arg("lang") or "en"
    if lang not in i18n.LANGUAGES:
        raise ValidationError(f"lang: {lang!r} is not one of {', '.join(i18n.LANGUAGES)}", errors={"lang": ["unknown"]})
    say = i18n.translations(call.ctx.site, lang).gettext
    levels = call.ctx.access.readable_levels(meta)
    fields = [
        {
            "fieldname": f.fieldname,
            "label": say(f.label) if f.label else f.fieldname,
            **({"options": {o: say(o) for o in f.select_options}} if f.select_options else {}),
        }
        for f in meta.fields
        if f.permlevel in levels
    ]
    return call.data({"doctype": meta.name, "label": say(meta.name), "lang": lang, "fields": fields})


def _label_methods():
    from app.registry import ApiMethod, Param

    return (
        ApiMethod(
            "labels",
            _labels,
            "A doctype's and its fields' labels and options in a language (en, hi)",
            tag="Meta",
            params=(Param("doctype", required=True), Param("lang")),
        ),
    )


JOB_METHODS = _job_methods() + _label_methods()


def register_routes(app, modules) -> None:
    """The modules' own routes (``Route``), in two blueprints made for this app: those under
    ``/api`` (``url_for("module_api.<view>")``), with the API's CSRF guard and JSON errors,
    and the others (``url_for("module_pages.<view>")``), such as the public verification page."""
    from flask import Blueprint

    from . import common

    under_api = Blueprint("module_api", __name__, url_prefix="/api")
    under_api.before_request(common._csrf_guard)
    under_api.register_error_handler(common.IgotError, common._igot_error)
    pages = Blueprint("module_pages", __name__)
    pages.register_error_handler(common.IgotError, common._igot_error)
    for route in modules.all("routes"):
        if route.rule.startswith("/api/"):
            under_api.add_url_rule(
                route.rule[len("/api") :], endpoint=route.view.__name__, view_func=route.view, methods=list(route.methods)
            )
        else:
            pages.add_url_rule(route.rule, endpoint=route.view.__name__, view_func=route.view, methods=list(route.methods))
        if route.content:
            prefix = "module_api" if route.rule.startswith("/api/") else "module_pages"
            app.extensions.setdefault("igot_content_endpoints", set()).add(f"{prefix}.{route.view.__name__}")
            app.extensions.setdefault("igot_content_views", []).append(route.view)  # no session there: no CSRF token
    app.register_blueprint(under_api)
    app.register_blueprint(pages)
