"""WTForms forms generated from a (possibly customised) meta, built per request so an MDO's
custom fields appear at once. The form only collects and shows values: every rule is checked
by the lifecycle, whose field errors are put back on the form's fields."""

from __future__ import annotations

import datetime as dt
import json

from flask_wtf import FlaskForm
from markupsafe import Markup, escape
from wtforms import fields as wf
from wtforms import validators
from wtforms.fields.choices import SelectChoice

from app import display, query
from app.errors import PermissionDenied
from app.model.fieldtypes import FIELDTYPES


class Marked(validators.InputRequired):
    """Marks a field required in the page (the label's star and the ``required`` attribute)
    without validating: the lifecycle is the single place that decides."""

    def __call__(self, form, field):
        return None


def choices(pairs) -> list[SelectChoice]:
    """A blank first choice, then (value, label) pairs."""
    return [SelectChoice("", "")] + [SelectChoice(value, label) for value, label in pairs]


def _mdo_choices(ctx) -> list[SelectChoice]:
    """A record's MDO can only be one of the user's own (any MDO for the System Manager)."""
    access = ctx.access
    if access.reads_all_mdos("write"):
        rows, _ = query.get_list(ctx, "MDO", fields=["name", "mdo_name"], order_by="name", limit=1000, with_total=False)
        return choices((r["name"], r.get("mdo_name") or r["name"]) for r in rows)
    titles = display.Titles(ctx)
    return choices((m, titles.text("MDO", m)) for m in sorted(access.mdos))


def _text(value) -> Markup:
    """A user-set text (a custom field's description) made safe for Flask-Admin's templates,
    which print descriptions unescaped."""
    return escape(value or "")


def _field(ctx, f, meta=None, record: dict | None = None):
    """The form field that edits ``f``: its fieldtype's widget (``app.model.fieldtypes``); a
    number a module names (a competency level) is picked from its names, those of the
    record's own competency where it has one."""
    kw = {"label": f.label, "description": _text(f.description), "validators": [Marked()] if f.reqd else [validators.Optional()]}
    if f.depends_on and f.fieldtype != "Table":  # shown while the field it depends on has one of the values (admin.js)
        rule = json.loads(f.depends_on)
        kw["render_kw"] = {"data-depends-on": rule["field"], "data-depends-in": json.dumps(rule["in"])}
    if f.choose_from:  # answers picked from the options typed above them (admin.js)
        kw.setdefault("render_kw", {})["data-choose-from"] = f.choose_from
    if f.default is not None:
        kw["default"] = (
            {"Today": dt.date.today, "Now": dt.datetime.now}.get(f.default, f.default)
            if f.default in ("Today", "Now")
            else f.default
        )
    if f.fieldtype == "Int" and meta is not None:
        names = display.level_names(ctx, meta, f.fieldname, record)
        if names:  # a competency level: picked by its name ("2 - Proficient")
            return wf.SelectField(
                choices=choices((n, display.named(n, names)) for n in sorted(names)), coerce=_number_or_none, **kw
            )
    return WIDGETS[FIELDTYPES[f.fieldtype].widget](ctx, f, kw)


def _number_or_none(value):
    return int(value) if value not in (None, "") and str(value).strip() else None


def _link(ctx, f, kw):
    if f.fieldname == "mdo" and f.options == "MDO":  # the record's own MDO: a short list
        return wf.SelectField(choices=_mdo_choices(ctx), **kw)
    return LinkField(target=f.options, conditions=f.link_conditions, **kw)


def _table(ctx, f, kw):
    from flask_admin.model.fields import InlineFieldList, InlineFormField

    return InlineFieldList(
        InlineFormField(build_child(ctx, ctx.registry.get(f.options))),
        label=f.label,
        description=kw["description"],
        min_entries=0,
    )


