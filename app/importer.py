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

The columns are checked once, before any row: a heading that is no field's label, alias or
name refuses the file as a whole, with the nearest heading suggested ("Year of Allotment":
did you mean "Year of Allotment / Joining"?), rather than every row failing alike.

A row for a record that already exists (the doctype's ``import_match`` fields: an officer's
e-mail or employee id) is refused as a duplicate, or, when the caller asks for it
(``update=True``), updates that record through the same lifecycle as an edit. A Link cell may
name the linked record by its title (a position by "Section Officer") where that title names
one record the caller may read.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from app import heap, query
from app.errors import IgotError, ValidationError
from app.model import lifecycle, schemas, validation

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
    updated: list[str] = field(default_factory=list)  # existing records the file's rows updated (update=True)

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


def unknown_headings(meta, keys, headings: dict) -> list[tuple[str, str | None]]:
    """The file's column headings no field answers to, each with the nearest heading the
    doctype accepts (its label, or an alias, as written), or None when nothing is near."""
    offered: dict[str, str] = {}
    for f in meta.all_fields:
        for name in (f.label, *f.aliases):
            if name:
                offered.setdefault(name.strip().lower(), name.strip())
    out = []
    for key in keys:
        plain = heading(key)
        if not plain or plain in headings or plain.lower() in headings or plain.lower() in REJECTED_COLUMNS:
            continue
        near = difflib.get_close_matches(plain.lower(), list(offered), n=1, cutoff=0.6)
        if not near:  # a heading cut short ("Year of Allotment" for "... / Joining")
            near = [o for o in offered if o.startswith(plain.lower()) or plain.lower().startswith(o)][:1]
        out.append((plain, offered[near[0]] if near else None))
    return out


def check_headings(meta, keys, headings: dict, filename: str = "the file") -> None:
    """Refuse the whole file, before any row, when a column heading is unknown: one message
    per column, with the nearest accepted heading, instead of the same error on every row."""
    unknown = unknown_headings(meta, keys, headings)
    if not unknown:
        return
    lines = []
    for plain, near in unknown:
        hint = f': did you mean "{near}"?' if near else f": {meta.name} has no such field."
        lines.append(f'Column "{plain}" is not known{hint}')
    raise ValidationError(
        f"{filename}: nothing was imported. " + " ".join(lines) + " Rename the column and upload the file again.",
        doctype=meta.name,
        errors={"columns": lines},
    )


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


def check_file(ctx, doctype: str, path: Path) -> list[tuple[int, dict]]:
    """The file's rows, once it is readable and its columns are all known (``check_headings``):
    what a screen or a command checks before it imports, or queues, anything."""
    meta = ctx.registry.get(doctype)
    rows = read_file(path)
    keys = list(dict.fromkeys(k for _, row in rows for k in row))
    check_headings(customize_meta(ctx, meta), keys, headings_for(ctx, meta), Path(path).name)
    return rows


def _example(row: dict) -> bool:
    return any(isinstance(v, str) and v.startswith(EXAMPLE) for v in row.values())


def headings_for(ctx, meta) -> dict[str, str]:
    """The heading map for the caller: the doctype's fields and their MDOs' custom fields. A
    column matching none is passed on as it is, and every row reports it as unknown."""
    from app.model import customize

    return header_map(customize.query_meta(ctx, meta))


def import_file(ctx, doctype: str, path: Path, progress=None, defaults: dict | None = None, update: bool = False) -> ImportResult:
    """Import every row; ``defaults`` fill fields a new record's row leaves empty (e.g. the
    MDO of a nodal officer's staff list); ``update``: a row for a record that exists updates it."""
    with heap.bulk_work():
        return _import_file(ctx, doctype, path, progress, defaults, update)


def _import_file(ctx, doctype: str, path: Path, progress, defaults: dict | None, update: bool = False) -> ImportResult:
    import hashlib

    meta = ctx.registry.get(doctype)
    ctx.access.check(meta, "import")
    rows = check_file(ctx, doctype, path)
    headings = headings_for(ctx, meta)
    result = ImportResult(rows=len(rows))
    links = _LinkTitles(ctx, meta)
    match = _Matcher(ctx, meta)
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
        problem = links.resolve(data, defaults)
        existing, clash = match.find(data)
        problem = problem or clash
        if problem is None and existing and not update:
            problem = RowError(
                line,
                existing[1],
                f"{meta.name} {existing[0]} already has {data[existing[1]]!r}: choose to update existing records "
                "to change it from this file",
            )
        if problem is not None:
            result.errors.append(RowError(line, problem.field, problem.message))
            if progress:
                progress(1)
            continue
        if existing:
            data.pop(existing[1])  # the value it was found by, as the row writes it ("Asha.Rao@...")
            _update(ctx, meta, existing[0], data, line, result)
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


def customize_meta(ctx, meta):
    """The doctype with the caller's MDOs' custom fields, whose labels a file may use."""
    from app.model import customize

    return customize.query_meta(ctx, meta)


