"""Admin screens generated from the meta: one Flask-Admin view per doctype.

Every read and write goes through ``app.query`` and ``app.lifecycle`` with the signed-in
user's Context, so the admin obeys exactly the permissions, tenancy, custom fields and
validation of the API; no view queries the database around them.
"""
from __future__ import annotations

from flask import current_app, flash, g, has_request_context, redirect, request, url_for
from flask_admin import AdminIndexView, BaseView, expose
from flask_admin.helpers import get_form_data
from flask_admin.model import BaseModelView
from flask_admin.model.filters import BaseFilter
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import InputRequired

from app import auth, customize, lifecycle, query, workflow
from app.errors import IgotError, NotFound, PermissionDenied

from . import forms


def site():
    return current_app.extensions["igot_site"]


def user_ctx():
    if "igot_admin_ctx" not in g:
        g.igot_admin_ctx = auth.context_for(site(), current_user.get_id())
    return g.igot_admin_ctx


class MetaFilter(BaseFilter):
    """One filter of the list: a field, an operator of app.query, and (optionally) choices."""

    _NAMES = {"=": "equals", "!=": "not equal", ">=": "from", "<=": "to", "like": "contains"}

    def __init__(self, column, label, op, options=None, data_type=None):
        super().__init__(label, options, data_type, key_name=f"{column}_{self._NAMES[op].replace(' ', '_')}")
        self.column, self.op = column, op

    def operation(self):
        return self._NAMES[self.op]

    def apply(self, query_, value):  # the list is queried through app.query, not here
        return query_


def _filter_tables(view, filters):
    """Flask-Admin's filter groups and URL arguments for a list of filters (as its
    ``_refresh_filters_cache`` builds them)."""
    from collections import OrderedDict

    from flask_admin.model.base import FilterGroup

    if not filters:
        return filters, None, None
    groups, args = OrderedDict(), {}
    for i, flt in enumerate(filters):
        key = str(flt.name)
        groups.setdefault(key, FilterGroup(flt.name)).append({
            "index": i, "arg": view.get_filter_arg(i, flt), "operation": flt.operation(),
            "options": flt.get_options(view) or None, "type": flt.data_type})
        args[view.get_filter_arg(i, flt)] = (i, flt)
    return filters, groups, args


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


class _Permitted:
    """A Flask-Admin ``can_*`` flag answered per request by the access layer (Flask-Admin's
    own assignments of the flag are ignored)."""

    def __init__(self, action: str):
        self.action = action

    def __get__(self, view, owner=None):
        if view is None:
            return self
        return current_user.is_authenticated and view._may(self.action)

    def __set__(self, view, value):
        pass


