"""The Learning module's API: completing a module, and the public verification page."""

from __future__ import annotations

from app.errors import ValidationError
from app.model import lifecycle
from doctypes.organisation import officers

from . import certificates


def complete_module(call):
    """``{"module": name}``: the signed-in officer completed a published module; returns the
    certificate (its passbook entries are made with it)."""
    from app.web.common import doc_json

    c = call.ctx
    officer = officers.own_officer(c)
    if officer is None:
        raise ValidationError(
            f"{c.user} is not an officer; only officers complete modules",
            errors={"officer": ["no officer has this user's e-mail"]},
        )
    cert = certificates.complete_module(c, officer["_id"], str(call.body.get("module") or ""))
    return {"data": doc_json(lifecycle.get(c, "Certificate", cert.name))}, 201
