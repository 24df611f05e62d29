"""What every admin screen shares: the site, the signed-in user's Context, and the guard
that sends strangers to the login page and the refused to "Not permitted"."""

from __future__ import annotations

from flask import current_app, g, redirect, request, url_for
from flask_login import current_user

from app import auth


def site():
    return current_app.extensions["igot_site"]


def user_ctx():
    if "igot_admin_ctx" not in g:
        g.igot_admin_ctx = auth.context_for(site(), current_user.email)
    return g.igot_admin_ctx


class Record(dict):
    """A record as templates and forms read it: ``record.field`` (None when absent)."""

    def __getattr__(self, name):
        return self.get(name)


class Guarded:
    """Signed-in users only; others go to the login page, the refused to 'not permitted'."""

    def allowed(self) -> bool:
        return True

    def is_accessible(self):
        if not current_user.is_authenticated:
            return False
        try:
            return self.allowed()
        except auth.Unauthenticated:
            return False

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("login.index", next=request.full_path))
        return self.render("igot/not_permitted.html", message=f"You may not open {self.name}."), 403
