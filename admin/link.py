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
    ``filters``, meeting the field's link_filters, e.g. only Verified competencies)."""

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
            rows, _ = query.get_list(
                ctx,
                doctype,
                fields=fields,
                search=request.args.get("query") or None,
                filters=request.args.get("filters") or None,
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
