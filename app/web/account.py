"""Accounts, notifications and tasks over the API: the engine's methods for getting in
(``forgot_password``, ``reset_password``, ``change_password``, ``resend_invitations``) and
for what waits for the caller (``my_tasks``, ``notifications``, ``mark_notifications_read``)."""

from __future__ import annotations

from app import accounts, notifications, query, tasks
from app.errors import IgotError, ValidationError
from app.model import actions
from app.model.schemas import dump_value
from app.registry import ApiMethod, Param

from .common import site

FORGOT_ANSWER = "If an account has this e-mail address, a link to choose a new password was mailed to it; it works for one hour."


def _strings(body: dict, *names) -> list[str]:
    wrong = {n: ["must be a string"] for n in names if not isinstance(body.get(n), str)}
    if wrong:
        raise ValidationError(f"send {', '.join(repr(n) for n in names)} as strings", errors=wrong)
    return [body[n] for n in names]


def _forgot(call):
    (email,) = _strings(call.body, "email")
    accounts.forgot(site(), email)
    return {"message": FORGOT_ANSWER}


def _reset(call):
    token, password = _strings(call.body, "token", "password")
    email = accounts.set_password_with_link(site(), token, password)
    return {"message": "password set: sign in with it", "user": email}


def _change(call):
    current, new = _strings(call.body, "current_password", "new_password")
    accounts.change_password(site(), call.ctx.user, current, new)
    from .session import sign_out

    sign_out()  # every session ended, this one too
    return {"message": "password changed: every session has ended; sign in again with the new password"}


def _resend(call):
    """Invitations again, for the ``users`` named, or for every user the caller may manage who
    has not set a password yet (``"not_signed_in": true``, e.g. after an import)."""
    c = call.ctx
    users = call.body.get("users")
    if users is None and call.body.get("not_signed_in") is True:
        users, offset = [], 0
        while True:
            rows, _ = query.get_list(
                c, "User", fields=["name", "password_set", "enabled"], limit=500, offset=offset, with_total=False
            )
            users += [r["name"] for r in rows if not r.get("password_set") and r.get("enabled", True) is not False]
            if len(rows) < 500:
                break
            offset += 500
    if not isinstance(users, list) or not all(isinstance(u, str) for u in users):
        raise ValidationError(
            'send {"users": [e-mail, ...]} or {"not_signed_in": true}', errors={"users": ["a list of e-mail addresses"]}
        )
    sent, refused = [], {}
    for email in users:
        try:
            actions.run(c, "User", email.strip().lower(), "resend_invitation")
            sent.append(email)
        except IgotError as exc:
            refused[email] = exc.message
    return {"sent": sent, "refused": refused}


def _my_tasks(call):
    return {"data": dump_value(tasks.my_tasks(call.ctx, limit=min(max(call.arg("limit") or 100, 1), 500)))}


def _notifications(call):
    c = call.ctx
    return {
        "unread": notifications.unread_count(c),
        "data": dump_value(notifications.recent(c, min(max(call.arg("limit") or 10, 1), 100))),
    }


def _mark_read(call):
    names = call.body.get("names")
    if names is not None and (not isinstance(names, list) or not all(isinstance(n, str) for n in names)):
        raise ValidationError('send {"names": [...]} or nothing (all)', errors={"names": ["a list of notification names"]})
    return {"marked": notifications.mark_read(call.ctx, names)}


def _body(required: list[str], **props) -> dict:
    return {"required": True, "schema": {"type": "object", "required": required, "properties": props}}


_S = {"type": "string"}
METHODS = (
    ApiMethod(
        "forgot_password",
        _forgot,
        "Mail a password reset link (the answer is the same whether or not the account exists)",
        "POST",
        body=_body(["email"], email={"type": "string", "format": "email"}),
        tag="Accounts",
        public=True,
    ),
    ApiMethod(
        "reset_password",
        _reset,
        "Set a password with the token of an invitation or reset link",
        "POST",
        body=_body(["token", "password"], token=_S, password=_S),
        tag="Accounts",
        public=True,
    ),
    ApiMethod(
        "change_password",
        _change,
        "Change the signed-in user's password (every session ends)",
        "POST",
        body=_body(["current_password", "new_password"], current_password=_S, new_password=_S),
        tag="Accounts",
    ),
    ApiMethod(
        "resend_invitations",
        _resend,
        "Send invitations again to users the caller manages",
        "POST",
        body={
            "required": True,
            "schema": {
                "type": "object",
                "properties": {"users": {"type": "array", "items": {"type": "string"}}, "not_signed_in": {"type": "boolean"}},
            },
        },
        tag="Accounts",
    ),
    ApiMethod(
        "my_tasks",
        _my_tasks,
        "Records waiting for the caller's action, oldest first",
        tag="Tasks",
        params=(Param("limit", "integer"),),
    ),
    ApiMethod(
        "notifications",
        _notifications,
        "The caller's unread count and newest notifications",
        tag="Tasks",
        params=(Param("limit", "integer"),),
    ),
    ApiMethod(
        "mark_notifications_read",
        _mark_read,
        "Mark the caller's notifications read (those named, or all)",
        "POST",
        body={"required": False, "schema": {"type": "object", "properties": {"names": {"type": "array", "items": _S}}}},
        tag="Tasks",
    ),
)
