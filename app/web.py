"""The application factory. No database connection happens at import time."""
from __future__ import annotations

from flask import Flask, jsonify, redirect

from app.config import Config
from app.site import Site


def create_app(config: Config | None = None, site: Site | None = None) -> Flask:
    config = config or (site.config if site else Config.from_env())
    site = site or Site(config)
    app = Flask(__name__)
    app.config["SECRET_KEY"] = config.secret_key
    app.config["JSON_SORT_KEYS"] = False
    from app.api import api, system_context

    app.config.setdefault("IGOT_AUTHENTICATE", system_context)
    app.extensions["igot_site"] = site
    app.register_blueprint(api)

    @app.get("/")
    def home():
        return redirect("/api/doctype")

    @app.get("/health")
    def health():
        site.db.command("ping") if site.store.kind == "mongodb" else None
        return jsonify({"status": "ok", "store": site.store.kind})

    return app
