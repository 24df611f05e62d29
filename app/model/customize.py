"""Per-MDO custom fields: the meta a record of a given MDO is validated and shown with.

A record of MDO A is validated, stored and shown with its doctype's fields, the
installation-wide custom fields, and A's custom fields, and nothing of B's. The merged meta is
cached per (doctype, MDO) against a change stamp kept in the database (``site_settings``,
``custom_fields``) that every Custom Field change advances: a web server and a CLI import
running side by side both see a new field at their next request, with no restart.

Values of a removed or disabled custom field stay in the stored record (a save carries them
over) but are not shown; adding the field back shows them again.
"""

from __future__ import annotations

import dataclasses

from app.meta import STANDARD_FIELDS, DocTypeMeta, Field

STAMP_ID = "custom_fields"
_FIELD_KEYS = ("fieldname", "label", "fieldtype", "options", "reqd", "description", "in_list_view", "in_filter")


def bump(site) -> int:
    from app.model.persistence import upsert

    doc = upsert(site.db["site_settings"], {"_id": STAMP_ID}, {"$inc": {"version": 1}}, returning=True)
    return doc["version"]


def stamp(ctx) -> int:
    """The change stamp, read once per Context (one request, one import), and kept per
    process until the site settings change, here or in another process."""
    if ctx.custom_stamp is None:
        doc = ctx.site.kept_one("site_settings", {"_id": STAMP_ID})
        ctx.custom_stamp = doc["version"] if doc else 0
    return ctx.custom_stamp


def record_mdo(meta, doc: dict) -> str | None:
    """The one MDO whose custom fields a record carries (None: installation-wide only)."""
    if not meta.is_tenant:
        return None
    values = meta.tenant_values(doc)
    return next(iter(values)) if len(values) == 1 else None


def _rows(site, doctype: str, mdos: list | None) -> list[dict]:
    """Enabled Custom Field rows for ``doctype``: installation-wide ones, plus those of
    ``mdos`` (None: of every MDO)."""
    scope = [{"mdo": {"$exists": False}}]
    if mdos is None:
        scope = []
    elif mdos:
        scope.append({"mdo": {"$in": list(mdos)}})
    query = {"ref_doctype": doctype, "enabled": True}
    if scope:
        query["$or"] = scope
    return list(site.db["custom_field"].find(query).sort([("mdo", 1), ("creation", 1), ("_id", 1)]))


def _field(row: dict) -> Field:
    values = {k: row[k] for k in _FIELD_KEYS if row.get(k) is not None}
    if values["fieldtype"] == "Link":
        values["options"] = values.get("options", "").strip()
    return Field(**values)


def _merge(meta: DocTypeMeta, rows: list[dict], variant: tuple) -> DocTypeMeta:
    fields = list(meta.fields)
    for row in rows:
        f = _field(row)
        if any(existing.fieldname == f.fieldname for existing in fields):
            continue
        after = row.get("insert_after")
        names = [x.fieldname for x in fields]
        position = names.index(after) + 1 if after in names else len(fields)
        fields.insert(position, f)
    return dataclasses.replace(meta, fields=fields, variant=variant)


def effective_meta(ctx, meta: DocTypeMeta, mdo: str | None) -> DocTypeMeta:
    """``meta`` with the custom fields that apply to records of ``mdo``."""
    key = (meta.name, mdo, stamp(ctx))
    cache = ctx.site.custom_metas
    if key not in cache:
        rows = _rows(ctx.site, meta.name, [mdo] if mdo else [])
        cache[key] = _merge(meta, rows, (mdo, key[2])) if rows else meta
    return cache[key]


def meta_for_record(ctx, meta: DocTypeMeta, doc: dict) -> DocTypeMeta:
    return effective_meta(ctx, meta, record_mdo(meta, doc))


def query_meta(ctx, meta: DocTypeMeta) -> DocTypeMeta:
    """For filters and sort: the custom fields of every MDO the caller works with (of every
    MDO for callers who see them all)."""
    mdos = ctx.access.mdos
    all_mdos = ctx.access.reads_all_mdos()
    key = (meta.name, "query", None if all_mdos else tuple(sorted(mdos)), stamp(ctx))
    cache = ctx.site.custom_metas
    if key not in cache:
        rows = _rows(ctx.site, meta.name, None if all_mdos else sorted(mdos))
        cache[key] = _merge(meta, rows, key[1:]) if rows else meta
    return cache[key]


def present(ctx, meta: DocTypeMeta, doc: dict) -> dict:
    """A stored record as the caller sees it: its MDO's fields only, permission levels applied."""
    emeta = meta_for_record(ctx, meta, doc)
    known = emeta.known_fieldnames
    shown = {k: v for k, v in doc.items() if k in known}
    return ctx.access.visible(emeta, emeta.controller().present(ctx, shown))


def hidden_values(meta: DocTypeMeta, stored: dict) -> dict:
    """Values in a stored record that its current meta does not show (removed custom fields):
    carried over on save so that nothing stored is lost."""
    known = meta.known_fieldnames | set(STANDARD_FIELDS)
    return {k: v for k, v in stored.items() if k not in known}


def clashing_field(ctx, doctype: str, fieldname: str, mdo: str | None, own_name: str | None) -> dict | None:
    """Another custom field with this name that would apply to the same records: the
    installation-wide one, or (for an installation-wide field) any MDO's."""
    query = {"ref_doctype": doctype, "fieldname": fieldname, "_id": {"$ne": own_name}}
    if mdo:
        query["$or"] = [{"mdo": {"$exists": False}}, {"mdo": mdo}]
    return ctx.site.db["custom_field"].find_one(query)
