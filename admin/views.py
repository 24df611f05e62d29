"""Admin screens generated from the meta: one Flask-Admin view per doctype.

Every read and write goes through ``app.query`` and ``app.lifecycle`` with the signed-in
user's Context, so the admin obeys exactly the permissions, tenancy, custom fields and
validation of the API; no view queries the database around them.
"""

from __future__ import annotations

import datetime as dt
import json

from flask import flash, g, has_request_context, redirect, request, url_for
from flask_admin import expose
from flask_admin.helpers import get_form_data
from flask_admin.model import BaseModelView
from flask_admin.model.filters import BaseFilter
from flask_login import current_user
from flask_wtf import FlaskForm

from app import auth, query
from app.errors import IgotError, NotFound, PermissionDenied
from app.model import customize, lifecycle, transitions, workflow
from app.model.fieldtypes import FIELDTYPES

from . import bulk, forms, messages, submissions
from .attachments import attachment_html
from .common import Guarded, Record, user_ctx

SYSTEM_COLUMNS = ("owner", "creation", "modified_by", "modified")


class MetaFilter(BaseFilter):
    """One filter of the list: a field, an operator of app.query, and (optionally) choices."""

    _NAMES = {"=": "equals", "!=": "not equal", ">=": "from", "<=": "to", "like": "contains", "is": "is"}

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
        groups.setdefault(key, FilterGroup(flt.name)).append(
            {
                "index": i,
                "arg": view.get_filter_arg(i, flt),
                "operation": flt.operation(),
                "options": flt.get_options(view) or None,
                "type": flt.data_type,
            }
        )
        args[view.get_filter_arg(i, flt)] = (i, flt)
    return filters, groups, args


class _Permitted:
    """A Flask-Admin ``can_*`` flag answered per request by the access layer (Flask-Admin's
    own assignments of the flag are ignored)."""

    def __init__(self, action: str):
        self.action = action

    def __get__(self, view, owner=None):
        if view is None:
            return self
        if self.action == "write" and has_request_context() and g.get("igot_read_only"):
            return False  # the record on this page is not the user's to edit now
        return current_user.is_authenticated and view._may(self.action)

    def __set__(self, view, value):
        pass


class _FilterTable:
    """One of Flask-Admin's filter caches (filters, groups, URL arguments), built per request
    by ``DocTypeView._filter_cache``. At start-up Flask-Admin assigns the meta's filters: kept
    as the base; its groups and arguments are derived again per request, so ignored."""

    def __init__(self, index: int):
        self.index = index

    def __get__(self, view, owner=None):
        return self if view is None else view._filter_cache()[self.index]

    def __set__(self, view, value):
        if self.index == 0:
            view.__dict__["_base_filters"] = value