def with_form_key(form_cls):
    """The create form with a key of its own (``admin.submissions``), new on every blank form."""
    import uuid

    return type(form_cls.__name__, (form_cls,), {"form_key": wf.HiddenField(default=lambda: uuid.uuid4().hex)})


class _Lenient:
    """A typed field that keeps what was typed when it does not parse, so the lifecycle (the
    single place that decides) says what is wrong, by the field's label, with the rest."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = valuelist[0] if valuelist else None
        if self.data is None and valuelist and str(valuelist[0]).strip():
            self.data = valuelist[0]
        self.process_errors = []

    def _value(self):
        return self.data if isinstance(self.data, str) else super()._value()


class IntegerInput(_Lenient, wf.IntegerField):
    pass


class FloatInput(_Lenient, wf.FloatField):
    pass


class DayPicker:
    """A text input for a date as DD/MM/YYYY whatever the browser's language (a browser's own
    date input follows its locale: a Chrome set to US English shows 4 December 2026 as
    12/04/2026), with Flask-Admin's calendar (``data-role``), which keeps to the format given."""

    def __init__(self, role: str, moment_format: str, pattern: str, hint: str):
        self.role, self.moment_format, self.pattern, self.hint = role, moment_format, pattern, hint

    def __call__(self, field, **kwargs):
        from wtforms.widgets import html_params

        kwargs.setdefault("id", field.id)
        kwargs.update(
            {
                "type": "text",
                "data-role": self.role,
                "data-date-format": self.moment_format,
                "pattern": self.pattern,
                "placeholder": self.hint,
                "title": f"{field.label.text}: {self.hint}",
                "inputmode": "numeric",
                "autocomplete": "off",
            }
        )
        return Markup(f"<input {html_params(name=field.name, value=field._value(), **kwargs)}>")


DAY_PATTERN = r"\d{1,2}/\d{1,2}/\d{4}"


class DateInput(_Lenient, wf.DateField):
    """A date typed or picked as DD/MM/YYYY (an ISO date, as an API client sends it, too)."""

    widget = DayPicker("datepicker", "DD/MM/YYYY", DAY_PATTERN, "DD/MM/YYYY")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, format=["%d/%m/%Y", "%Y-%m-%d"], **kwargs)


class DateTimeInput(_Lenient, wf.DateTimeField):
    """A moment typed or picked as DD/MM/YYYY HH:MM (UTC, as stored)."""

    widget = DayPicker("datetimepicker", "DD/MM/YYYY HH:mm", DAY_PATTERN + r" \d{1,2}:\d{2}", "DD/MM/YYYY HH:MM")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, format=["%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"], **kwargs)


# The admin's widgets, by the name a fieldtype gives (``FieldType.widget``).
WIDGETS = {
    "text": lambda ctx, f, kw: wf.StringField(**kw),
    "email": lambda ctx, f, kw: wf.EmailField(**kw),
    "textarea": lambda ctx, f, kw: wf.TextAreaField(**kw),
    "integer": lambda ctx, f, kw: IntegerInput(**kw),
    "float": lambda ctx, f, kw: FloatInput(**kw),
    "check": lambda ctx, f, kw: wf.BooleanField(label=f.label, description=kw["description"], default=bool(f.default)),
    "date": lambda ctx, f, kw: DateInput(**kw),
    "datetime": lambda ctx, f, kw: DateTimeInput(**kw),
    "select": lambda ctx, f, kw: wf.SelectField(choices=choices((o, o) for o in f.select_options), **kw),
    "attach": lambda ctx, f, kw: AttachField(**kw),
    "link": _link,
    "table": _table,
}


class ShownInput:
    """A row's read-only value (a rubric's criterion and maximum): shown as text, and sent back
    as it was so the row keeps its identity; the platform sets it, never the form."""

    def __call__(self, field, **kwargs):
        from markupsafe import Markup, escape

        value = "" if field.data is None else field.data
        return Markup(
            f'<div class="form-control-plaintext shown-value" id="{escape(field.id)}-shown">{escape(value)}</div>'
            f'<input type="hidden" name="{escape(field.name)}" value="{escape(value)}">'
        )


