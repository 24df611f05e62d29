"""The REST API under ``/api``: one set of routes for every doctype.

    GET    /api/resource/<DocType>                 list: filters, fields, limit, offset, order_by, search
    POST   /api/resource/<DocType>                 insert
    GET    /api/resource/<DocType>/<name>          read
    PUT    /api/resource/<DocType>/<name>          save (send back "modified" to refuse stale saves);
                                                   201 and a new record if the edit made a new version
    DELETE /api/resource/<DocType>/<name>          delete
    POST   /api/resource/<DocType>/<name>/submit   and /cancel, /amend
    POST   /api/resource/<DocType>/<name>/transition        a workflow action
    POST   /api/resource/<DocType>/<name>/action/<action>   a document action of the meta
    POST   /api/resource/<DocType>/<name>/attach/<field>    upload a file into an Attach field
    POST   /api/file                               upload an attachment (multipart "file";
                                                   optional "accept": kinds, comma-separated)
    GET    /api/file/<id>                          download it
    GET    /api/method/catalogue                   published content modules of every MDO
    POST   /api/method/run_job, /api/method/import_job   background jobs (202)
    GET    /api/content/<module>/package/<path>    a file of a module's SCORM package

Errors are JSON: ``{"error": "ValidationError", "message": "...", "errors": {field: [..]}}``
with 400 (invalid), 403 (not permitted), 404 (missing), 409 (stale, duplicate, wrong docstatus).
"""
from __future__ import annotations

import time

from flask import Blueprint, Response, current_app, g, jsonify, request

from app import lifecycle, query
from app.errors import IgotError, NotFound, ValidationError
from app.schemas import dump_value

api = Blueprint("api", __name__, url_prefix="/api")


def site():
    return current_app.extensions["igot_site"]


def ctx():
    """The caller's Context, from ``app.config["IGOT_AUTHENTICATE"]`` (site, request ->
    Context); by default ``app.auth.authenticate``: an API token, else the session."""
    if "igot_ctx" not in g:
        g.igot_ctx = current_app.config["IGOT_AUTHENTICATE"](site(), request)
    return g.igot_ctx


@api.before_request
def _csrf_guard():
    """A browser session may change data only with a JSON request, which another site's
    page cannot send without the server's consent (CORS preflight). Token callers are exempt."""
    if request.method in ("GET", "HEAD", "OPTIONS") or request.path.endswith("/method/login"):
        return None
    if request.headers.get("Authorization", "").lower().startswith("token "):
        return None
    if request.mimetype not in ("application/json", "multipart/form-data") or (
            request.mimetype == "multipart/form-data" and request.headers.get("X-Requested-With") != "igot"):
        return jsonify({"error": "PermissionDenied", "message": "send JSON (Content-Type: application/json) "
                        "or an X-Requested-With: igot header with uploads"}), 403
    return None


def _json_body(required: bool = True) -> dict:
    """The request's JSON object, parsed within ``app.inputs``' bounds (400 otherwise)."""
    from app import inputs

    if request.content_length and request.content_length > inputs.MAX_BODY_BYTES:
        raise ValidationError(f"body: is {request.content_length:,} bytes; at most {inputs.MAX_BODY_BYTES:,} are accepted",
                              errors={"body": ["too large"]})
    return inputs.body(request.get_data(cache=True), required=required)


def _doc(doc) -> dict:
    from app import customize

    return {"doctype": doc.meta.name, **dump_value(customize.present(ctx(), doc.meta, doc.as_dict()))}


@api.errorhandler(IgotError)
def _igot_error(exc: IgotError):
    return jsonify(exc.to_dict()), exc.status


@api.errorhandler(404)
def _not_found(exc):
    return jsonify({"error": "NotFound", "message": f"no API route {request.path}"}), 404