class DocTypeView(Guarded, BaseModelView):
    """List, create, edit and detail screens for one doctype."""

    can_view_details = True
    named_filter_urls = True  # ?flt0_position_is=not+set: a link says what it filters, by label
    page_size = 20
    form_base_class = FlaskForm
    list_template = "admin/model/list.html"
    edit_template = "igot/edit.html"
    create_template = "igot/create.html"
    details_template = "igot/details.html"

    def __init__(self, meta):
        self.meta = meta
        self.column_list = meta.list_columns or ["name"]
        self.column_filters = [f.fieldname for f in meta.all_fields if f.in_filter]
        self.column_details_list = (
            ["name"] + [f.fieldname for f in meta.all_fields if not f.hidden] + ["owner", "creation", "modified_by", "modified"]
        )
        self.column_labels = {f.fieldname: f.label for f in meta.all_fields}
        self.column_descriptions = {f.fieldname: f.description for f in meta.all_fields if f.description}
        # every value as people read it (``app.display``): linked records by their titles,
        # dates DD/MM/YYYY, levels with their names; the same in the list and on the page
        shown = {f.fieldname: _shown for f in meta.all_fields if f.fieldtype in SHOWN_TYPES}
        days = {**shown, **{f.fieldname: _link_field for f in meta.all_fields if f.fieldtype == "Link"}}
        if meta.name == "Version":
            days.update({"docname": _version_record, "data": _version_data, "creation": _moment_field})
        self.column_formatters = dict(days)
        # the record's title is the link to it (the first column when the title is not listed)
        columns = list(self.column_list)
        title = meta.title_field if meta.title_field in columns else columns[0]
        self.column_formatters[title] = _title_link(self.column_formatters.get(title))
        self.column_formatters_detail = {
            **{f.fieldname: _lines for f in meta.all_fields if f.fieldtype == "JSON"},
            **days,
            **{f.fieldname: _child_table for f in meta.table_fields},
            **{f.fieldname: _attachment for f in meta.all_fields if f.fieldtype == "Attach"},
            **{f.fieldname: _markdown for f in meta.all_fields if f.fieldtype == "Markdown"},
            "owner": _person,
            "modified_by": _person,
        }
        self.column_type_formatters = self.column_type_formatters_detail = TYPE_FORMATTERS
        super().__init__(model=meta, name=meta.name, category=meta.module, endpoint=meta.collection, url=meta.collection)

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

    # "With selected": the meta's document actions that need no inputs (a user's "Send
    # Invitation Again"), run on each chosen record through the same checks as one by one
    BULK = "doc:"

    def init_actions(self):
        super().init_actions()
        for spec in self.meta.actions:
            if spec.get("inputs"):
                continue
            key = self.BULK + spec["name"]
            self._actions.append((key, spec["label"]))
            self._actions_data[key] = (
                lambda ids, spec=spec: self._run_on_each(spec, ids),
                spec["label"],
                f"{spec['label']} for each selected record?",
            )
        bulk.actions(self)  # "Set position": a field given at once to the selected records

    def is_action_allowed(self, name):
        if name.startswith(bulk.PREFIX):
            return current_user.is_authenticated and bulk.allowed(self, name)
        if name.startswith(self.BULK):
            spec = next((a for a in self.meta.actions if a["name"] == name[len(self.BULK) :]), None)
            if spec is None or not current_user.is_authenticated:
                return False
            roles = spec.get("roles") or []
            return not roles or any(user_ctx().access.has_role(r) for r in roles)
        return super().is_action_allowed(name)

    def _run_on_each(self, spec, ids):
        from app.model import actions

        done, refused = 0, []
        for name in ids:
            try:
                actions.run(user_ctx(), self.meta.name, name, spec["name"])
                done += 1
            except IgotError as exc:
                refused.append(f"{name}: {self._say(exc)}")
        if done:
            flash(f"{spec['label']}: done for {done} record{'s' if done != 1 else ''}.", "success")
        for line in refused:
            flash(line, "error")

    # per-request list columns: the meta's, then the user's MDOs' custom fields -------------
    @property
    def _list_columns(self):
        base = self.__dict__.get("_base_list_columns", [])
        if not has_request_context() or not current_user.is_authenticated:
            return base
        shown = {name for name, _ in base}
        extra = [
            (f.fieldname, f.label)
            for f in customize.query_meta(user_ctx(), self.meta).fields
            if f.in_list_view and f.fieldname not in shown and self.meta.get_field(f.fieldname) is None
        ]
        return base + extra

    @_list_columns.setter
    def _list_columns(self, value):
        self.__dict__["_base_list_columns"] = value

    # per-request details: the meta's fields, with the record's MDO's custom fields in place ----
    @property
    def _details_columns(self):
        base = self.__dict__.get("_base_details_columns", [])
        record = g.get("igot_details_record") if has_request_context() else None
        if record is None or not current_user.is_authenticated:
            return base
        meta = customize.meta_for_record(user_ctx(), self.meta, record)
        labels = dict(base)
        shown = [
            (f.fieldname, labels.get(f.fieldname) or f.label)
            for f in meta.all_fields
            if not f.hidden and not (f.standard and record.get(f.fieldname) in (None, ""))
        ]
        return [("name", labels.get("name", "Name")), *shown, *[(k, v) for k, v in base if k in SYSTEM_COLUMNS]]

    @_details_columns.setter
    def _details_columns(self, value):
        self.__dict__["_base_details_columns"] = value

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
            ctx = user_ctx()
            levels = ctx.access.readable_levels(self.meta)
            custom = [
                flt
                for f in customize.query_meta(ctx, self.meta).fields
                if f.in_filter and self.meta.get_field(f.fieldname) is None
                for flt in self._filters_for(f)
            ]
            readable = [
                flt
                for flt in base
                if (self.meta.get_field(flt.column) is None or self.meta.get_field(flt.column).permlevel in levels)
            ]
            setattr(g, key, _filter_tables(self, readable + custom))
        return getattr(g, key)

    _filters = _FilterTable(0)
    _filter_groups = _FilterTable(1)
    _filter_args = _FilterTable(2)

    def scaffold_filters(self, name):
        f = self.meta.get_field(name)
        return self._filters_for(f) if f is not None else None

    def _filters_for(self, f):
        """Filters for an ``in_filter`` field, applied by app.query (so values are coerced
        and checked against the field there)."""
        name, label = f.fieldname, f.label
        widget = FIELDTYPES[f.fieldtype].widget  # what kind of value it is (app.model.fieldtypes)
        if widget == "select":
            return [
                MetaFilter(name, label, "=", options=[(o, o) for o in f.select_options]),
                MetaFilter(name, label, "!=", options=[(o, o) for o in f.select_options]),
            ]
        if widget == "check":
            return [MetaFilter(name, label, "=", options=[("1", "Yes"), ("0", "No")])]
        if widget in ("integer", "float", "date", "datetime"):
            kind = {"date": "datepicker", "datetime": "datetimepicker"}.get(widget)
            return [MetaFilter(name, label, op, data_type=kind) for op in ("=", ">=", "<=")]
        return [
            MetaFilter(name, label, "="),
            MetaFilter(name, label, "like"),
            MetaFilter(name, label, "is", options=[("set", "set"), ("not set", "not set")]),
        ]

    def scaffold_form(self):
        """Flask-Admin wants a form class at start-up; ours are built per request, for the
        signed-in user and their MDO (``create_form``, ``edit_form``)."""
        return type(f"{self.meta.name.replace(' ', '')}Scaffold", (FlaskForm,), {})

    # per-request forms (custom fields of the user's MDO) ------------------------------------
    def _mdo(self):
        mdos = getattr(user_ctx().access, "mdos", set())
        return next(iter(mdos)) if len(mdos) == 1 else None

    def create_form(self, obj=None):
        ctx = user_ctx()
        meta = customize.effective_meta(ctx, self.meta, self._mdo()) if self.meta.is_tenant else self.meta
        form_cls = forms.with_form_key(forms.build(ctx, meta))
        form = form_cls(get_form_data()) if request.method == "POST" else form_cls(data=self._new_values(ctx, meta))
        if self.meta.is_tenant and "mdo" in form and not form.mdo.data and self._mdo():
            form.mdo.data = self._mdo()
        return form

    def _new_values(self, ctx, meta) -> dict:
        """A new record's form opened with values (``?content_module=CM-1``: a review of that
        module), completed by its controller's ``new_form`` (the rubric's rows); nothing is
        saved until the form is."""
        given = {
            f.fieldname: request.args[f.fieldname]
            for f in meta.all_fields
            if f.fieldname in request.args and f.fieldtype in ("Link", "Data", "Select") and not f.read_only
        }
        if not given:
            return {}
        doc = meta.controller_class(meta, dict(given), ctx)
        try:
            doc.new_form()
        except IgotError:
            pass  # the form opens with what was given; saving says what is wrong
        return forms.to_form_data(meta, doc.as_dict(), ctx.registry)

    def edit_form(self, obj=None):
        ctx = user_ctx()
        meta = customize.meta_for_record(ctx, self.meta, obj or {})
        form_cls = forms.build(ctx, meta, obj)
        if request.method == "POST":
            return form_cls(get_form_data())
        data = forms.to_form_data(meta, obj or {}, ctx.registry)
        data["modified"] = (obj or {}).get("modified")
        return form_cls(data=data)

    # data -----------------------------------------------------------------------------------
    def get_list(self, page, sort_field, sort_desc, search, filters, page_size=None):
        size = page_size or self.page_size
        order = f"{sort_field} {'desc' if sort_desc else 'asc'}" if sort_field else None
        triples = []
        for index, _name, value in filters or []:
            flt = self._filters[index]
            triples.append([flt.column, flt.op, f"%{value}%" if flt.op == "like" else value])
        try:
            rows, total = query.get_list(
                user_ctx(),
                self.meta.name,
                order_by=order,
                limit=size,
                offset=(page or 0) * size,
                search=search or None,
                filters=triples or None,
            )
        except IgotError as exc:
            flash(self._say(exc), "error")
            return 0, []
        records = [Record(r) for r in rows]
        wf = workflow.active(user_ctx(), self.meta.name)
        if wf and wf.get("states") and wf["state_field"] in self.column_list:
            # a record sent back to its maker reads "Returned: <reason>" in the list, not "Draft"
            first = wf["states"][0]["state"]
            names = [r["name"] for r in records if r.get(wf["state_field"]) == first]
            for name, back in workflow.sent_back_among(user_ctx(), self.meta, wf, names).items():
                next(r for r in records if r["name"] == name)["_returned"] = back["reason"]
            self.column_formatters.setdefault(wf["state_field"], _state_shown)
        return total, records

    def get_one(self, id):
        """The record as the user may see it; read once per request (the edit page asks
        twice: once to decide whether it is read-only, once for the form)."""
        cache = g.setdefault("igot_records", {})
        key = (self.meta.name, id)
        if key not in cache:
            try:
                cache[key] = Record(lifecycle.read(user_ctx(), self.meta.name, id))
            except NotFound:
                cache[key] = None
        g.igot_details_record = cache[key]  # its MDO's custom fields show on its page
        return cache[key]

    def _say(self, exc: IgotError) -> str:
        return messages.describe(user_ctx().registry, self.meta, exc)

    def _report(self, form, exc: IgotError) -> None:
        """Each field's message under the field, by label; the flash names the fields to
        correct, and says in full what has no place on the form (a child row, a refusal)."""
        if isinstance(exc, PermissionDenied) or not exc.errors:
            flash(self._say(exc), "error")
            return
        marked, elsewhere = [], []
        for fieldname, label, text in messages.field_lines(user_ctx().registry, self.meta, exc.errors):
            target = form._fields.get(fieldname)
            if target is not None and not isinstance(exc.errors.get(fieldname), dict):
                target.errors = list(target.errors or []) + [text]
                marked.append(label)
            else:
                elsewhere.append(f"{label}: {text}")
        said = " ".join(elsewhere)
        if marked:
            said = (said + " " if said else "") + f"Not saved: correct {', '.join(dict.fromkeys(marked))} (marked below)."
        flash(said, "error")

    def create_model(self, form):
        """Create the record once per form: the form carries a key, claimed before the insert,
        so the same form sent again (Back, then Save; a double click) opens the record it
        made instead of making another."""
        ctx = user_ctx()
        key = getattr(form, "form_key", None) and form.form_key.data
        if key:
            earlier = submissions.claim(ctx, self.meta.name, key)
            if earlier is not None:
                return self._already(earlier)
        meta = customize.meta_for_record(ctx, self.meta, {"mdo": getattr(form, "mdo", None) and form.mdo.data})
        try:
            doc = lifecycle.insert(ctx, self.meta.name, forms.values(meta, form, ctx.registry))
        except IgotError as exc:
            if key:
                submissions.release(ctx, key)
            forms.discard_new_files(form)
            self._report(form, exc)
            return False
        if key:
            submissions.made(ctx, key, doc.name)
        if request.form.get("_then") == "Save and submit":  # a new review scored and submitted at once
            try:
                doc = lifecycle.submit(ctx, self.meta.name, doc.name)
            except IgotError as exc:  # saved: its page opens with the reason
                self._report(form, exc)
                return Record(doc.as_dict())
            flash(f"{self.meta.name} {doc.name}: saved and submitted.", "success")
        return Record(doc.as_dict())

    def _already(self, earlier: dict):
        if not earlier.get("name"):
            flash("This form is being saved already: wait a moment, then open the list.", "info")
            return False
        record = self.get_one(earlier["name"])
        if record is None:
            return False
        title = record.get(self.meta.title_field) if self.meta.title_field else None
        flash(f"This form was saved before, as {self.meta.name} {title or record['name']}: it was not saved again.", "info")
        return record

    def update_model(self, form, model):
        meta = customize.meta_for_record(user_ctx(), self.meta, model)
        try:
            changes = forms.values(meta, form, user_ctx().registry)
            if form.modified.data:
                changes["modified"] = form.modified.data
            doc = lifecycle.save(user_ctx(), self.meta.name, model["name"], changes)
        except IgotError as exc:
            forms.discard_new_files(form)
            self._report(form, exc)
            return False
        if request.form.get("_then") == "Save and submit":  # what was typed, saved, then submitted
            try:
                doc = lifecycle.submit(user_ctx(), self.meta.name, doc.name)
            except IgotError as exc:
                self._report(form, exc)
                return False
            flash(f"{self.meta.name} {doc.name}: saved and submitted.", "success")
            model.update(doc.as_dict())
        if doc.name != model["name"]:  # a published record's edit became a new draft version
            flash(
                f"{self.meta.name} {model['name']} stays live; your changes are in the new draft version {doc.name}.", "success"
            )
            model["name"] = doc.name  # "save and continue" opens the draft
        return True

    # the record page: status, actions, history --------------------------------------------
    def render(self, template, **kwargs):
        if template in (self.create_template, self.edit_template) and self.meta.beside and kwargs.get("form") is not None:
            kwargs["beside"] = self._beside(kwargs["form"])
        if template == self.create_template:
            kwargs["submit_here"] = self.meta.is_submittable and "submit" in user_ctx().access.allowed_actions(self.meta)
        model = kwargs.get("model")
        if model is not None and template in (self.edit_template, self.details_template):
            kwargs["panel"] = self._panel(model)
            kwargs["related"] = self._related(model)
            # a job still queued or running: its page follows it (progress, then its result)
            if self.meta.name == "Background Job" and model.get("status") in ("Queued", "Running"):
                kwargs["refresh_seconds"] = 3
        return super().render(template, **kwargs)

    def _panel(self, record) -> dict:
        ctx, meta = user_ctx(), self.meta
        status = ("Draft", "Submitted", "Cancelled")[record.get("docstatus", 0)]
        wf = workflow.active(ctx, meta.name)  # looked up once for the panel
        info = workflow.info(ctx, meta, record, wf) if wf else None
        status_actions = []
        if meta.is_submittable and not info:
            allowed = ctx.access.allowed_actions(meta, record)
            wanted = {"Draft": "submit", "Submitted": "cancel", "Cancelled": "create"}[status]
            if wanted in allowed:
                action = "amend" if wanted == "create" else wanted
                status_actions = [
                    {"value": action, "label": action.title(), "style": "danger" if action == "cancel" else "primary"}
                ]
        try:
            rows, _ = query.get_list(
                ctx,
                "Version",
                filters={"ref_doctype": meta.name, "docname": record["name"]},
                order_by="creation desc",
                limit=50,
                with_total=False,
            )
        except PermissionDenied:
            rows = []
        versions = [
            {"at": v["creation"], "user": v["owner"], "rows": _version_rows(v.get("data") or {}, meta, record)} for v in rows
        ]
        from app.model import actions

        offers = workflow.offer(wf, info["state"], info["actions"], record, meta) if info else []
        # one state, in words: the workflow's where there is one, else the record's status
        state = info["state"] if info else (status if meta.is_submittable else None)
        # sent back to its maker: the reviewer's reason is its state, not "Draft"
        returned = workflow.sent_back(wf, info["history"]) if info else None
        editable = self._editable(record)
        if not editable:
            g.igot_read_only = True  # no Edit button on this record's page
        return {
            "name": record["name"],
            "title": record.get(meta.title_field) or record["name"] if meta.title_field else record["name"],
            "status": status,
            "state": f"Returned: {returned['reason']}" if returned else state,
            "state_style": "warning" if returned else {"Draft": "secondary", "Cancelled": "danger"}.get(state, "primary"),
            "returned": returned,
            "next": workflow.next_step(ctx, meta, record, wf) if info else "",
            "mine": bool(info and info["actions"]),
            "editable": editable,
            "comment_for": workflow.comment_actions(wf, info["state"], info["actions"]) if info else [],
            "submit_here": editable and any(a["value"] == "submit" for a in status_actions),
            "workflow": info,
            "offers": offers,
            "inputs": list(
                {i["field"]: {**i, "action": o["action"]} for o in offers if o["ready"] for i in o["inputs"]}.values()
            ),
            "status_actions": status_actions,
            "actions": [
                {
                    "value": a["name"],
                    "label": a["label"],
                    "style": "secondary",
                    "title": a.get("description"),
                    "inputs": a.get("inputs") or [],
                    "confirm": f"{a['label']}: {record.get(meta.title_field) or record['name']}? This cannot be undone."
                    if a.get("confirm")
                    else None,
                }
                for a in actions.available(ctx, meta, record)
            ],
            "transitions": (info or {}).get("history", []),
            "versions": [v for v in versions if v["rows"]],
        }

    def get_save_return_url(self, model, is_created=False):
        """After saving a record that works on another (a review on its module), back to that
        one, where the next step is taken (Approve Review)."""
        linked = model.get(self.meta.beside) if self.meta.beside and model else None
        if linked:
            target = user_ctx().registry.get(self.meta.get_field(self.meta.beside).options)
            return url_for(f"{target.collection}.details_view", id=linked)
        return super().get_save_return_url(model, is_created)

    def _beside(self, form) -> dict | None:
        """The record the form works on (``meta.beside``: a review's module), read as the user
        may read it: its title, main fields and a link to open it."""
        ctx = user_ctx()
        field = self.meta.get_field(self.meta.beside)
        value = form[field.fieldname].data if field.fieldname in form else None
        if not value:
            return None
        target = ctx.registry.get(field.options)
        try:
            record = lifecycle.read(ctx, target.name, value)
        except IgotError:
            return None
        rows = []
        for f in target.all_fields:
            shown = record.get(f.fieldname)
            if f.hidden or f.fieldtype in ("Table", "JSON", "Attach", "Check") or shown in (None, "", []):
                continue
            if f.fieldname in (target.title_field, "workflow_state"):
                continue
            rule = json.loads(f.depends_on) if f.depends_on else None
            if rule and record.get(rule["field"]) not in rule["in"]:
                continue  # not a field of this kind of record
            if f.fieldtype == "Date":
                shown = _day(self, shown)
            elif f.fieldtype == "Link":
                shown = title_of(f.options, shown) or shown
            rows.append((f.label, shown))
        competencies = next((f for f in target.table_fields if f.fieldname == "competencies"), None)
        if competencies and record.get("competencies"):
            rows.append(
                (
                    competencies.label,
                    ", ".join(f"{r.get('competency')} (level {r.get('level')})" for r in record.get("competencies") or []),
                )
            )
        return {
            "doctype": target.name,
            "title": record.get(target.title_field) or record["name"] if target.title_field else record["name"],
            "state": workflow.state_of(ctx, target, record),
            "rows": rows[:14],
            "url": url_for(f"{target.collection}.details_view", id=record["name"]),
        }

    def _related(self, record) -> list[dict]:
        """What belongs to the record (``Module.related``), each item linked to its page, and
        a link to the whole list when there is more than is shown."""
        from .home import list_url

        ctx = user_ctx()
        sections = []
        for rel in sorted(ctx.site.modules.all("related"), key=lambda r: r.order):
            if rel.doctype != self.meta.name:
                continue
            section = rel.build(ctx, record)
            if not section:
                continue
            for item in section["items"]:
                if not item.get("url") and item.get("doctype") and item.get("name"):
                    target = ctx.registry.get(item["doctype"])
                    item["url"] = url_for(f"{target.collection}.details_view", id=item["name"])
            more = section.get("more")
            section["more_url"] = (
                list_url(ctx, more[0], more[1], strict=True) if more and section["total"] > len(section["items"]) else None
            )
            sections.append(section)
        return sections

    def _editable(self, record) -> bool:
        """Whether the user may edit ``record`` now: a draft, in their MDOs, with write
        permission, in a workflow state their roles edit."""
        if record.get("docstatus", 0) != 0:
            return False
        ctx = user_ctx()
        try:
            if "write" not in ctx.access.allowed_actions(self.meta, record):
                return False
            ctx.access.check_scope(self.meta, record)
        except PermissionDenied:
            return False
        return workflow.editable(ctx, self.meta, record)

    @expose("/edit/", methods=("GET", "POST"))
    def edit_view(self):
        """A record the user may not edit now (submitted, cancelled, or in a workflow state
        others act on) opens read-only, on its details page, saying who acts next."""
        record = self.get_one(request.args.get("id")) if request.args.get("id") else None
        if record is not None and not self._editable(record):
            return redirect(self.get_url(".details_view", id=record["name"]))
        return super().edit_view()

    def _back(self, name):
        record = self.get_one(name)
        view = ".edit_view" if record is not None and record.get("docstatus", 0) == 0 and self.can_edit else ".details_view"
        return redirect(self.get_url(view, id=name))

    @expose("/transition/", methods=("POST",))
    def transition_view(self):
        name, action = request.args.get("id"), request.form.get("action", "")
        values = {k[len("value-") :]: v for k, v in request.form.items() if k.startswith("value-")}
        wf = workflow.active(user_ctx(), self.meta.name)
        takes = {i["field"] for t in (wf or {}).get("transitions", []) if t["action"] == action for i in t.get("inputs") or []}
        values = {k: v for k, v in values.items() if k in takes}  # the form holds every action's inputs
        try:
            transitions.apply(user_ctx(), self.meta.name, name, action, request.form.get("comment"), values=values)
            flash(f"{action}: done.", "success")
        except IgotError as exc:
            flash(self._say(exc), "error")
        return self._back(name)

    @expose("/bulk-set/", methods=("POST",))
    def bulk_set_view(self):
        return bulk.apply(self)

    @expose("/action/", methods=("POST",))
    def action_view(self):
        from app.model import actions

        if "id" not in request.args:  # the list's "With selected" form (Flask-Admin's own route)
            return self.handle_action()
        from app.model.document import Document

        name, action = request.args.get("id"), request.form.get("action", "")
        spec = next((a for a in self.meta.actions if a["name"] == action), {})
        opens = spec.get("new_record")
        if opens:  # the new record's form, linked to this one; nothing is made until it is saved
            record = self.get_one(name)
            if record is None or spec not in actions.available(user_ctx(), self.meta, record):
                flash(f"{spec['label']}: not open to you on {self.meta.name} {name}.", "error")
                return self._back(name)
            target = user_ctx().registry.get(opens["doctype"])
            back = url_for(f"{self.meta.collection}.details_view", id=name)
            return redirect(url_for(f"{target.collection}.create_view", **{opens["link"]: name, "url": back}))
        try:
            args = {i["name"]: request.form.get(i["name"]) for i in spec.get("inputs") or []}
            result = actions.run(user_ctx(), self.meta.name, name, action, args)
            label = spec.get("label", action)
            if isinstance(result, Document) and result.doctype == self.meta.name:
                flash(f"{label}: {self.meta.name} {result.name}.", "success")
                name = result.name
            elif isinstance(result, Document):  # e.g. a review of this record: open it
                flash(f"{label}: {result.doctype} {result.name}.", "success")
                return redirect(url_for(f"{result.meta.collection}.edit_view", id=result.name))
            else:
                flash(f"{label}: done.", "success")
        except IgotError as exc:
            flash(self._say(exc), "error")
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
            flash(self._say(exc), "error")
        return self._back(name)

    def delete_model(self, model):
        try:
            lifecycle.delete(user_ctx(), self.meta.name, model["name"])
        except IgotError as exc:
            flash(self._say(exc), "error")
            return False
        return True


