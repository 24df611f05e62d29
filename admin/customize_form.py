"""Settings → Customize Form."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose

from app import query
from app.errors import IgotError, PermissionDenied
from app.model import customize, lifecycle

from . import forms
from .common import Guarded, user_ctx


class CustomizeView(Guarded, BaseView):
    """Customize Form: an MDO Admin adds, places, hides, shows and removes the custom fields of
    their MDO's forms, with a preview. Every change is a Custom Field record written through
    the lifecycle, so the same checks and permissions apply as anywhere else."""

    def allowed(self) -> bool:
        try:
            user_ctx().access.check(user_ctx().registry.get("Custom Field"), "create")
            return True
        except PermissionDenied:
            return False

    def _choices(self, ctx):
        everyone = ctx.access.can("customize_for_every_mdo")
        doctypes = [
            m.name
            for m in sorted(ctx.registry, key=lambda m: m.name)
            if not m.is_child and (m.is_tenant or everyone) and m.name not in ("Version", "Workflow Action")
        ]
        if everyone:
            rows, _ = query.get_list(ctx, "MDO", fields=["name"], order_by="name", limit=1000, with_total=False)
            mdos = [r["name"] for r in rows]
        else:
            mdos = sorted(ctx.access.mdos)
        return doctypes, ([""] + mdos) if everyone else mdos

    @expose("/", methods=("GET", "POST"))
    def index(self):
        ctx = user_ctx()
        doctypes, mdos = self._choices(ctx)
        doctype = request.values.get("doctype") or (doctypes[0] if doctypes else "")
        mdo = request.values.get("mdo", mdos[0] if mdos else "")
        if doctype not in doctypes or mdo not in mdos:
            return self.render("igot/not_permitted.html", message="You may not customize that form."), 403
        if request.method == "POST":
            self._apply(ctx, doctype, mdo)
            return redirect(url_for(".index", doctype=doctype, mdo=mdo))
        base = ctx.registry.get(doctype)
        filters = [["ref_doctype", "=", doctype], ["mdo", "=", mdo] if mdo else ["mdo", "is", "not set"]]
        rows, _ = query.get_list(ctx, "Custom Field", filters=filters, order_by="creation asc", limit=200)
        meta = customize.effective_meta(ctx, base, mdo or None) if base.is_tenant or not mdo else base
        preview = forms.build(ctx, meta)()
        return self.render(
            "igot/customize.html",
            doctypes=doctypes,
            mdos=mdos,
            doctype=doctype,
            mdo=mdo,
            fields=rows,
            preview=preview,
            places=[(f.fieldname, f.label) for f in meta.all_fields],
            fieldtypes=ctx.registry.get("Custom Field").get_field("fieldtype").select_options,
        )

    def _apply(self, ctx, doctype: str, mdo: str) -> None:
        op, name, form = request.form.get("op"), request.form.get("name"), request.form
        try:
            if op == "add":
                data = {
                    k: (form.get(k) or None)
                    for k in ("label", "fieldname", "fieldtype", "options", "insert_after", "description")
                }
                data.update(
                    ref_doctype=doctype,
                    reqd=form.get("reqd") == "on",
                    in_list_view=form.get("in_list_view") == "on",
                    in_filter=form.get("in_filter") == "on",
                    mdo=mdo or None,
                )
                if not data["fieldname"] and data["label"]:
                    data["fieldname"] = "_".join(data["label"].lower().split())
                doc = lifecycle.insert(ctx, "Custom Field", data)
                flash(f"Added {doc.label} ({doc.fieldname}).", "success")
            elif op in ("hide", "show"):
                lifecycle.save(ctx, "Custom Field", name, {"enabled": op == "show"})
                flash(f"{'Shown' if op == 'show' else 'Hidden'}: values are kept either way.", "success")
            elif op == "list":  # shown as a column of the list, and offered as its filter
                lifecycle.save(
                    ctx,
                    "Custom Field",
                    name,
                    {"in_list_view": form.get("in_list_view") == "on", "in_filter": form.get("in_filter") == "on"},
                )
                flash("Saved: the list shows it as you chose.", "success")
            elif op == "place":
                lifecycle.save(ctx, "Custom Field", name, {"insert_after": form.get("insert_after") or None})
                flash("Moved.", "success")
            elif op == "remove":
                lifecycle.delete(ctx, "Custom Field", name)
                flash("Removed. Stored values are kept and show again if the field is added back.", "success")
        except IgotError as exc:
            from . import messages

            flash(messages.describe(ctx.registry, ctx.registry.get("Custom Field"), exc), "error")