class DocTypeView(Guarded, BaseModelView):
    """List, create, edit and detail screens for one doctype."""

    can_view_details = True
    page_size = 20
    form_base_class = FlaskForm
    list_template = "admin/model/list.html"
    edit_template = "igot/edit.html"
    details_template = "igot/details.html"

    def __init__(self, meta):
        self.meta = meta
        self.column_list = meta.list_columns or ["name"]
        self.column_filters = [f.fieldname for f in meta.all_fields if f.in_filter]
        self.column_details_list = ["name"] + [f.fieldname for f in meta.all_fields if not f.hidden] + \
            ["owner", "creation", "modified_by", "modified"]
        self.column_labels = {f.fieldname: f.label for f in meta.all_fields}
        self.column_descriptions = {f.fieldname: f.description for f in meta.all_fields if f.description}
        super().__init__(model=meta, name=meta.name, category=meta.module, endpoint=meta.collection,
                         url=meta.collection)

    # access -----------------------------------------------------------------------------
    def allowed(self) -> bool:
        try:
            user_ctx().access.check(self.meta, "read")
            return True
        except PermissionDenied:
            return False

    def _may(self, action: str) -> bool:
        try:
            user_ctx().access.check(self.meta, action)
            return True
        except (PermissionDenied, auth.Unauthenticated):
            return False

    can_create = _Permitted("create")
    can_edit = _Permitted("write")
    can_delete = _Permitted("delete")

    # per-request list columns: the meta's, then the user's MDOs' custom fields -------------
    @property
    def _list_columns(self):
        base = self.__dict__.get("_base_list_columns", [])
        if not has_request_context() or not current_user.is_authenticated:
            return base
        shown = {name for name, _ in base}
        extra = [(f.fieldname, f.label) for f in customize.query_meta(user_ctx(), self.meta).fields
                 if f.in_list_view and f.fieldname not in shown and self.meta.get_field(f.fieldname) is None]
        return base + extra

    @_list_columns.setter
    def _list_columns(self, value):
        self.__dict__["_base_list_columns"] = value

    # scaffolding ------------------------------------------------------------------------
    def get_pk_value(self, model):
        return model["name"]

    def scaffold_list_columns(self):
        return self.meta.list_columns or ["name"]

    def scaffold_sortable_columns(self):
        return {c: c for c in (self.meta.list_columns or ["name"])}

    def init_search(self):
        self._search_supported = bool(self.meta.search_fields)
        return self._search_supported

    def search_placeholder(self):
        labels = [self.meta.get_field(f).label if self.meta.get_field(f) else f for f in self.meta.search_fields]
        return "Search " + ", ".join(["name"] + labels)

    # per-request filters: the meta's, then the user's MDOs' custom fields ------------------
    def _filter_cache(self):
        base = self.__dict__.get("_base_filters") or []
        if not has_request_context() or not current_user.is_authenticated:
            return _filter_tables(self, base)
        key = f"igot_filters_{self.endpoint}"
        if key not in g:
            custom = [flt for f in customize.query_meta(user_ctx(), self.meta).fields
                      if f.in_filter and self.meta.get_field(f.fieldname) is None for flt in self._filters_for(f)]
            setattr(g, key, _filter_tables(self, list(base) + custom))
        return getattr(g, key)

    @property
    def _filters(self):
        return self._filter_cache()[0]

    @_filters.setter
    def _filters(self, value):
        self.__dict__["_base_filters"] = value

    @property
    def _filter_groups(self):
        return self._filter_cache()[1]

    @_filter_groups.setter
    def _filter_groups(self, value):
        pass  # derived from _filters, per request

    @property
    def _filter_args(self):
        return self._filter_cache()[2]

    @_filter_args.setter
    def _filter_args(self, value):
        pass  # derived from _filters, per request

    def scaffold_filters(self, name):
        f = self.meta.get_field(name)
        return self._filters_for(f) if f is not None else None

    def _filters_for(self, f):
        """Filters for an ``in_filter`` field, applied by app.query (so values are coerced
        and checked against the field there)."""
        name, label = f.fieldname, f.label
        if f.fieldtype == "Select":
            return [MetaFilter(name, label, "=", options=[(o, o) for o in f.select_options]),
                    MetaFilter(name, label, "!=", options=[(o, o) for o in f.select_options])]
        if f.fieldtype == "Check":
            return [MetaFilter(name, label, "=", options=[("1", "Yes"), ("0", "No")])]
        if f.fieldtype in ("Int", "Float", "Currency", "Percent", "Rating", "Date", "Datetime"):
            kind = {"Date": "datepicker", "Datetime": "datetimepicker"}.get(f.fieldtype)
            return [MetaFilter(name, label, op, data_type=kind) for op in ("=", ">=", "<=")]
        return [MetaFilter(name, label, "="), MetaFilter(name, label, "like")]

    def scaffold_form(self):
        """Flask-Admin wants a form class at start-up; ours are built per request, for the
        signed-in user and their MDO (``create_form``, ``edit_form``)."""
        return type(f"{self.meta.name.replace(' ', '')}Scaffold", (FlaskForm,), {})

    # per-request forms (custom fields of the user's MDO) ------------------------------------
    def _mdo(self):
        mdos = getattr(user_ctx().access, "mdos", set())
        return next(iter(mdos)) if len(mdos) == 1 else None

    def _own_mdos(self, form):
        """A tenant record can only be given one of the user's own MDOs."""
        access = user_ctx().access
        if "mdo" in form and self.meta.tenant_field == "mdo" and not access.has_role("System Manager"):
            form.mdo.choices = forms.choices((m, m) for m in sorted(getattr(access, "mdos", [])))
        return form

    def create_form(self, obj=None):
        ctx = user_ctx()
        meta = customize.effective_meta(ctx, self.meta, self._mdo()) if self.meta.is_tenant else self.meta
        form = self._own_mdos(forms.build(ctx, meta)(get_form_data()))
        if self.meta.is_tenant and "mdo" in form and not form.mdo.data and self._mdo():
            form.mdo.data = self._mdo()
        return form

    def edit_form(self, obj=None):
        ctx = user_ctx()
        meta = customize.meta_for_record(ctx, self.meta, obj or {})
        form_cls = forms.build(ctx, meta)
        if request.method == "POST":
            return self._own_mdos(form_cls(get_form_data()))
        data = forms.to_form_data(meta, obj or {}, ctx.registry)
        data["modified"] = (obj or {}).get("modified")
        return self._own_mdos(form_cls(data=data))

    # data -----------------------------------------------------------------------------------
    def get_list(self, page, sort_field, sort_desc, search, filters, page_size=None):
        size = page_size or self.page_size
        order = f"{sort_field} {'desc' if sort_desc else 'asc'}" if sort_field else None
        triples = []
        for index, _name, value in filters or []:
            flt = self._filters[index]
            triples.append([flt.column, flt.op, f"%{value}%" if flt.op == "like" else value])
        try:
            rows, total = query.get_list(user_ctx(), self.meta.name, order_by=order, limit=size,
                                         offset=(page or 0) * size, search=search or None, filters=triples or None)
        except IgotError as exc:
            flash(exc.message, "error")
            return 0, []
        return total, [Record(r) for r in rows]

    def get_one(self, id):
        try:
            return Record(lifecycle.read(user_ctx(), self.meta.name, id))
        except NotFound:
            return None

    def _report(self, form, exc: IgotError) -> None:
        for fieldname, messages in (exc.errors or {}).items():
            target = form._fields.get(fieldname)
            text = messages if isinstance(messages, list) else [f"row {row}: {f}: {'; '.join(m)}"
                                                                   for row, errs in messages.items() for f, m in errs.items()]
            if target is not None:
                target.errors = list(target.errors or []) + [str(m) for m in text]
        flash(exc.message, "error")

    def create_model(self, form):
        meta = customize.meta_for_record(user_ctx(), self.meta, {"mdo": getattr(form, "mdo", None) and form.mdo.data})
        try:
            doc = lifecycle.insert(user_ctx(), self.meta.name, forms.values(meta, form, user_ctx().registry))
        except IgotError as exc:
            self._report(form, exc)
            return False
        return Record(doc.as_dict())

    def update_model(self, form, model):
        meta = customize.meta_for_record(user_ctx(), self.meta, model)
        changes = forms.values(meta, form, user_ctx().registry)
        if form.modified.data:
            changes["modified"] = form.modified.data
        try:
            lifecycle.save(user_ctx(), self.meta.name, model["name"], changes)
        except IgotError as exc:
            self._report(form, exc)
            return False
        return True

    # the record page: status, actions, history --------------------------------------------
    def render(self, template, **kwargs):
        model = kwargs.get("model")
        if model is not None and template in (self.edit_template, self.details_template):
            kwargs["panel"] = self._panel(model)
        return super().render(template, **kwargs)

    def _panel(self, record) -> dict:
        ctx, meta = user_ctx(), self.meta
        status = ("Draft", "Submitted", "Cancelled")[record.get("docstatus", 0)]
        info = workflow.info(ctx, meta, record)
        status_actions = []
        if meta.is_submittable and not info:
            allowed = ctx.access.allowed_actions(meta, record)
            wanted = {"Draft": "submit", "Submitted": "cancel", "Cancelled": "create"}[status]
            if wanted in allowed:
                status_actions = ["amend" if wanted == "create" else wanted]
        try:
            rows, _ = query.get_list(ctx, "Version", filters={"ref_doctype": meta.name, "docname": record["name"]},
                                     order_by="creation desc", limit=50, with_total=False)
        except PermissionDenied:
            rows = []
        versions = [{"at": v["creation"], "user": v["owner"], "rows": _version_rows(v.get("data") or {})} for v in rows]
        return {"name": record["name"], "status": status, "workflow": info, "status_actions": status_actions,
                "transitions": (info or {}).get("history", []), "versions": [v for v in versions if v["rows"]]}

    @expose("/edit/", methods=("GET", "POST"))
    def edit_view(self):
        """Submitted and cancelled records are read-only: shown on the details page."""
        record = self.get_one(request.args.get("id")) if request.args.get("id") else None
        if record is not None and record.get("docstatus", 0) != 0:
            flash(f"{self.meta.name} {record['name']} is {('draft', 'submitted', 'cancelled')[record['docstatus']]} "
                  f"and read-only.", "info")
            return redirect(self.get_url(".details_view", id=record["name"]))
        return super().edit_view()

    def _back(self, name):
        record = self.get_one(name)
        view = ".edit_view" if record is not None and record.get("docstatus", 0) == 0 and self.can_edit else ".details_view"
        return redirect(self.get_url(view, id=name))

    @expose("/transition/", methods=("POST",))
    def transition_view(self):
        name, action = request.args.get("id"), request.form.get("action", "")
        try:
            workflow.apply(user_ctx(), self.meta.name, name, action, request.form.get("comment"))
            flash(f"{action}: done.", "success")
        except IgotError as exc:
            flash(exc.message + " " + " ".join(m for msgs in exc.errors.values() if isinstance(msgs, list) for m in msgs), "error")
        return self._back(name)

    @expose("/docstatus/", methods=("POST",))
    def docstatus_view(self):
        name, action = request.args.get("id"), request.form.get("action", "")
        operation = {"submit": lifecycle.submit, "cancel": lifecycle.cancel, "amend": lifecycle.amend}.get(action)
        if operation is None:
            flash(f"unknown action {action!r}", "error")
            return self._back(name)
        try:
            doc = operation(user_ctx(), self.meta.name, name)
            flash(f"{self.meta.name} {doc.name}: {action} done.", "success")
            name = doc.name
        except IgotError as exc:
            flash(exc.message, "error")
        return self._back(name)

    def delete_model(self, model):
        try:
            lifecycle.delete(user_ctx(), self.meta.name, model["name"])
        except IgotError as exc:
            flash(exc.message, "error")
            return False
        return True