def _version_rows(data: dict, meta=None, record: dict | None = None) -> list[tuple]:
    """A Version's data as (field, old, new) rows a person can read: fields by their labels,
    values as every page shows them (``app.display``: linked records by title, dates
    DD/MM/YYYY, levels named), table rows by their columns' labels."""
    from app import display

    ctx = user_ctx()
    titles = _titles()
    registry = ctx.registry

    def field_of(m, fieldname):
        return m.get_field(fieldname) if m is not None else None

    def label(m, fieldname):
        if fieldname == "docstatus":
            return "Status"
        field = field_of(m, fieldname)
        return field.label if field is not None and field.label else fieldname.replace("_", " ").capitalize()

    def shown(m, fieldname, value, row=None):
        if fieldname == "docstatus" and value in (0, 1, 2):
            return ("Draft", "Submitted", "Cancelled")[value]
        if m is None:
            return display.value_text(ctx, None, fieldname, value)
        return display.value_text(ctx, m, fieldname, value, row if row is not None else record, titles)

    def child(table):
        field = field_of(meta, table)
        return registry.get(field.options) if field is not None and field.options in registry.names else None

    def row_text(table, row):
        m = child(table)
        return "; ".join(
            f"{label(m, k)}: {shown(m, k, v, row)}" for k, v in row.items() if k not in ("name", "idx") and v not in (None, "")
        )

    rows = [
        (label(meta, c["field"]), shown(meta, c["field"], c["old"]), shown(meta, c["field"], c["new"]))
        for c in data.get("changed", [])
    ]
    rows += [(f"{label(meta, a['table'])}: row added", "", row_text(a["table"], a["row"])) for a in data.get("added", [])]
    rows += [(f"{label(meta, r['table'])}: row removed", row_text(r["table"], r["row"]), "") for r in data.get("removed", [])]
    for rc in data.get("row_changed", []):
        m = child(rc["table"])
        rows += [
            (
                f"{label(meta, rc['table'])} row {rc['idx']}: {label(m, c['field'])}",
                shown(m, c["field"], c["old"]),
                shown(m, c["field"], c["new"]),
            )
            for c in rc["changes"]
        ]
    if "deleted" in data:
        rows.append(("(deleted)", "", ""))
    return rows


