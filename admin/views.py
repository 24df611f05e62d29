"""Admin screens generated from the meta: one Flask-Admin view per doctype.

Every read and write goes through ``app.query`` and ``app.lifecycle`` with the signed-in
user's Context, so the admin obeys exactly the permissions, tenancy, custom fields and
validation of the API; no view queries the database around them.
"""
from __future__ import annotations

from flask import current_app, flash, g, redirect, request, url_for
from flask_admin import AdminIndexView, BaseView, expose
from flask_admin.helpers import get_form_data
from flask_admin.model import BaseModelView
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import InputRequired

from app import auth, customize, lifecycle, query
from app.errors import IgotError, NotFound, PermissionDenied

from . import forms


def site():
    return current_app.extensions["igot_site"]


def user_ctx():
    if "igot_admin_ctx" not in g:
        g.igot_admin_ctx = auth.context_for(site(), current_user.get_id())
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


class DocTypeView(Guarded, BaseModelView):
    """List, create, edit and detail screens for one doctype."""

    can_view_details = True
    page_size = 20
    form_base_class = FlaskForm
    list_template = "admin/model/list.html"

    def __init__(self, meta):
        self.meta = meta
        self.column_list = meta.list_columns or ["name"]
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

    @property
    def can_create(self):  # type: ignore[override]
        return current_user.is_authenticated and self._may("create")

    @can_create.setter
    def can_create(self, value):
        pass

    @property
    def can_edit(self):  # type: ignore[override]
        return current_user.is_authenticated and self._may("write")

    @can_edit.setter
    def can_edit(self, value):
        pass

    @property
    def can_delete(self):  # type: ignore[override]
        return current_user.is_authenticated and self._may("delete")

    @can_delete.setter
    def can_delete(self, value):
        pass

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

    def scaffold_filters(self, name):
        return None

    def scaffold_form(self):
        return forms.build(None, self.meta)  # start-up default; real forms are built per request

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
        data = forms.to_form_data(meta, obj or {})
        data["modified"] = (obj or {}).get("modified")
        return self._own_mdos(form_cls(data=data))

    # data -----------------------------------------------------------------------------------
    def get_list(self, page, sort_field, sort_desc, search, filters, page_size=None):
        size = page_size or self.page_size
        order = f"{sort_field} {'desc' if sort_desc else 'asc'}" if sort_field else None
        rows, total = query.get_list(user_ctx(), self.meta.name, order_by=order, limit=size,
                                     offset=(page or 0) * size, search=search or None)
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
            doc = lifecycle.insert(user_ctx(), self.meta.name, forms.values(meta, form))
        except IgotError as exc:
            self._report(form, exc)
            return False
        return Record(doc.as_dict())

    def update_model(self, form, model):
        meta = customize.meta_for_record(user_ctx(), self.meta, model)
        changes = forms.values(meta, form)
        if form.modified.data:
            changes["modified"] = form.modified.data
        try:
            lifecycle.save(user_ctx(), self.meta.name, model["name"], changes)
        except IgotError as exc:
            self._report(form, exc)
            return False
        return True

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
                           mdos=sorted(getattr(ctx.access, "mdos", [])), counts=counts)


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