class HomeView(Guarded, AdminIndexView):
    @expose("/")
    def index(self):
        ctx = user_ctx()
        counts = []
        for meta in ctx.registry:
            if meta.is_child or meta.module == "Tests":
                continue
            try:
                counts.append((meta, query.count(ctx, meta.name)))
            except PermissionDenied:
                continue
        return self.render("igot/home.html", user=ctx.user, roles=sorted(getattr(ctx.access, "roles", [])),
                           mdos=sorted(getattr(ctx.access, "mdos", [])), counts=counts, charts=dashboard(ctx))


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[InputRequired()])
    password = PasswordField("Password", validators=[InputRequired()])


class LoginView(BaseView):
    def is_visible(self):
        return False

    @expose("/", methods=("GET", "POST"))
    def index(self):
        form = LoginForm()
        if form.validate_on_submit():
            try:
                user = auth.login(site(), form.email.data, form.password.data, request.remote_addr or "-")
            except (auth.Unauthenticated, auth.TooManyAttempts) as exc:
                flash(exc.message, "error")
                return self.render("igot/login.html", form=form), exc.status
            from app.api import SessionUser

            login_user(SessionUser(user["_id"]))
            target = request.args.get("next") or url_for("admin.index")
            return redirect(target if target.startswith("/admin") else url_for("admin.index"))
        return self.render("igot/login.html", form=form)