def _when(view, value, name=None) -> str:
    """A moment as people read it: DD/MM/YYYY HH:MM:SS (UTC, as stored), no microseconds."""
    return value.strftime("%d/%m/%Y %H:%M:%S")


def _day(view, value, name=None) -> str:
    return value.strftime("%d/%m/%Y")


def _day_field(view, context, model, name):
    """A Date field (kept as YYYY-MM-DD) shown the Indian way, DD/MM/YYYY."""
    from app import display

    return display.day(model.get(name))


# fieldtypes whose values read differently from how they are kept (``app.display``)
SHOWN_TYPES = ("Date", "Datetime", "Int", "Check")


def _shown(view, context, model, name):
    """A value as ``app.display`` words it: dates DD/MM/YYYY, a level with its name."""
    from app import display

    return display.value_text(user_ctx(), view.meta, name, model.get(name), model, _titles())


def _state_shown(view, context, model, name):
    """A workflow state in a list: "Returned: <reason>" for a record sent back to its maker."""
    if model.get("_returned"):
        return f"Returned: {model['_returned']}"
    return model.get(name)


def _moment_field(view, context, model, name):
    from app import display

    return display.moment(model.get(name))


def _version_record(view, context, model, name):
    """A Version's record, by its title, linked to its page."""
    return link_html(model.get("ref_doctype"), model.get(name), always=True)


