"""The application factory. No database connection happens at import time."""
from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from flask import Flask, jsonify, redirect

from app.config import Config
from app.site import Site


def create_app(config: Config | None = None, site: Site | None = None) -> Flask:
    config = config or (site.config if site else Config.from_env())
    site = site or Site(config)
    app = Flask(__name__)
    app.config["SECRET_KEY"] = site_secret(site)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    # Over https (IGOT_PUBLIC_URL), the cookie is never sent in the clear; it lives no longer
    # than a session may (the server ends it sooner when idle, on logout, or everywhere).
    app.config["SESSION_COOKIE_SECURE"] = site.config.public_url.startswith("https://")
    import datetime as dt

    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(hours=site.config.session_hours)
    app.config["JSON_SORT_KEYS"] = False
    # Werkzeug refuses a larger body before reading it; app.files also stops at the limit.
    app.config["MAX_CONTENT_LENGTH"] = site.config.max_upload_mb * 2**20 + 2**20
    # A form's text fields are bounded apart from its files: a long text box is parsed (and
    # refused field by field by the lifecycle's length checks, with the form kept).
    from app import inputs

    app.config["MAX_FORM_MEMORY_SIZE"] = inputs.MAX_FORM_BYTES
    from flask_login import LoginManager

    from app import auth
    from app.api import SessionUser, api

    app.config.setdefault("IGOT_AUTHENTICATE", auth.authenticate)
    app.extensions["igot_site"] = site
    login_manager = LoginManager(app)

    @login_manager.user_loader
    def load_user(token):
        email = auth.session_user(site, token)
        return SessionUser(email, token) if email else None

    app.register_blueprint(api)
    from doctypes.content import catalogue  # noqa: F401  (lets every signed-in user read a published module's file)
    from doctypes.learning.certificates import verify_bp

    app.register_blueprint(verify_bp)

    @app.errorhandler(413)
    def too_large(exc):
        from flask import render_template

        from app import files, inputs

        message = (f"What you sent is larger than this installation accepts: a file up to {files.limit_text(site)}, "
                   f"a form's text up to {inputs.MAX_FORM_BYTES // 2**20} MB. Nothing was saved; go back to keep what "
                   f"you typed, shorten it or attach it as a file.")
        return render_template("igot/too_large.html", message=message), 413
    from admin import init_admin

    init_admin(app, site)

    app.after_request(security_headers)

    @app.before_request
    def bound_form_bodies():
        """A plain form (no files) larger than a form's text may be is refused before it is read."""
        from flask import abort, request

        if (request.mimetype == "application/x-www-form-urlencoded"
                and (request.content_length or 0) > inputs.MAX_FORM_BYTES):
            abort(413)

    @app.get("/")
    def home():
        return redirect("/api/doctype")

    @app.get("/health")
    def health():
        site.db.command("ping") if site.store.kind == "mongodb" else None
        return jsonify({"status": "ok", "store": site.store.kind})

    return app


def site_secret(site) -> str:
    """The key that signs session cookies: ``IGOT_SECRET_KEY``, else the file ``secret_key`` in
    the data directory, readable by its owner only, made on first start (every web worker of
    one host shares it; several hosts share ``IGOT_SECRET_KEY``). Never in the database, where
    whoever reads the database could sign cookies with it. A key an earlier version kept in
    ``site_settings`` is removed."""
    site.db["site_settings"].delete_one({"_id": "secret_key"})
    if site.config.secret_key:
        return site.config.secret_key
    if site.store.kind == "mongomock":  # an in-memory store: the key lives as long as the site
        return site.__dict__.setdefault("_memory_secret", secrets.token_hex(32))
    path = Path(site.config.data_dir).absolute() / "secret_key"
    for _ in range(50):
        try:
            key = path.read_text().strip()
        except FileNotFoundError:
            key = None
        if key:
            return key
        if key is None:
            path.parent.mkdir(parents=True, exist_ok=True)
            draft = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
            fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32) + "\n")
            try:
                os.link(draft, path)  # published whole, once: another worker's key wins a race
            except FileExistsError:
                pass
            finally:
                os.unlink(draft)
        else:
            time.sleep(0.01)
    raise RuntimeError(f"{path} is empty: remove it, or set IGOT_SECRET_KEY")


# Scripts only from this site's own files: no inline script, no event-handler attributes, no
# javascript: links, so markup that a user managed to store can never run. Styles may be
# inline (style attributes; they cannot run code). Nothing may frame our pages.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")


def security_headers(response):
    """On every response: no content sniffing, no referrer sent to other sites; on HTML, the
    Content-Security-Policy above and no framing (a response that set its own, such as a
    sandboxed SCORM file, keeps it)."""
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Frame-Options", "DENY")
    return response
