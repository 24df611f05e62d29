"""Importing records from CSV or XLSX, and exporting them as CSV or JSON.

Every row goes through the full lifecycle (coercion, validation, hooks, naming, audit). Valid
rows are stored; each bad row is reported with its line in the file, the field and the
reason, and stores nothing. Child tables are given as a JSON list in one cell.

An import can be run again over the same file (after a crash, or a retried job): each record
an import makes carries the file's SHA-256 and its line (``FILE_KEY``, ``LINE_KEY``, unique
together), so a row already imported is not made twice; the follow-up work an interrupted run left
pending on its record is done (an officer's learner account, ``lifecycle.resume``), and
the controller may recount what counts such rows (the MDO dashboard's
officers onboarded). Such rows are reported as already imported.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from app import heap, query
from app.errors import IgotError, ValidationError
from app.model import lifecycle, schemas

FILE_KEY, LINE_KEY = "_import_file", "_import_line"


@dataclass
class RowError:
    line: int
    field: str
    message: str

    def __str__(self):
        return f"line {self.line}: {self.field}: {self.message}"


@dataclass
class ImportResult:
    inserted: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    resumed: list[str] = field(default_factory=list)  # rows an earlier run of this file had imported

    @property
    def failed_lines(self) -> list[int]:
        return sorted({e.line for e in self.errors})


def read_rows(path: Path) -> list[tuple[int, dict]]:
    """(line number, row) pairs; line numbers as a spreadsheet shows them (header is 1)."""
    path = Path(path)
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        sheet = book.active
        rows = sheet.iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, [])]
        out = []
        for line, values in enumerate(rows, start=2):
            if values is None or all(v is None for v in values):
                continue
            out.append((line, {h: v for h, v in zip(header, values) if h}))
        return out
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        return [
            (reader.line_num, {k.strip(): v for k, v in row.items() if k})
            for row in reader
            if any((v or "").strip() for v in row.values() if isinstance(v, str))
        ]


def header_map(meta) -> dict[str, str]:
    """Column headings an import accepts, lower-cased, to fieldnames: the fieldname, the
    label, and the field's ``aliases`` (so an MDO's staff list with "Name", "Date of Birth",
    "Office PIN Code" columns imports as it is)."""
    out: dict[str, str] = {}
    for f in meta.all_fields:
        for heading in (*f.aliases, f.label, f.fieldname):
            if heading:
                out[heading.strip().lower()] = f.fieldname
    for f in meta.all_fields:
        out[f.fieldname] = f.fieldname
    return out


# The template's example row starts with this; a file's rows that do are not imported.
EXAMPLE = "(example)"
# Columns the rejected-rows file puts in front of each row (its line in the upload and why it
# was refused): a corrected file is uploaded again as it is, and they are left out.
REJECTED_COLUMNS = ("line", "errors")


def heading(key: str) -> str:
    """A column heading as the template writes it, without its required mark ("Full Name *")."""
    return key.strip().rstrip("*").strip()


def _prepare(meta, row: dict, headings: dict | None = None) -> dict:
    out = {}
    headings = headings if headings is not None else header_map(meta)
    for key, value in row.items():
        plain = heading(key)
        if plain.lower() in REJECTED_COLUMNS and plain.lower() not in headings:
            continue
        key = headings.get(plain, headings.get(plain.lower(), plain))
        f = meta.get_field(key)
        if f is not None and f.fieldtype == "Table" and isinstance(value, str):
            value = json.loads(value) if value.strip() else []
        if f is not None and f.fieldtype == "Date" and hasattr(value, "date"):
            value = value.date()
        if f is not None and f.fieldtype == "Int" and isinstance(value, float) and value.is_integer():
            value = int(value)
        if (
            f is not None
            and f.fieldtype in ("Data", "Phone", "Text")
            and isinstance(value, (int, float))
            and not isinstance(value, bool)
        ):  # a spreadsheet's number cell: a PIN code, an employee id
            value = str(int(value)) if float(value).is_integer() else str(value)
        out[key] = value
    return out


def read_file(path: Path) -> list[tuple[int, dict]]:
    """``read_rows``, with a file that cannot be read as CSV or XLSX refused as a whole
    (ValidationError naming the file and the reason) before anything is stored."""
    import zipfile

    path = Path(path)
    try:
        return [(line, row) for line, row in read_rows(path) if not _example(row)]
    except (zipfile.BadZipFile, UnicodeDecodeError, csv.Error, ValueError, KeyError, OSError) as exc:
        kind = "XLSX" if path.suffix.lower() in (".xlsx", ".xlsm") else "CSV (UTF-8)"
        raise ValidationError(
            f"{path.name} is not a readable {kind} file: {exc}", errors={"file": [f"not a readable {kind} file: {exc}"]}
        ) from None


def _example(row: dict) -> bool:
    return any(isinstance(v, str) and v.startswith(EXAMPLE) for v in row.values())


def headings_for(ctx, meta) -> dict[str, str]:
    """The heading map for the caller: the doctype's fields and their MDOs' custom fields. A
    column matching none is passed on as it is, and every row reports it as unknown."""
    from app.model import customize

    return header_map(customize.query_meta(ctx, meta))


def import_file(ctx, doctype: str, path: Path, progress=None, defaults: dict | None = None) -> ImportResult:
    """Import every row; ``defaults`` fill fields a row leaves empty (e.g. the MDO of a
    nodal officer's staff list)."""
    with heap.bulk_work():
        return _import_file(ctx, doctype, path, progress, defaults)


def _import_file(ctx, doctype: str, path: Path, progress, defaults: dict | None) -> ImportResult:
    import hashlib

    meta = ctx.registry.get(doctype)
    ctx.access.check(meta, "import")
    rows = read_file(path)
    headings = headings_for(ctx, meta)
    result = ImportResult(rows=len(rows))
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    coll = ctx.site.collection(doctype)
    done = {d[LINE_KEY]: d for d in coll.find({FILE_KEY: digest}, {LINE_KEY: 1, "mdo": 1})}
    # an earlier run's batches whose follow-up was cut off, or that were never written
    lifecycle.resume_batches_from(ctx.site, digest)
    # Rows are inserted in batches (lifecycle.insert_many): the same rules and per-row errors as
    # one by one, with Link and unique checks, names, writes and follow-up done per batch.
    prepared: list[tuple[int, dict]] = []
    for line, row in rows:
        if line in done:
            _resume(ctx, meta, done[line]["_id"])
            result.resumed.append(done[line]["_id"])
            if progress:
                progress(1)
            continue
        try:
            data = _prepare(meta, row, headings)
        except json.JSONDecodeError as exc:
            result.errors.append(RowError(line, "(table)", f"child rows must be a JSON list: {exc}"))
            if progress:
                progress(1)
            continue
        for key, value in (defaults or {}).items():
            if data.get(key) in (None, ""):
                data[key] = value
        prepared.append((line, data))
    outcomes = lifecycle.insert_many(
        ctx,
        doctype,
        [data for _, data in prepared],
        keys=[{FILE_KEY: digest, LINE_KEY: line} for line, _ in prepared],
        progress=progress,
        source=digest,
    )
    for (line, _), outcome in zip(prepared, outcomes, strict=True):
        if isinstance(outcome, IgotError):
            result.errors.extend(_row_errors(line, outcome))
        else:
            result.inserted.append(outcome.name)
    result.errors.sort(key=lambda e: e.line)
    if result.resumed:
        meta.controller().import_resumed(ctx.as_system(), [d for d in done.values() if d["_id"] in set(result.resumed)])
    return result


def _resume(ctx, meta, name: str) -> None:
    """A row an earlier run imported: if the run stopped before its record's follow-up work
    was done (the record still marks it pending), do it now."""
    raw = ctx.site.collection(meta.name).find_one({"_id": name})
    if raw is not None:
        lifecycle.resume(ctx.site, meta, raw)


def _row_errors(line: int, exc: IgotError) -> list[RowError]:
    if not exc.errors:
        return [RowError(line, "(record)", exc.message)]
    out = []
    for fieldname, messages in exc.errors.items():
        if isinstance(messages, dict):
            for row, row_errors in messages.items():
                for child_field, msgs in row_errors.items():
                    out.append(RowError(line, f"{fieldname}[{row}].{child_field}", "; ".join(map(str, msgs))))
        else:
            out.append(RowError(line, fieldname, "; ".join(map(str, messages))))
    return out


def export_rows(ctx, doctype: str, fmt: str = "csv", filters=None) -> str:
    meta = ctx.registry.get(doctype)
    docs = list(query.iter_all(ctx, doctype, filters=filters))
    if fmt == "json":
        return json.dumps([schemas.dump_value(d) for d in docs], indent=1, ensure_ascii=False) + "\n"
    if fmt != "csv":
        raise ValueError(f"unknown format {fmt!r}: use csv or json")
    from app.model import customize

    fields = customize.query_meta(ctx, meta).all_fields  # with the caller's MDOs' custom fields
    columns = ["name"] + [f.fieldname for f in fields] + ["owner", "creation", "modified", "modified_by", "docstatus"]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for doc in docs:
        row = {}
        for key in columns:
            value = schemas.dump_value(doc.get(key))
            row[key] = csv_cell(json.dumps(value, ensure_ascii=False) if isinstance(value, (list, dict)) else value)
        writer.writerow(row)
    return buffer.getvalue()


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """A cell a spreadsheet shows as the text it is: a text starting like a formula (``=``,
    ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading apostrophe, so
    ``=HYPERLINK(...)`` or ``+cmd|' /C calc'!A0`` is never run when the file is opened."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