def _version_data(view, context, model, name):
    """A Version's changes as the record's page shows them: labels, titles, dates."""
    from markupsafe import Markup, escape

    ctx = user_ctx()
    doctype = model.get("ref_doctype")
    meta = ctx.registry.get(doctype) if doctype in ctx.registry.names else None
    rows = _version_rows(model.get(name) or {}, meta, None)
    if not rows:
        return ""
    body = "".join(f"<tr><td>{escape(f)}</td><td>{escape(o)}</td><td>{escape(n)}</td></tr>" for f, o, n in rows)
    return Markup(
        '<table class="table table-sm table-bordered mb-0" id="version-changes">'
        f"<thead><tr><th>Field</th><th>Old</th><th>New</th></tr></thead><tbody>{body}</tbody></table>"
    )


def _type_formatters() -> dict:
    from flask_admin.model import typefmt

    return {**typefmt.BASE_FORMATTERS, dt.datetime: _when, dt.date: _day}


TYPE_FORMATTERS = _type_formatters()


def _titles():
    """The page's titles of linked records (``app.display.Titles``), read once per request."""
    from app import display

    if "igot_titles" not in g:
        g.igot_titles = display.Titles(user_ctx())
    return g.igot_titles


def title_of(doctype: str, name) -> str | None:
    """The title of a linked record, if the user may read it and it has one other than its
    name (a Position's name, not POS-00002)."""
    return _titles().title(doctype, name)