class ShownField(wf.Field):
    widget = ShownInput()

    def process_formdata(self, valuelist):
        self.data = valuelist[0] if valuelist else None

    def _value(self):
        return "" if self.data is None else str(self.data)


class AttachInput:
    """A file input, with a link to the file already attached (kept unless another is chosen)."""

    def __call__(self, field, **kwargs):
        from markupsafe import Markup, escape
        from wtforms.widgets import html_params

        kwargs.setdefault("id", field.id)
        current = field.current
        from admin.attachments import attachment_html
        from admin.common import site
        from app import files

        link = (
            f'<div class="small">Attached: {attachment_html(site(), current, preview=False)} (choose a file to replace it)</div>'
            if current
            else ""
        )
        limit = (
            f'<div class="small text-muted upload-limit">Up to {escape(files.limit_text(site()))}. Files are checked by their '
            f"content; programs are refused. A SCORM package is a zip with imsmanifest.xml at its root.</div>"
        )
        return Markup(
            f'<input type="file" {html_params(name=field.name, **kwargs)}>'
            f'<input type="hidden" name="{escape(field.name)}__current" value="{escape(current or "")}">{link}{limit}'
        )


class AttachField(wf.FileField):
    """An Attach field: the chosen file is stored in GridFS when the form is saved
    (``values``); without one, the current attachment stays."""

    widget = AttachInput()

    @property
    def current(self) -> str | None:
        from flask import request

        if isinstance(self.data, str) and self.data:
            return self.data
        return request.form.get(f"{self.name}__current") or None


class Select2Input:
    """The hidden input select2 turns into a search box. It declares no ``input_type`` so
    the form lays it out like any other field, with its label."""

    def __call__(self, field, **kwargs):
        from markupsafe import Markup
        from wtforms.widgets import html_params

        kwargs.setdefault("id", field.id)
        kwargs.setdefault("style", "width: 100%")
        return Markup(f'<input type="hidden" {html_params(name=field.name, value=field._value(), **kwargs)}>')