class LogoutView(BaseView):
    def is_visible(self):
        return False

    @expose("/", methods=("POST",))
    def index(self):
        logout_user()
        flash("Signed out.", "info")
        return redirect(url_for("login.index"))


def _version_rows(data: dict) -> list[tuple]:
    """A Version's data as (field, old, new) rows a person can read."""
    rows = [tuple(c) for c in data.get("changed", [])]
    rows += [(f"{table}: row added", "", _row_text(row)) for table, row in data.get("added", [])]
    rows += [(f"{table}: row removed", _row_text(row), "") for table, row in data.get("removed", [])]
    for table, idx, _, changes in data.get("row_changed", []):
        rows += [(f"{table} row {idx}: {field}", old, new) for field, old, new in changes]
    if "deleted" in data:
        rows.append(("(deleted)", "", ""))
    return rows


def _row_text(row: dict) -> str:
    return ", ".join(f"{k}: {v}" for k, v in row.items() if k not in ("name", "idx"))


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
        everyone = ctx.access.has_role("System Manager")
        doctypes = [m.name for m in sorted(ctx.registry, key=lambda m: m.name)
                    if not m.is_child and (m.is_tenant or everyone) and m.name not in ("Version", "Workflow Action")]
        mdos = sorted(d["_id"] for d in site().db["mdo"].find({}, {"_id": 1})) if everyone else sorted(getattr(ctx.access, "mdos", []))
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
        return self.render("igot/customize.html", doctypes=doctypes, mdos=mdos, doctype=doctype, mdo=mdo,
                           fields=rows, preview=preview, places=[f.fieldname for f in meta.all_fields],
                           fieldtypes=ctx.registry.get("Custom Field").get_field("fieldtype").select_options)

    def _apply(self, ctx, doctype: str, mdo: str) -> None:
        op, name, form = request.form.get("op"), request.form.get("name"), request.form
        try:
            if op == "add":
                data = {k: (form.get(k) or None) for k in ("label", "fieldname", "fieldtype", "options", "insert_after", "description")}
                data.update(ref_doctype=doctype, reqd=form.get("reqd") == "on", mdo=mdo or None)
                if not data["fieldname"] and data["label"]:
                    data["fieldname"] = "_".join(data["label"].lower().split())
                doc = lifecycle.insert(ctx, "Custom Field", data)
                flash(f"Added {doc.label} ({doc.fieldname}).", "success")
            elif op in ("hide", "show"):
                lifecycle.save(ctx, "Custom Field", name, {"enabled": op == "show"})
                flash(f"{'Shown' if op == 'show' else 'Hidden'}: values are kept either way.", "success")
            elif op == "place":
                lifecycle.save(ctx, "Custom Field", name, {"insert_after": form.get("insert_after") or None})
                flash("Moved.", "success")
            elif op == "remove":
                lifecycle.delete(ctx, "Custom Field", name)
                flash("Removed. Stored values are kept and show again if the field is added back.", "success")
        except IgotError as exc:
            details = " ".join(f"{k}: {'; '.join(v)}" for k, v in exc.errors.items() if isinstance(v, list))
            flash(f"{exc.message} {details}".strip() if details not in exc.message else exc.message, "error")