def link_html(doctype: str, name, always: bool = False):
    """A Link value as people read it: the linked record's title, linked to its page (with
    ``always``, linked by its name where it has no title)."""
    from markupsafe import Markup, escape

    title = title_of(doctype, name) if doctype else None
    if title is None and not (always and name and doctype):
        return "" if name is None else name
    ctx = user_ctx()
    if doctype not in ctx.registry.names:
        return title or name
    target = ctx.registry.get(doctype)
    try:
        url = url_for(f"{target.collection}.details_view", id=name)
    except Exception:  # noqa: BLE001 - a doctype with no screen: the title alone
        return title or name
    return Markup(f'<a href="{escape(url)}">{escape(title or name)}</a>')


def _link_field(view, context, model, name):
    return link_html(view.meta.get_field(name).options, model.get(name))


def _person(view, context, model, name):
    """Who made or last changed the record, by name (their address when they have none)."""
    from app import notifications

    value = model.get(name)
    return notifications.display_name(user_ctx().site, value) if value else ""


def _markdown(view, context, model, name):
    """A Markdown field (a lesson) as formatted, sanitised text: its lines and lists kept."""
    from markupsafe import Markup

    from app import markdown

    return Markup('<div class="markdown">') + markdown.render(model.get(name)) + Markup("</div>")