@api.errorhandler(413)
def _too_large(exc):
    from app import files

    message = f"the upload is larger than the limit of {files.limit_text(site())}; nothing was stored"
    return jsonify({"error": "ValidationError", "message": message, "errors": {"file": [message]}}), 413


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
    c = ctx()
    doc = lifecycle.get(c, doctype, name)
    from app import workflow

    from app import actions

    return jsonify({"data": _doc(doc), "allowed": c.access.allowed_actions(doc.meta, doc.as_dict()),
                    "workflow": dump_value(workflow.info(c, doc.meta, doc.as_dict())),
                    "actions": [a["name"] for a in actions.available(c, doc.meta, doc.as_dict())]})


@api.post("/resource/<doctype>/<path:name>/transition")
def transition(doctype, name):
    """Take a workflow action: ``{"action": "Approve", "comment": "..."}``."""
    from app import workflow

    _not_child(doctype)
    body = _json_body()
    if not body.get("action") or not isinstance(body["action"], str):
        raise ValidationError.for_fields(doctype, name, {"action": ["Missing data for required field."]})
    if body.get("comment") is not None and not isinstance(body["comment"], str):
        raise ValidationError.for_fields(doctype, name, {"comment": ["must be a text."]})
    doc = workflow.apply(ctx(), doctype, name, body["action"], body.get("comment"), expected_modified=body.get("modified"))
    return jsonify({"data": _doc(doc), "workflow": dump_value(workflow.info(ctx(), doc.meta, doc.as_dict()))})


@api.post("/resource/<doctype>/<path:name>/action/<action>")
def document_action(doctype, name, action):
    """A document action declared in the meta (e.g. a role map's ``new_version``); the JSON
    body holds its arguments."""
    from app import actions
    from app.document import Document

    _not_child(doctype)
    body = _json_body(required=False)
    result = actions.run(ctx(), doctype, name, action, body)
    if isinstance(result, Document):
        return jsonify({"data": _doc(result)}), 201 if result.name != name else 200
    return jsonify({"data": dump_value(result)})


@api.put("/resource/<doctype>/<path:name>")
def update_record(doctype, name):
    _not_child(doctype)
    data = _json_body()
    data.pop("doctype", None)
    doc = lifecycle.save(ctx(), doctype, name, data)
    # 201: the record was live, so the edit became a new draft version (meta versioned_edit)
    return jsonify({"data": _doc(doc)}), 201 if doc.name != name else 200


@api.delete("/resource/<doctype>/<path:name>")
def delete_record(doctype, name):
    _not_child(doctype)
    lifecycle.delete(ctx(), doctype, name)
    return jsonify({"message": f"{doctype} {name} deleted"})


@api.post("/resource/<doctype>/<path:name>/<any(submit, cancel, amend):action>")
def docstatus_action(doctype, name, action):
    _not_child(doctype)
    body = _json_body(required=False)
    if action == "amend":
        return jsonify({"data": _doc(lifecycle.amend(ctx(), doctype, name))}), 201
    operation = lifecycle.submit if action == "submit" else lifecycle.cancel
    doc = operation(ctx(), doctype, name, expected_modified=body.get("modified"))
    return jsonify({"data": _doc(doc)})


def _arg(name: str, required: bool = True):
    value = request.args.get(name)
    if required and not value:
        raise ValidationError(f"the query parameter {name!r} is required", errors={name: ["Missing data for required field."]})
    return value


@api.get("/method/gap")
def gap():
    """``?officer=<name>``: the officer's gaps against their position's verified role map;
    ``?mdo=<name>``: per competency (and position), officers short and the average gap."""
    from doctypes.frac import frac

    if request.args.get("officer"):
        return jsonify({"data": dump_value(frac.officer_gap(ctx(), request.args["officer"]))})
    if request.args.get("mdo"):
        return jsonify({"data": dump_value(frac.mdo_gap(ctx(), request.args["mdo"]))})
    raise ValidationError("give officer=<name> or mdo=<name>", errors={"officer": ["give officer or mdo"]})


@api.get("/method/passbook")
def passbook():
    """``?officer=<name>``: the officer's passbook entries and current levels."""
    from doctypes.frac import frac

    return jsonify({"data": dump_value(frac.passbook(ctx(), _arg("officer")))})