def _update(ctx, meta, name: str, data: dict, line: int, result: ImportResult) -> None:
    """An existing record updated from a row: its non-empty cells, through the lifecycle."""
    changes = {k: v for k, v in data.items() if v not in (None, "")}
    try:
        lifecycle.save(ctx, meta.name, name, changes)
    except IgotError as exc:
        result.errors.extend(_row_errors(line, exc))
    else:
        result.updated.append(name)


class _Matcher:
    """Finds the record a row stands for among those the caller may read, by the doctype's
    ``import_match`` fields (an officer's e-mail, then employee id)."""

    def __init__(self, ctx, meta):
        self.ctx, self.meta = ctx, meta
        self.fields = [f for f in meta.import_match if meta.get_field(f) is not None]

    def find(self, data: dict) -> tuple[tuple[str, str] | None, RowError | None]:
        """((name, field) of the existing record, None), or (None, an error) when the row's
        fields name two different records."""
        found: dict[str, str] = {}
        for fieldname in self.fields:
            value = data.get(fieldname)
            if value in (None, ""):
                continue
            loaded, errors = validation.coerce(self.ctx, self.meta, {fieldname: value})
            if errors.get(fieldname) or loaded.get(fieldname) in (None, ""):
                continue  # the row's own check reports it
            value = loaded[fieldname]
            # as the unique check compares: a controller may store it trimmed or lower-cased (an e-mail)
            variants = list({value, value.strip(), value.strip().lower()}) if isinstance(value, str) else [value]
            for name in _names(self.ctx, self.meta, [[fieldname, "in", variants]], 2):
                found.setdefault(name, fieldname)
        if len(found) > 1:
            names = ", ".join(f"{n} (by {self.meta.get_field(f).label})" for n, f in found.items())
            return None, RowError(0, self.fields[0], f"the row matches different records: {names}")
        return (next(iter(found.items())) if found else None), None


class _LinkTitles:
    """A Link cell that names a record by its title ("Section Officer" for a Position) is
    given that record's name, when the title names exactly one record the caller may read
    (in the row's MDO, where the linked doctype has MDOs)."""

    def __init__(self, ctx, meta):
        self.ctx, self.meta = ctx, meta
        self.fields = [f for f in meta.link_fields if ctx.registry.get(f.options).title_field]
        self.cache: dict = {}

    def resolve(self, data: dict, defaults: dict | None) -> RowError | None:
        for f in self.fields:
            value = data.get(f.fieldname)
            if not isinstance(value, str) or not value.strip():
                continue
            target = self.ctx.registry.get(f.options)
            mdo = data.get("mdo") or (defaults or {}).get("mdo")
            key = (f.fieldname, value, mdo if target.is_tenant else None)
            if key not in self.cache:
                self.cache[key] = self._lookup(target, value.strip(), key[2])
            names = self.cache[key]
            if names is None:
                continue  # a name, or nothing known: the lifecycle's Link check speaks
            if len(names) > 1:
                return RowError(
                    0,
                    f.fieldname,
                    f"{value!r} is the title of {len(names)} {target.name} records ({', '.join(names)}): give the id",
                )
            data[f.fieldname] = names[0]
        return None

    def _lookup(self, target, value: str, mdo) -> list[str] | None:
        if self.ctx.site.collection(target.name).count_documents({"_id": value}, limit=1):
            return None
        filters = [[target.title_field, "=", value]]
        if mdo and target.is_tenant:
            filters.append([target.tenant_field, "=", mdo])
        try:
            return _names(self.ctx, target, filters, 5) or None
        except IgotError:  # a doctype the caller may not read: the Link check speaks
            return None


def _names(ctx, meta, filters, limit: int) -> list[str]:
    """The names of up to ``limit`` records the caller may read that match ``filters``, in no
    order (a lookup, not a list)."""
    ctx.access.check(meta, "read")
    found = ctx.site.collection(meta.name).find(query.build_query(ctx, meta, filters), {"_id": 1}).limit(limit)
    return [d["_id"] for d in found]


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


def rejected_csv(rows: dict, errors, labels: dict | None = None) -> str:
    """The rejected rows as they were uploaded, with their line and errors in front (by the
    columns' labels): corrected, the file is uploaded again as it is. The screen offers it for download;
    ``igot import`` writes it beside the file."""
    by_line: dict[int, list[str]] = {}
    for error in errors:
        by_line.setdefault(error.line, []).append(f"{(labels or {}).get(error.field, error.field)}: {error.message}")
    columns = []
    for line in by_line:
        columns += [k for k in rows.get(line, {}) if k not in columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([csv_cell(c) for c in ["line", "errors"] + columns])
    for line in sorted(by_line):
        row = rows.get(line, {})
        writer.writerow([line, csv_cell(" | ".join(by_line[line]))] + [csv_cell(row.get(c, "")) for c in columns])
    return buffer.getvalue()
