"""Choices for Link fields, as the searchable selects ask for them."""

from __future__ import annotations

from flask import request
from flask_admin import BaseView, expose
from flask_login import current_user

from app import query
from app.errors import PermissionDenied, ValidationError

from .common import user_ctx


class LinkLookupView(BaseView):
    """``/admin/link/?doctype=Officer&query=asha&offset=0&limit=10``: choices for a Link field,
    as ``[[name, label], ...]``, only among the records the signed-in user may read (and, with
    ``filters``, meeting the field's link_filters, e.g. only Verified competencies), and that
    the target's controller offers them (``Document.offered``: an MDO Admin is offered only the
    roles she may grant)."""

    def is_visible(self):
        return False

    def is_accessible(self):
        return current_user.is_authenticated

    @expose("/")
    def lookup(self):
        from flask import jsonify

        ctx = user_ctx()
        doctype = request.args.get("doctype", "")
        if doctype not in ctx.registry or ctx.registry.get(doctype).is_child:
            return jsonify([]), 404
        meta = ctx.registry.get(doctype)
        try:
            limit = min(max(int(request.args.get("limit", 10)), 1), 50)
            offset = max(int(request.args.get("offset", 0)), 0)
        except ValueError:
            return jsonify([]), 400
        fields = ["name"] + ([meta.title_field] if meta.title_field else [])
        try:
            filters = _offered(ctx, meta, request.args.get("filters") or None)
            rows, _ = query.get_list(
                ctx,
                doctype,
                fields=fields,
                search=request.args.get("query") or None,
                filters=filters,
                order_by=meta.title_field or "name",
                limit=limit,
                offset=offset,
                with_total=False,
            )
        except PermissionDenied:
            return jsonify([]), 403
        except ValidationError:
            return jsonify([]), 400
        label = meta.title_field or "name"
        return jsonify([[r["name"], r.get(label) or r["name"]] for r in rows])


def _offered(ctx, meta, filters):
    """The caller's ``filters`` with the target controller's own (``Document.offered``)."""
    own = meta.controller().offered(ctx)
    if not own:
        return filters
    from app import inputs

    given = inputs.load_json(filters, "filters") if isinstance(filters, str) else filters
    if isinstance(given, dict):
        given = [[k, *v] if isinstance(v, list) and len(v) == 2 else [k, "=", v] for k, v in given.items()]
    return [*(given or []), *own]