@api.get("/method/talent")
def talent():
    """``?competency=<name>&level=<1-5>[&mdo=<name>][&limit=50]``: officers at that level or above."""
    from doctypes.frac import frac

    try:
        level = int(_arg("level"))
        limit = min(max(int(request.args.get("limit", 50)), 1), 1000)
    except ValueError:
        raise ValidationError("level and limit must be whole numbers", errors={"level": ["must be a whole number"]}) from None
    return jsonify({"data": dump_value(frac.talent(ctx(), _arg("competency"), level, request.args.get("mdo"), limit))})


@api.get("/method/my_plan")
def my_plan():
    """``?officer=<name>``: the items of live capacity building plans assigned to the officer."""
    from doctypes.frac import frac

    return jsonify({"data": dump_value(frac.officer_plan(ctx(), _arg("officer")))})


@api.get("/method/plan_progress")
def plan_progress():
    """``?plan=<name>``: completion of each item of a capacity building plan, and per position."""
    from doctypes.frac import frac

    return jsonify({"data": dump_value(frac.plan_progress(ctx(), _arg("plan")))})


@api.get("/method/eligibility")
def eligibility():
    """``?officer=<name>&offering=<name>``: every eligibility rule with pass or fail and why."""
    from app import lifecycle, persistence
    from doctypes.programmes import programme_rules as programme

    c = ctx()
    officer = persistence.to_db(lifecycle.get(c, "Officer", _arg("officer")).as_dict())
    offering = persistence.to_db(lifecycle.get(c, "Course Offering", _arg("offering")).as_dict())
    answer = programme.eligibility(site().db, officer, offering, c.now().date())
    open_, why = programme.registration_open(offering, c.now().date())
    return jsonify({"data": dump_value({**answer, "registration_open": open_, "registration": why})})


@api.get("/method/eligible_courses")
def eligible_courses():
    """``?officer=<name>``: the offerings open for registration now, each with the officer's eligibility."""
    from doctypes.programmes import programme_rules as programme

    return jsonify({"data": dump_value(programme.eligible_offerings(ctx(), _arg("officer")))})


@api.get("/method/catalogue")
def catalogue():
    """Published content modules of every MDO: ``search``, ``kind``, ``competency``, ``language``."""
    from doctypes.content import catalogue as cat

    ctx()  # signed-in callers only
    a = request.args
    return jsonify({"data": dump_value(cat.modules(ctx(), search=a.get("search"), kind=a.get("kind"),
                                                   competency=a.get("competency"), language=a.get("language")))})


@api.post("/method/complete_module")
def complete_module():
    """``{"module": name}``: the signed-in officer completed a published module; returns the
    certificate (its passbook entries are made with it)."""
    from doctypes.learning import certificates
    from doctypes.frac import frac

    c = ctx()
    body = _json_body()
    officer = frac.own_officer(c)
    if officer is None:
        raise ValidationError(f"{c.user} is not an officer; only officers complete modules",
                              errors={"officer": ["no officer has this user's e-mail"]})
    cert = certificates.complete_module(c, officer["_id"], str(body.get("module") or ""))
    return jsonify({"data": _doc(lifecycle.get(c, "Certificate", cert.name))}), 201


@api.get("/content/<path:name>/package/<path:path>")
def package_file(name, path):
    """A file of a module's SCORM package (its launch file and what that loads). Served in a
    sandbox (its own origin): package scripts run but cannot reach the platform's session."""
    from doctypes.content import catalogue as cat

    data, content_type = cat.package_file(ctx(), name, path)
    return Response(data, mimetype=content_type, headers={
        "Content-Security-Policy": "sandbox allow-scripts allow-forms allow-popups; frame-ancestors 'self'",
        "X-Frame-Options": "SAMEORIGIN", "X-Content-Type-Options": "nosniff"})


@api.get("/method/mdo_dashboard")
def mdo_dashboard():
    """``?mdo=<name>`` (optional): officers onboarded, enrolments and certificates per month
    and in total, and the top competency gaps, from rollups only. Without ``mdo``: the
    caller's MDOs (every MDO for roles that work across them)."""
    from doctypes.organisation import activity
    from doctypes.frac import frac

    c = ctx()
    meta = c.registry.get("Gap Summary")
    c.access.check(meta, "read")
    mdo = request.args.get("mdo")
    if mdo:
        frac.check_mdo(c, meta, mdo)
        mdos = [mdo]
    else:
        scope = c.access.link_filter(meta)
        mdos = None if not scope else sorted(getattr(c.access, "mdos", []))
    return jsonify({"data": dump_value(activity.dashboard(c, mdos))})


@api.post("/method/run_job")
def run_job():
    """``{"job": "rebuild_rollups" | "export" | "certificates", "args": {...}}``: queue a
    background job for the caller (202); follow it at ``/api/resource/Background Job/<name>``."""
    from app import jobs

    body = _json_body()
    args = body.get("args") or {}
    if not isinstance(args, dict):
        raise ValidationError("args: must be an object of the job's arguments", errors={"args": ["expected an object"]})
    doc = jobs.submit(ctx(), str(body.get("job") or ""), args)
    return jsonify({"data": _doc(lifecycle.get(ctx(), "Background Job", doc.name))}), 202


@api.post("/method/import_job")
def import_job():
    """Multipart ``file`` (CSV or XLSX), ``doctype`` and optional ``mdo``: import in the
    background (202); the job's result lists the rejected rows with their reasons."""
    from app import files, jobs

    c = ctx()
    doctype = request.form.get("doctype") or ""
    if doctype not in c.registry.names:
        raise ValidationError(f"doctype: unknown doctype {doctype!r}", errors={"doctype": ["unknown"]})
    c.access.check(c.registry.get(doctype), "import")
    upload = _upload()
    file_id = files.store(c, upload.stream, upload.filename, upload.mimetype, accept=["text", "spreadsheet"])
    doc = jobs.submit(c, "import", {"doctype": doctype, "file": file_id, "mdo": request.form.get("mdo") or None,
                                    "filename": upload.filename}, label=f"Import {doctype} from {upload.filename}")
    return jsonify({"data": _doc(lifecycle.get(c, "Background Job", doc.name))}), 202


@api.get("/method/credits")
def credits():
    """``?officer=<name>``: the credit ledger and its balance."""
    from app import query
    from doctypes.frac import frac

    c = ctx()
    off = frac.officer_records(c, "Credit Entry", _arg("officer"))
    # The caller may read this officer's ledger: all of it, by officer (wherever it was posted).
    rows, _ = query.get_list(c.as_system(), "Credit Entry", filters={"officer": off["name"]}, order_by="posted_on",
                             limit=query.MAX_LIMIT, with_total=False)
    return jsonify({"data": dump_value({"officer": request.args["officer"], "balance": sum(r["points"] for r in rows),
                                        "ledger": rows})})


@api.get("/method/nominees")
def nominees():
    """``?programme=<training programme>``: nominees ranked, MicroMasters completers first."""
    from app import lifecycle
    from doctypes.programmes import programme_rules as programme

    c = ctx()
    lifecycle.get(c, "Training Programme", _arg("programme"))
    return jsonify({"data": dump_value(programme.ranked_nominees(c, request.args["programme"]))})


@api.get("/method/claim_totals")
def claim_totals():
    """``?by=mdo|course|month``: fee claims totalled per state, for finance."""
    from doctypes.programmes import programme_rules as programme

    return jsonify({"data": dump_value(programme.claim_totals(ctx(), request.args.get("by", "mdo")))})


@api.post("/method/login")
def login():
    from app import auth

    body = _json_body()
    if not all(isinstance(body.get(k), str) for k in ("email", "password")):
        raise ValidationError("send {\"email\": ..., \"password\": ...} as strings",
                              errors={k: ["must be a string"] for k in ("email", "password") if not isinstance(body.get(k), str)})
    user = sign_in(site(), body["email"], body["password"], delay=current_app.config.get("IGOT_LOGIN_DELAY", time.sleep))
    return jsonify({"message": "logged in", "user": user["_id"], "full_name": user.get("full_name")})


def sign_in(site_, email: str, password: str, *, delay=time.sleep) -> dict:
    """Check the password (with throttling) and start a server-side session for this browser."""
    from flask import session
    from flask_login import login_user

    from app import auth

    user = auth.login(site_, email, password, auth.client_address(request, site_.config.proxy_networks), delay=delay)
    token = auth.open_session(site_, user["_id"], auth.client_address(request, site_.config.proxy_networks),
                               request.headers.get("User-Agent", ""))
    session.clear()  # nothing of a session from before the sign-in survives it (fixation)
    session.permanent = True
    login_user(SessionUser(user["_id"], token))
    return user


def sign_out() -> None:
    """End this browser's session on the server and forget it in the browser."""
    from flask import session
    from flask_login import current_user, logout_user

    from app import auth

    if current_user and current_user.is_authenticated:
        auth.end_session(site(), current_user.token)
    logout_user()
    session.clear()


@api.post("/method/logout")
def logout():
    sign_out()
    return jsonify({"message": "logged out"})


@api.post("/method/logout_everywhere")
def logout_everywhere():
    """End every session of the signed-in user (their API tokens stay; revoke those apart)."""
    from app import auth

    c = ctx()
    ended = auth.end_sessions(site(), c.user)
    sign_out()
    return jsonify({"message": f"signed out of {ended} sessions", "sessions": ended})


@api.get("/method/me")
def me():
    c = ctx()
    return jsonify({"user": c.user, "roles": sorted(getattr(c.access, "roles", [])),
                    "mdos": sorted(getattr(c.access, "mdos", []))})


@api.get("/method/link_options")
def link_options():
    """Choices for a Link field: records of ``doctype`` the caller may read, matching ``txt``."""
    c = ctx()
    doctype = request.args.get("doctype", "")
    meta = site().meta(doctype)
    fields = ["name"] + ([meta.title_field] if meta.title_field else [])
    try:
        limit = min(max(int(request.args.get("limit", 20)), 1), 100)
    except ValueError:
        raise ValidationError("limit must be a whole number", errors={"limit": ["must be a whole number"]}) from None
    rows, _ = query.get_list(c, doctype, fields=fields, search=request.args.get("txt"), limit=limit,
                             order_by=meta.title_field or "name", with_total=False)
    return jsonify({"data": [{"value": r["name"], "label": r.get(meta.title_field or "name", r["name"])} for r in rows]})


@api.get("/method/login_locks")
def login_locks():
    from app import auth
    from app.errors import PermissionDenied

    if not ctx().access.has_role("System Manager"):
        raise PermissionDenied("only a System Manager sees login locks")
    return jsonify({"data": [dump_value(lock) for lock in auth.login_locks(site())]})


class SessionUser:
    """What Flask-Login keeps in the (signed) cookie: the session's token; the server's
    session record says whose it is, and whether it still lives (``app.auth``)."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, email: str, token: str):
        self.email = email
        self.token = token

    def get_id(self) -> str:
        return self.token


@api.get("/openapi.json")
def openapi_spec():
    """Public. Signed-in callers see their MDOs' custom fields too."""
    from app import openapi
    from app.access import UserAccess
    from app.auth import Unauthenticated

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


DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>iGOT API</title>
<link rel="stylesheet" href="/api/docs/static/swagger-ui.css"></head>
<body><div id="docs"></div>
<script src="/api/docs/static/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body></html>"""


@api.get("/docs/init.js")
def api_docs_init():
    return Response('SwaggerUIBundle({url: "/api/openapi.json", dom_id: "#docs", deepLinking: true});\n',
                    mimetype="text/javascript")


@api.get("/doctype")
def list_doctypes():
    ctx()  # signed-in callers only
    return jsonify({"data": [{"name": m.name, "collection": m.collection, "module": m.module,
                              "is_child": m.is_child} for m in site().registry]})


@api.get("/doctype/<doctype>")
def doctype_meta(doctype):
    ctx()  # signed-in callers only
    meta = site().meta(doctype)
    return jsonify({"data": {"name": meta.name, "collection": meta.collection, "module": meta.module,
                             "autoname": meta.autoname, "is_submittable": meta.is_submittable,
                             "is_tenant": meta.is_tenant, "fields": [f.to_dict() for f in meta.all_fields]}})


@api.post("/file")
def upload_file():
    from app import files

    upload = _upload()
    accept = [k.strip() for k in (request.form.get("accept") or "").split(",") if k.strip()] or None
    unknown = sorted(set(accept or ()) - set(files.KINDS))
    if unknown:
        raise ValidationError(f"accept: unknown kind {', '.join(unknown)}; known: {', '.join(files.KINDS)}",
                              errors={"accept": [f"unknown kind {', '.join(unknown)}"]})
    file_id = files.store(ctx(), upload.stream, upload.filename, upload.mimetype, accept=accept)
    return jsonify({"data": _file_info(file_id)}), 201


def _upload():
    upload = request.files.get("file")
    if upload is None:
        raise ValidationError("send the file as multipart form field 'file'", errors={"file": ["missing"]})
    return upload


def _file_info(file_id) -> dict:
    from app import files

    stored = files.info(site(), file_id)
    meta = stored.get("metadata") or {}
    out = {"file_id": str(file_id), "filename": stored["filename"], "size": stored["length"],
           "content_type": meta.get("content_type"), "kind": meta.get("kind")}
    if meta.get("scorm"):
        out["scorm"] = meta["scorm"]
    return out


@api.post("/resource/<doctype>/<path:name>/attach/<fieldname>")
def attach_file(doctype, name, fieldname):
    """Upload a file into a record's Attach field and save the record: the file is checked
    against what the field accepts for this record (a SCORM Package module takes only a good
    SCORM package), and the record keeps its old file if anything is refused."""
    from app import files

    _not_child(doctype)
    c = ctx()
    doc = lifecycle.get(c, doctype, name)
    field = doc.meta.fields_by_name.get(fieldname)
    if field is None or field.fieldtype != "Attach":
        raise ValidationError.for_fields(doctype, name, {fieldname: [f"{doctype} has no Attach field {fieldname!r}."]})
    c.access.check(doc.meta, "write", doc.as_dict())
    upload = _upload()
    file_id = files.store(c, upload.stream, upload.filename, upload.mimetype, accept=files.accepted(field, doc.as_dict()),
                          doctype=doctype, name=name, field=fieldname)
    try:
        saved = lifecycle.save(c, doctype, name, {fieldname: file_id})
    except Exception:
        from bson import ObjectId

        site().store.files.delete(ObjectId(file_id))  # the record refused it: keep nothing
        raise
    return jsonify({"data": _doc(saved), "file": _file_info(file_id)})


@api.get("/file/<file_id>")
def download_file(file_id):
    """A stored file, if the caller may read what it belongs to (``app.files.open_for``)."""
    from app import files

    stored = files.open_for(ctx(), file_id)
    return file_response(stored)


def file_response(stored) -> Response:
    """A stored file as a download: its found content type, a safe Content-Disposition, and
    no sniffing by the browser."""
    from app import files

    def chunks():
        with stored:
            while block := stored.read(files.CHUNK):
                yield block

    return Response(chunks(), mimetype=(stored.metadata or {}).get("content_type") or "application/octet-stream",
                    headers={"Content-Disposition": files.content_disposition(stored.filename),
                             "Content-Length": str(stored.length), "X-Content-Type-Options": "nosniff"})


def _not_child(doctype):
    meta = site().meta(doctype)
    if meta.is_child:
        raise NotFound(f"{doctype} is a child table; read it through its parent", doctype=doctype)


def system_context(site_, request_):
    """Every caller acts as the system: for embedding and tests of the engine alone."""
    return site_.context("Administrator")