class LinkField(wf.StringField):
    """A Link as a searchable select: select2 asks ``/admin/link/`` for the records of the
    target the user may read, as they type (no list of 10,000 officers in the page)."""

    widget = Select2Input()

    def __init__(self, *args, target: str, conditions: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = target
        self.conditions = conditions or {}  # the field's link_filters: only records meeting them are offered

    def __call__(self, **kwargs):
        from flask import url_for

        label = self.data
        if self.data:
            meta = _registry().get(self.target)
            if meta.title_field:
                label = _title(self.target, meta.title_field, self.data) or self.data
        extra = {"filters": json.dumps(self.conditions)} if self.conditions else {}
        kwargs.update(
            {
                "data-role": "select2-ajax",
                "data-url": url_for("link.lookup", doctype=self.target, **extra),
                "data-json": json.dumps([self.data, label] if self.data else None),
                "data-placeholder": f"Search {self.target}",
                "data-minimum-input-length": "0",
                "data-allow-blank": "1",
            }
        )
        return super().__call__(**kwargs)


def _title(doctype, title_field, name):
    """The label of a Link's current value, read as the signed-in user (hidden if they may not)."""
    from admin.common import user_ctx
    from app.errors import NotFound
    from app.model import lifecycle

    try:
        return lifecycle.read(user_ctx(), doctype, name).get(title_field)
    except (NotFound, PermissionDenied):
        return None


def build_child(ctx, meta):
    """The row form of a child table (no CSRF token of its own: the parent form has it)."""
    from wtforms import Form

    attrs = {
        f.fieldname: ShownField(label=f.label) if f.read_only else _field(ctx, f, meta) for f in meta.all_fields if not f.hidden
    }
    attrs["name"] = wf.HiddenField()  # the row's identity, so a save changes it rather than replacing it
    return type(f"{meta.name.replace(' ', '')}RowForm", (Form,), attrs)


def build(ctx, meta, record: dict | None = None) -> type[FlaskForm]:
    """A form class for ``meta``'s writable fields, in meta order (``record``: the one edited)."""
    attrs = {}
    for f in meta.all_fields:
        if f.read_only or f.hidden or f.fieldname == "amended_from":
            continue
        attrs[f.fieldname] = _field(ctx, f, meta, record)
    attrs["modified"] = wf.HiddenField()
    return type(f"{meta.name.replace(' ', '')}Form", (FlaskForm,), attrs)


def values(meta, form, registry=None) -> dict:
    """The form's values as lifecycle input (dates as ISO strings, JSON parsed, blanks as None;
    table rows as lists of row values, deleted rows left out)."""
    out, attach = {}, []
    for f in meta.all_fields:
        if f.fieldname not in form._fields:
            continue
        if f.fieldtype == "Table":
            field = form[f.fieldname]
            child = (registry or _registry()).get(f.options)
            rows = []
            for entry in field.entries:
                if field.should_delete(entry):
                    continue
                row = values(child, entry.form, registry)
                if entry.form.name.data:
                    row["name"] = entry.form.name.data
                if any(v not in (None, False) for k, v in row.items() if k != "name"):
                    rows.append(row)
            out[f.fieldname] = rows
            continue
        value = form[f.fieldname].data
        if f.fieldtype == "Attach":
            attach.append(f)
            continue
        if isinstance(value, str) and not value.strip() and f.fieldtype != "Check":
            value = None
        elif f.fieldtype == "JSON" and isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                pass  # the lifecycle reports it as invalid JSON
        elif isinstance(value, (dt.datetime, dt.date)):
            value = value.isoformat()
        out[f.fieldname] = value
    for f in attach:  # last: what a field accepts may depend on the other values
        out[f.fieldname] = _attachment(form, f, out, meta.name)
    return out


def _attachment(form, f, values: dict, doctype: str) -> str | None:
    """The file id an Attach field holds after the form: a newly chosen file, checked
    against what the field accepts and stored now as the signed-in user (``form.new_files``
    lists it, for removal if the record is then refused), or the one already attached."""
    field = form[f.fieldname]
    data = field.data
    if getattr(data, "filename", None):
        from admin.common import user_ctx
        from app import files

        file_id = files.store(
            user_ctx(),
            data.stream,
            data.filename,
            data.mimetype,
            accept=files.accepted(f, values),
            doctype=doctype,
            field=f.fieldname,
        )
        form.new_files = [*getattr(form, "new_files", []), file_id]
        return file_id
    return field.current


def discard_new_files(form) -> None:
    """Remove the files a refused form stored."""
    from bson import ObjectId

    from admin.common import site

    for file_id in getattr(form, "new_files", []):
        site().store.files.delete(ObjectId(file_id))
    form.new_files = []


class _Row(dict):
    def __getattr__(self, name):
        return self.get(name)


def _registry():
    from flask import current_app

    return current_app.extensions["igot_site"].registry


def to_form_data(meta, record: dict, registry=None) -> dict:
    """A stored record as form values (JSON as text, dates parsed, table rows as row objects)."""
    data = {}
    for f in meta.all_fields:
        value = record.get(f.fieldname)
        if value is None:
            continue
        if f.fieldtype == "Table":
            child = (registry or _registry()).get(f.options)
            value = [_Row({**to_form_data(child, row, registry), "name": row.get("name")}) for row in value]
        elif f.fieldtype == "JSON":
            value = json.dumps(value, ensure_ascii=False, default=str)
        elif f.fieldtype == "Date" and isinstance(value, str):
            value = dt.date.fromisoformat(value)
        data[f.fieldname] = value
    return data
