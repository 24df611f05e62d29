"""Setting a field at once on the records chosen in a list ("With selected" → "Set position"):
the fields a doctype's ``list_view.bulk_set`` names. The chosen value is saved on each record
one by one through the lifecycle, so every rule applies as on the record's own form (an
officer's position must be one of their MDO's, a record outside the user's MDOs is refused),
and each refusal is reported with the record's title and the reason."""

from __future__ import annotations

from flask import flash, redirect, request, url_for

from app.errors import IgotError
from app.model import lifecycle

from . import messages
from .common import user_ctx

PREFIX = "set:"
MAX_RECORDS = 1000  # one request saves at most this many records


def fields(meta) -> list:
    """The fields the list may set on selected records, as the meta declares them."""
    return [f for f in map(meta.get_field, meta.list_view.get("bulk_set") or []) if f is not None]


def actions(view) -> None:
    """Register "Set <label>" in the list's "With selected" menu for each such field."""
    for f in fields(view.meta):
        key = PREFIX + f.fieldname
        view._actions.append((key, f"Set {f.label.lower() if f.fieldtype != 'Check' else f.label}"))
        view._actions_data[key] = (lambda ids, f=f: choose(view, f, ids), f"Set {f.label}", None)


def allowed(view, name: str) -> bool:
    return any(PREFIX + f.fieldname == name for f in fields(view.meta)) and view._may("write")


def _form(view, f):
    from flask_wtf import FlaskForm
    from wtforms import HiddenField

    from .forms import _field

    return type("BulkSetForm", (FlaskForm,), {"value": _field(user_ctx(), f), "field": HiddenField()})


def choose(view, f, ids: list[str]):
    """The page that asks for the value, listing the chosen records by title."""
    ctx = user_ctx()
    form = _form(view, f)(field=f.fieldname)
    records = []
    for name in ids[:MAX_RECORDS]:
        try:
            records.append(lifecycle.read(ctx, view.meta.name, name))
        except IgotError:
            continue
    return view.render(
        "igot/bulk_set.html",
        form=form,
        field=f,
        records=records,
        title_field=view.meta.title_field or "name",
        cut=len(ids) > MAX_RECORDS,
        back=url_for(".index_view"),
    )


def apply(view):
    """Save the chosen value on each chosen record; say how many, and each refusal."""
    ctx = user_ctx()
    f = next((x for x in fields(view.meta) if x.fieldname == request.form.get("field")), None)
    if f is None or not view._may("write"):
        flash("That change cannot be made on several records at once.", "error")
        return redirect(url_for(".index_view"))
    form = _form(view, f)(request.form)
    if not form.validate():
        flash(f"{f.label}: {'; '.join(form.value.errors) or 'choose a value'}.", "error")
        return redirect(url_for(".index_view"))
    value = form.value.data
    value = None if value == "" else value
    done, refused = 0, []
    for name in request.form.getlist("rowid")[:MAX_RECORDS]:
        try:
            lifecycle.save(ctx, view.meta.name, name, {f.fieldname: value})
            done += 1
        except IgotError as exc:
            refused.append(f"{_title(ctx, view.meta, name)}: {messages.describe(ctx.registry, view.meta, exc)}")
    if done:
        shown = _title(ctx, ctx.registry.get(f.options), value) if f.fieldtype == "Link" and value else value
        what = "cleared" if value in (None, "") else f"set to {shown}"
        flash(f"{f.label} {what} for {done} record{'s' if done != 1 else ''}.", "success")
    for line in refused:
        flash(line, "error")
    return redirect(url_for(".index_view"))


def _title(ctx, meta, name: str) -> str:
    try:
        return lifecycle.read(ctx, meta.name, name).get(meta.title_field or "name") or name
    except IgotError:
        return name
