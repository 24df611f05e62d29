"""Version records: who changed what, when, on doctypes with ``track_changes``.

A Version's ``data`` is ``{"changed": [{field, old, new}, ...], "added": [{table, row}, ...],
"removed": [{table, row}, ...], "row_changed": [{table, idx, row, changes: [{field, old, new}]}]}``
(objects, not nested arrays, which not every server stores); deletions store the whole record
as ``{"deleted": {...}}``. Changes to fields above permission
level 0 (an officer's mobile) are kept apart, in ``restricted: {"1": {same shape}}``: the
Version controller shows them only to callers who read that level of the changed record, and
analysts' views leave ``restricted`` out. Versions are written right after
the change they describe (MongoDB offers no multi-document transaction we may rely on), and
never change afterwards.
"""

from __future__ import annotations

from bson import ObjectId

from app.meta import STANDARD_FIELDS

VERSION_COLLECTION = "version"
_SKIP = set(STANDARD_FIELDS) - {"docstatus"} | {"idx"}


def diff(meta, registry, old: dict, new: dict) -> dict:
    changed, added, removed, row_changed = [], [], [], []
    for f in meta.all_fields:
        a, b = old.get(f.fieldname), new.get(f.fieldname)
        if f.fieldtype == "Table":
            child = registry.get(f.options)
            old_rows = {r.get("name"): r for r in a or []}
            new_rows = {r.get("name"): r for r in b or []}
            for row_name, row in new_rows.items():
                if row_name not in old_rows:
                    added.append({"table": f.fieldname, "row": row})
                else:
                    row_diff = _field_changes(child.all_fields, old_rows[row_name], row)
                    if row_diff:
                        row_changed.append({"table": f.fieldname, "idx": row.get("idx"), "row": row_name, "changes": row_diff})
            removed.extend({"table": f.fieldname, "row": r} for n, r in old_rows.items() if n not in new_rows)
        elif a != b and not (a in (None, "") and b in (None, "")):
            changed.append({"field": f.fieldname, "old": a, "new": b})
    if old.get("docstatus") != new.get("docstatus"):
        changed.append({"field": "docstatus", "old": old.get("docstatus"), "new": new.get("docstatus")})
    out = {k: v for k, v in (("changed", changed), ("added", added), ("removed", removed), ("row_changed", row_changed)) if v}
    return out


def _field_changes(fields, old: dict, new: dict) -> list:
    return [
        {"field": f.fieldname, "old": old.get(f.fieldname), "new": new.get(f.fieldname)}
        for f in fields
        if old.get(f.fieldname) != new.get(f.fieldname)
    ]


def split_by_level(meta, data: dict, tables: dict | None = None) -> tuple[dict, dict]:
    """(the changes to level-0 fields, {level: the changes to that level's fields}).
    ``tables`` gives a child table whose rows hold fields above level 0 (an assessment's
    answers) the highest of their levels: its row changes are kept at that level whole."""
    levels = {f.fieldname: f.permlevel for f in meta.all_fields if f.permlevel} | (tables or {})
    if not levels:
        return data, {}
    public: dict = {}
    restricted: dict = {}

    def put(level, key, item):
        target = public if not level else restricted.setdefault(str(level), {})
        if key == "deleted":
            target.setdefault("deleted", {}).update(item)
        else:
            target.setdefault(key, []).append(item)

    for key, items in data.items():
        if key == "deleted":
            for field, value in items.items():
                put(levels.get(field, 0), "deleted", {field: value})
            continue
        for item in items:
            put(levels.get(item.get("field") or item.get("table"), 0), key, item)
    return public, restricted


def record(ctx, meta, name: str, data: dict, doc: dict) -> None:
    """Write a Version. It carries the record's MDOs (``mdos``), so version history obeys the
    same tenancy as the record."""
    if not meta.track_changes or not data:
        return
    now = ctx.now()
    mdos = sorted(meta.tenant_values(doc)) if meta.is_tenant else None
    tables = {}
    for table in meta.table_fields:
        top = max((f.permlevel for f in ctx.site.meta(table.options).all_fields), default=0)
        if top:
            tables[table.fieldname] = top
    data, restricted = split_by_level(meta, data, tables)
    ctx.site.db[VERSION_COLLECTION].insert_one(
        {
            **({"mdos": mdos} if mdos else {}),
            **({"restricted": restricted} if restricted else {}),
            # ObjectId strings sort in write order, so versions of one moment keep their order.
            "_id": str(ObjectId()),
            "ref_doctype": meta.name,
            "docname": name,
            "data": data,
            "owner": ctx.user,
            "modified_by": ctx.user,
            "creation": now,
            "modified": now,
            "docstatus": 0,
        }
    )
