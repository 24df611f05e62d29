"""Signing in and out, and what a signed-in caller asks about themselves: the engine's own
API methods (declared like a module's, so the OpenAPI describes them the same way)."""

from __future__ import annotations

import time

from flask import current_app, request

from app.errors import ValidationError
from app.model.schemas import dump_value
from app.registry import ApiMethod, Param

from .common import site


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


def sign_in(site_, email: str, password: str, *, delay=time.sleep) -> dict:
    """Check the password (with throttling) and start a server-side session for this browser."""
    from flask import session
    from flask_login import login_user

    from app import auth

    address = auth.client_address(request, site_.config.proxy_networks)
    user = auth.login(site_, email, password, address, delay=delay)
    token = auth.open_session(site_, user["_id"], address, request.headers.get("User-Agent", ""))
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


def _login(call):
    body = call.body
    if not all(isinstance(body.get(k), str) for k in ("email", "password")):
        raise ValidationError(
            'send {"email": ..., "password": ...} as strings',
            errors={k: ["must be a string"] for k in ("email", "password") if not isinstance(body.get(k), str)},
        )
    user = sign_in(site(), body["email"], body["password"], delay=current_app.config.get("IGOT_LOGIN_DELAY", time.sleep))
    return {"message": "logged in", "user": user["_id"], "full_name": user.get("full_name")}


def _logout(call):
    sign_out()
    return {"message": "logged out"}


def _logout_everywhere(call):
    """End every session of the signed-in user (their API tokens stay; revoke those apart)."""
    from app import auth

    ended = auth.end_sessions(site(), call.ctx.user)
    sign_out()
    return {"message": f"signed out of {ended} sessions", "sessions": ended}


def _me(call):
    from app import notifications

    c = call.ctx
    return {
        "user": c.user,
        "full_name": notifications.display_name(site(), c.user),
        "roles": sorted(c.access.roles),
        "mdos": sorted(c.access.mdos),
    }


def _link_options(call):
    """Choices for a Link field: records of ``doctype`` the caller may read, matching ``txt``,
    that its controller offers them (``Document.offered``: an MDO Admin, the roles she grants)."""
    from app import query

    c = call.ctx
    meta = site().meta(call.arg("doctype"))
    fields = ["name"] + ([meta.title_field] if meta.title_field else [])
    limit = min(max(call.arg("limit") or 20, 1), 100)
    rows, _ = query.get_list(
        c,
        meta.name,
        fields=fields,
        filters=meta.controller().offered(c) or None,
        search=call.arg("txt"),
        limit=limit,
        order_by=meta.title_field or "name",
        with_total=False,
    )
    return {"data": [{"value": r["name"], "label": r.get(meta.title_field or "name", r["name"])} for r in rows]}


def _login_locks(call):
    from app import auth

    call.ctx.access.require("see_login_locks", "see login locks")
    return {"data": [dump_value(lock) for lock in auth.login_locks(site())]}


LOGIN_BODY = {
    "required": True,
    "schema": {
        "type": "object",
        "required": ["email", "password"],
        "properties": {"email": {"type": "string", "format": "email"}, "password": {"type": "string"}},
    },
}

METHODS = (
    ApiMethod("login", _login, "Sign in; sets the session cookie", "POST", body=LOGIN_BODY, tag="Session", public=True),
    ApiMethod("logout", _logout, "Sign out (this session ends on the server too)", "POST", tag="Session", public=True),
    ApiMethod("logout_everywhere", _logout_everywhere, "End every session of the signed-in user", "POST", tag="Session"),
    ApiMethod("me", _me, "Who am I: roles and MDOs", tag="Session"),
    ApiMethod(
        "link_options",
        _link_options,
        "Choices for a Link field",
        tag="Session",
        params=(Param("doctype", required=True), Param("txt"), Param("limit", "integer")),
    ),
    ApiMethod("login_locks", _login_locks, "Locked accounts and slowed addresses", tag="Session"),
)