class ImportView(Guarded, BaseView):
    """Data Import: choose a doctype, download a template (CSV or XLSX, with the user's MDO's
    custom fields), upload, see each row's result, download the rejected rows with their
    errors. Rows go through the same lifecycle as everything else."""

    def _doctypes(self, ctx) -> list[str]:
        names = []
        for meta in sorted(ctx.registry, key=lambda m: m.name):
            if meta.is_child or meta.name in ("Version", "Workflow Action"):
                continue
            try:
                ctx.access.check(meta, "import")
                names.append(meta.name)
            except PermissionDenied:
                pass
        return names

    def allowed(self) -> bool:
        return bool(self._doctypes(user_ctx()))

    def _columns(self, ctx, doctype) -> list[str]:
        base = ctx.registry.get(doctype)
        mdos = sorted(getattr(ctx.access, "mdos", []))
        meta = customize.effective_meta(ctx, base, mdos[0]) if base.is_tenant and len(mdos) == 1 else base
        return [f.fieldname for f in meta.all_fields if not f.read_only and f.fieldname != "amended_from"]

    @expose("/", methods=("GET", "POST"))
    def index(self):
        ctx = user_ctx()
        doctypes = self._doctypes(ctx)
        doctype = request.values.get("doctype") or doctypes[0]
        if doctype not in doctypes:
            return self.render("igot/not_permitted.html", message=f"You may not import {doctype}."), 403
        result, rejected_id = None, None
        if request.method == "POST":
            upload = request.files.get("file")
            if upload is None or not upload.filename:
                flash("Choose a CSV or XLSX file to upload.", "error")
            else:
                result, rejected_id = self._run(ctx, doctype, upload)
        return self.render("igot/import.html", doctypes=doctypes, doctype=doctype, columns=self._columns(ctx, doctype),
                           result=result, rejected_id=rejected_id)

    def _run(self, ctx, doctype, upload):
        import tempfile
        from pathlib import Path

        from app import importer

        suffix = Path(upload.filename).suffix.lower()
        if suffix not in (".csv", ".xlsx"):
            flash(f"{upload.filename}: expected a .csv or .xlsx file.", "error")
            return None, None
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"upload{suffix}"
            upload.save(path)
            try:
                rows = dict(importer.read_rows(path))
                result = importer.import_file(ctx, doctype, path)
            except IgotError as exc:
                flash(exc.message, "error")
                return None, None
            except Exception as exc:  # an unreadable file: say so, store nothing
                flash(f"{upload.filename} could not be read: {exc}", "error")
                return None, None
        rejected_id = None
        if result.errors:
            rejected_id = str(site().store.files.put(
                _rejected_csv(rows, result.errors).encode(), filename=f"{doctype} rejected rows.csv",
                metadata={"content_type": "text/csv", "owner": ctx.user, "kind": "import-rejected"}))
        flash(f"{len(result.inserted)} imported, {len(result.failed_lines)} rejected of {result.rows} rows.",
              "success" if not result.errors else "warning")
        return result, rejected_id

    @expose("/template/")
    def template(self):
        import csv
        import io

        from flask import Response

        ctx = user_ctx()
        doctype = request.args.get("doctype", "")
        if doctype not in self._doctypes(ctx):
            return self.render("igot/not_permitted.html", message=f"You may not import {doctype}."), 403
        columns = self._columns(ctx, doctype)
        if request.args.get("format") == "xlsx":
            import openpyxl

            book = openpyxl.Workbook()
            book.active.title = doctype[:31]
            book.active.append(columns)
            buffer = io.BytesIO()
            book.save(buffer)
            return Response(buffer.getvalue(), headers={"Content-Disposition": f'attachment; filename="{doctype}.xlsx"'},
                            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        buffer = io.StringIO()
        csv.writer(buffer).writerow(columns)
        return Response(buffer.getvalue(), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{doctype}.csv"'})

    @expose("/rejected/<file_id>")
    def rejected(self, file_id):
        from bson import ObjectId
        from bson.errors import InvalidId
        from flask import Response

        try:
            stored = site().store.files.get(ObjectId(file_id))
        except (InvalidId, Exception):
            stored = None
        meta = (stored.metadata or {}) if stored is not None else {}
        if stored is None or meta.get("kind") != "import-rejected" or meta.get("owner") != user_ctx().user:
            flash("That file is not yours or no longer exists.", "error")
            return redirect(url_for(".index"))
        return Response(stored.read(), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{stored.filename}"'})


def _rejected_csv(rows: dict, errors) -> str:
    """The rejected rows as they were uploaded, with their line and errors in front."""
    import csv
    import io

    by_line: dict[int, list[str]] = {}
    for error in errors:
        by_line.setdefault(error.line, []).append(f"{error.field}: {error.message}")
    columns = []
    for line in by_line:
        columns += [k for k in rows.get(line, {}) if k not in columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["line", "errors"] + columns)
    for line in sorted(by_line):
        row = rows.get(line, {})
        writer.writerow([line, " | ".join(by_line[line])] + [row.get(c, "") for c in columns])
    return buffer.getvalue()


DASHBOARD_SECONDS = 60
_dashboards: dict = {}


def dashboard(ctx) -> list[dict]:
    """The home page's charts, recomputed at most once a minute for each access scope (the
    same roles and MDOs see the same figures)."""
    import time

    access = ctx.access
    key = (id(ctx.site), tuple(sorted(getattr(access, "roles", ()))), tuple(sorted(getattr(access, "mdos", ()))))
    cached = _dashboards.get(key)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    charts = _dashboard(ctx)
    _dashboards[key] = (time.monotonic() + DASHBOARD_SECONDS, charts)
    return charts


def _dashboard(ctx) -> list[dict]:
    """Charts from live data, through the access layer: officers onboarded per month, and
    officers by MDO (by service for a single MDO). Competency gaps and completions join when
    those doctypes exist."""
    charts = []
    try:
        monthly = query.aggregate(ctx, "Officer", [
            {"$group": {"_id": {"$dateToString": {"format": "%Y-%m", "date": "$creation"}}, "n": {"$sum": 1}}},
            {"$sort": {"_id": 1}}])
    except PermissionDenied:
        return charts
    charts.append({"id": "chart-onboarded", "title": "Officers onboarded per month", "type": "line",
                   "labels": [r["_id"] for r in monthly][-12:], "values": [r["n"] for r in monthly][-12:]})
    single = len(getattr(ctx.access, "mdos", ())) == 1 and not ctx.access.has_role("System Manager")
    key = "$service" if single else "$mdo"
    by = query.aggregate(ctx, "Officer", [{"$group": {"_id": key, "n": {"$sum": 1}}}, {"$sort": {"n": -1, "_id": 1}}, {"$limit": 10}])
    charts.append({"id": "chart-by", "title": "Officers by service" if single else "Officers by MDO (top 10)", "type": "bar",
                   "labels": [r["_id"] or "(none)" for r in by], "values": [r["n"] for r in by]})
    return charts


class LinkLookupView(BaseView):
    """``/admin/link/?doctype=Officer&query=asha&offset=0&limit=10``: choices for a Link field,
    as ``[[name, label], ...]``, only among the records the signed-in user may read."""

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
            rows, _ = query.get_list(ctx, doctype, fields=fields, search=request.args.get("query") or None,
                                     order_by=meta.title_field or "name", limit=limit, offset=offset, with_total=False)
        except PermissionDenied:
            return jsonify([]), 403
        label = meta.title_field or "name"
        return jsonify([[r["name"], r.get(label) or r["name"]] for r in rows])