def _lines(view, context, model, name):
    """A JSON value a module words (an enrolment's eligibility): its lines, as a list; any
    other JSON value as Flask-Admin shows it."""
    from markupsafe import Markup, escape

    from app import display

    value = model.get(name)
    lines = display.value_lines(user_ctx(), view.meta, name, value, model)
    if lines is None:
        return value
    items = "".join(f"<li>{escape(line)}</li>" for line in lines[1:])
    head = f"<strong>{escape(lines[0])}</strong>" if lines else ""
    return Markup(f'<div class="value-lines" data-field="{escape(name)}">{head}<ul class="mb-0">{items}</ul></div>')


def _attachment(view, context, model, name):
    return attachment_html(user_ctx().site, model.get(name))


def _title_link(inner=None):
    """A list column whose text links to the record's page."""

    def format(view, context, model, name):
        from markupsafe import Markup, escape

        from app import display

        # the value as text (a title that is a link reads as the linked record's title)
        value = display.value_text(user_ctx(), view.meta, name, model.get(name), model, _titles()) if inner else model.get(name)
        text = model["name"] if value in (None, "") else value
        url = view.get_url(".details_view", id=model["name"])
        return Markup(f'<a class="record-link" href="{escape(url)}">{escape(text)}</a>')

    return format


def _child_table(view, context, model, name):
    """A child table on the details page: a small table with the child doctype's labels."""
    from markupsafe import Markup, escape

    rows = model.get(name) or []
    if not rows:
        return ""
    child = view.meta.get_field(name).options
    fields = [f for f in user_ctx().registry.get(child).all_fields if not f.hidden]
    head = "".join(f"<th>{escape(f.label)}</th>" for f in fields)

    child_meta = user_ctx().registry.get(child)

    def cell(f, value, row):
        from app import display

        if f.fieldtype == "Link" and value:
            return escape(link_html(f.options, value))  # Markup passes through; a plain value is escaped
        return escape(display.value_text(user_ctx(), child_meta, f.fieldname, value, row, _titles()))

    body = "".join("<tr>" + "".join(f"<td>{cell(f, r.get(f.fieldname), r)}</td>" for f in fields) + "</tr>" for r in rows)
    return Markup(
        f'<table class="table table-sm table-bordered mb-0 child-table" data-table="{escape(name)}">'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )
