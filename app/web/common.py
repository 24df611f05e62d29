"""What every room of the web layer shares: the ``/api`` blueprint, the caller's Context,
the JSON body, a record as the caller sees it, CSRF for sessions, and errors as JSON."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request

from app.errors import IgotError, NotFound, ValidationError
from app.model.schemas import dump_value

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
    page cannot send without the server's consent (CORS preflight). Token callers are exempt.
    Signing in has its own rule (``_login_guard``): it needs no session, yet a page elsewhere
    that signed a browser in to an account of its choosing would see what the person then types."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    if request.path.endswith("/method/login"):
        return _login_guard()
    if request.headers.get("Authorization", "").lower().startswith("token "):
        return None
    if request.mimetype not in ("application/json", "multipart/form-data") or (
        request.mimetype == "multipart/form-data" and request.headers.get("X-Requested-With") != "igot"
    ):
        return jsonify(
            {
                "error": "PermissionDenied",
                "message": "send JSON (Content-Type: application/json) or an X-Requested-With: igot header with uploads",
            }
        ), 403
    return None


def _login_guard():
    """Sign-in only as JSON (a form or ``text/plain`` post from another site needs no
    preflight, and the body would be read all the same), and only from this site: a browser
    that sends an ``Origin`` must name the address it reached, or the installation's public
    address (behind a proxy the two differ)."""
    if request.mimetype != "application/json":
        return _refuse_login(
            f"sign in with a JSON body (Content-Type: application/json); {request.mimetype or 'no content type'} is not accepted",
            415,
        )
    origin = request.headers.get("Origin")
    if origin is None:
        return None  # not a browser, or a same-origin request from an older one
    allowed = {_origin(request.host_url), _origin(site().config.public_url)}
    if not _origin(origin) or _origin(origin) not in allowed:
        return _refuse_login(f"sign in from this site's own pages; a page on {origin[:200]} may not sign you in here")
    return None


def browser_origin() -> str:
    """The origin the browser used for this request, ``scheme://host[:port]``: a configured
    address (``IGOT_PUBLIC_URL``, ``IGOT_CONTENT_URL``) whose host the request came to, with that
    address's scheme (behind a proxy that ends https the request itself says http); else the
    request's own."""
    from urllib.parse import urlsplit

    config = site().config
    host = request.host.lower()
    for url in (config.public_url, config.content_url):
        parts = urlsplit(url or "")
        if parts.netloc and parts.netloc.lower() == host:
            return f"{parts.scheme}://{parts.netloc}"
    return request.host_url.rstrip("/")


def _origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL, lower-cased, the default port left out (as browsers
    send it); empty for what names no host (``Origin: null`` from a sandboxed frame)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    if not parts.hostname:
        return ""
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    host = (parts.hostname or "").lower()
    host = f"[{host}]" if ":" in host else host
    port = f":{port}" if port and port != default else ""
    return f"{parts.scheme.lower()}://{host}{port}"


def _refuse_login(message: str, status: int = 403):
    return jsonify({"error": "PermissionDenied", "message": message}), status


def json_body(required: bool = True) -> dict:
    """The request's JSON object, parsed within ``app.inputs``' bounds (400 otherwise)."""
    from app import inputs

    if request.content_length and request.content_length > inputs.MAX_BODY_BYTES:
        raise ValidationError(
            f"body: is {request.content_length:,} bytes; at most {inputs.MAX_BODY_BYTES:,} are accepted",
            errors={"body": ["too large"]},
        )
    return inputs.body(request.get_data(cache=True), required=required)


def doc_json(doc) -> dict:
    """A record as the caller sees it (their MDO's custom fields, their field levels)."""
    from app.model import customize

    return {"doctype": doc.meta.name, **dump_value(customize.present(ctx(), doc.meta, doc.as_dict()))}


def arg(name: str, required: bool = True):
    value = request.args.get(name)
    if required and not value:
        raise ValidationError(f"the query parameter {name!r} is required", errors={name: ["Missing data for required field."]})
    return value


def not_child(doctype):
    meta = site().meta(doctype)
    if meta.is_child:
        raise NotFound(f"{doctype} is a child table; read it through its parent", doctype=doctype)


@api.errorhandler(IgotError)
def _igot_error(exc: IgotError):
    from app import logs

    logs.refusal(exc)
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


def system_context(site_, request_):
    """Every caller acts as the system: for embedding and tests of the engine alone."""
    return site_.context("Administrator")
