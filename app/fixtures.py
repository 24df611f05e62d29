"""Fixtures: plain JSON records shipped in ``fixtures/``, loaded by ``igot init``.

A file is ``{"doctype": "MDO", "records": [{"name": ..., ...}]}``. Loading upserts by name
through the normal lifecycle (so records are validated): a missing record is inserted, a
changed one saved, an unchanged one left alone, so loading twice changes nothing.
Files are loaded so that Link targets come first.
"""

from __future__ import annotations

import json
from pathlib import Path

from app import query
from app.errors import NotFound
from app.meta import STANDARD_FIELDS
from app.model import lifecycle, persistence
from app.model.document import DocStatus


def read_files(paths) -> list[dict]:
    files = []
    for base in paths:
        for path in sorted(Path(base).glob("*.json")):
            data = json.loads(path.read_text())
            data["_path"] = str(path)
            files.append(data)
    return files


def _ordered(registry, files: list[dict]) -> list[dict]:
    by_doctype = {f["doctype"]: f for f in files}
    ordered, seen = [], set()

    def visit(doctype, trail=()):
        if doctype in seen or doctype not in by_doctype or doctype in trail:
            return
        meta = registry.get(doctype)
        links = list(meta.link_fields) + [cf for f in meta.table_fields for cf in registry.get(f.options).link_fields]
        for f in links:  # child rows' links too: a decision's courses load before it
            if f.options != doctype:
                visit(f.options, trail + (doctype,))
        seen.add(doctype)
        ordered.append(by_doctype[doctype])

    for doctype in by_doctype:
        visit(doctype)
    return ordered


def load_all(ctx, paths) -> dict:
    report = {}
    for data in _ordered(ctx.registry, read_files(paths)):
        report[data["doctype"]] = load_records(ctx, data["doctype"], data["records"])
    return report


def load_records(ctx, doctype: str, records: list[dict]) -> dict:
    meta = ctx.registry.get(doctype)
    counts = {"inserted": 0, "updated": 0, "unchanged": 0}
    for record in records:
        name = record["name"]
        values = {k: v for k, v in record.items() if k not in STANDARD_FIELDS}
        try:
            current = persistence.get(ctx.site.collection(doctype), meta, name)
        except NotFound:  # a record may ship submitted ("docstatus": 1), e.g. a committee decision
            lifecycle.insert(ctx, doctype, values, name=name, docstatus=DocStatus(record.get("docstatus", 0)))
            counts["inserted"] += 1
            continue
        if _same(meta, current, values):
            counts["unchanged"] += 1
        else:
            lifecycle.save(ctx, doctype, name, values)
            counts["updated"] += 1
    return counts


def _strip_rows(rows):
    return [{k: v for k, v in r.items() if k not in ("name", "idx")} for r in rows or []]


def _same(meta, current: dict, values: dict) -> bool:
    for key, value in values.items():
        f = meta.get_field(key)
        if f is not None and f.fieldtype == "Table":
            if _strip_rows(current.get(key)) != _strip_rows(value):
                return False
        elif current.get(key) != value:
            return False
    return True


def export(ctx, doctype: str, path: Path | None = None) -> Path:
    meta = ctx.registry.get(doctype)
    records = []
    for doc in query.iter_all(ctx, doctype):
        record = {k: v for k, v in doc.items() if k not in STANDARD_FIELDS or k == "name"}
        for f in meta.table_fields:
            record[f.fieldname] = _strip_rows(record.get(f.fieldname))
        records.append(record)
    path = Path(path or Path("fixtures") / f"{meta.collection}.json")
    path.write_text(json.dumps({"doctype": doctype, "records": records}, indent=1, ensure_ascii=False, default=str) + "\n")
    return path
