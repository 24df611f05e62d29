"""Settings → Data Import."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose

from app.errors import IgotError, PermissionDenied
from app.model import customize

from .common import Guarded, user_ctx

BACKGROUND_ROWS = 2000  # files with this many rows or more are imported as a background job


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

    def _fields(self, ctx, doctype) -> list:
        """The fields a file may fill: the doctype's, with the user's MDO's custom fields."""
        base = ctx.registry.get(doctype)
        mdos = sorted(ctx.access.mdos)
        meta = customize.effective_meta(ctx, base, mdos[0]) if base.is_tenant and len(mdos) == 1 else base
        return [f for f in meta.all_fields if not f.read_only and not f.hidden and f.fieldname != "amended_from"]

    def _first(self, ctx, doctypes: list[str]) -> str:
        """The doctype the page opens on: the one the user last imported or chose, else the
        one the meta says is imported most (``import_first``: the staff list)."""
        from flask import session

        last = session.get("igot_import_doctype")
        if last in doctypes:
            return last
        return next((d for d in doctypes if ctx.registry.get(d).import_first), doctypes[0])

    @expose("/", methods=("GET", "POST"))
    def index(self):
        ctx = user_ctx()
        doctypes = self._doctypes(ctx)
        doctype = request.values.get("doctype") or self._first(ctx, doctypes)
        if doctype not in doctypes:
            return self.render("igot/not_permitted.html", message=f"You may not import {doctype}."), 403
        from flask import session

        session["igot_import_doctype"] = doctype
        meta = ctx.registry.get(doctype)
        result, rejected_id = None, None
        update = request.method == "POST" and bool(request.form.get("update_existing"))
        if request.method == "POST":
            upload = request.files.get("file")
            if upload is None or not upload.filename:
                flash("Choose a CSV or XLSX file to upload.", "error")
            else:
                result, rejected_id = self._run(ctx, doctype, upload, update)
                if hasattr(result, "status_code"):  # queued: the job's page
                    return result
        return self.render(
            "igot/import.html",
            doctypes=doctypes,
            doctype=doctype,
            fields=self._fields(ctx, doctype),
            result=result,
            labels={f.fieldname: f.label for f in self._fields(ctx, doctype)},
            rejected_id=rejected_id,
            update=update,
            match_labels=[f.label for f in map(meta.get_field, meta.import_match) if f is not None],
        )

    def _run(self, ctx, doctype, upload, update: bool = False):
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
                rows = dict(importer.check_file(ctx, doctype, path))
                mdos = sorted(ctx.access.mdos)
                meta = ctx.registry.get(doctype)
                single = {"mdo": mdos[0]} if meta.is_tenant and meta.tenant_field == "mdo" and len(mdos) == 1 else None
                if len(rows) >= BACKGROUND_ROWS:  # a big staff list: a background job, followed on its page
                    return self._queue(ctx, doctype, path, upload.filename, single, update), None
                result = importer.import_file(ctx, doctype, path, defaults=single, update=update)
            except IgotError as exc:  # an unreadable file or unknown columns: say so, store nothing
                flash(exc.message.replace(path.name, upload.filename), "error")
                return None, None
        rejected_id = None
        if result.errors:
            from app import files

            labels = {f.fieldname: f.label for f in self._fields(ctx, doctype)}
            rejected_id = files.put(
                ctx,
                importer.rejected_csv(rows, result.errors, labels).encode(),
                f"{doctype} rejected rows.csv",
                content_type="text/csv",
                kind="import-rejected",
            )
        updated = f"{len(result.updated)} updated, " if result.updated else ""
        flash(
            f"{len(result.inserted)} imported, {updated}{len(result.failed_lines)} rejected of {result.rows} rows.",
            "success" if not result.errors else "warning",
        )
        return result, rejected_id

    def _queue(self, ctx, doctype, path, filename, single, update: bool = False):
        from app import files, jobs

        with open(path, "rb") as stream:
            file_id = files.store(ctx, stream, filename, accept=["text", "spreadsheet"])
        job = jobs.submit(
            ctx,
            "import",
            {"doctype": doctype, "file": file_id, "filename": filename, "mdo": (single or {}).get("mdo"), "update": update},
            label=f"Import {doctype} from {filename}",
        )
        flash(
            f"{filename} is large: it is being imported in the background as {job.name}. Its progress and result "
            f"(with the rejected rows and why) are on this page.",
            "info",
        )
        return redirect(url_for("background_job.details_view", id=job.name))

    @expose("/template/")
    def template(self):
        """A file to fill: the columns by label, required ones marked "*", one example row
        (left out when the file is imported), and in XLSX each Select field's values offered
        as a list (data validation)."""
        import csv
        import io

        from flask import Response

        ctx = user_ctx()
        doctype = request.args.get("doctype", "")
        if doctype not in self._doctypes(ctx):
            return self.render("igot/not_permitted.html", message=f"You may not import {doctype}."), 403
        fields = self._fields(ctx, doctype)
        headings = [f"{f.label} *" if f.reqd else f.label for f in fields]
        example = [_example_value(ctx, f, first=i == 0) for i, f in enumerate(fields)]
        if request.args.get("format") == "xlsx":
            return _xlsx_template(doctype, fields, headings, example)
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(headings)
        writer.writerow(example)
        return Response(
            buffer.getvalue(), mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{doctype}.csv"'}
        )

    @expose("/rejected/<file_id>")
    def rejected(self, file_id):
        from app.errors import NotFound
        from app.model import attachments
        from app.web.files import file_response

        try:
            stored = attachments.open_for(user_ctx(), file_id)
        except NotFound:
            stored = None
        if stored is None or (stored.metadata or {}).get("kind") != "import-rejected":
            flash("That file is not yours or no longer exists.", "error")
            return redirect(url_for(".index"))
        return file_response(stored)


def _example_value(ctx, f, first: bool = False) -> str:
    """An example of what a column takes; the first column's carries the example mark."""
    from app.importer import EXAMPLE

    kind = f.fieldtype
    if kind == "Select" and f.select_options:
        value = f.select_options[0]
    elif kind == "Check":
        value = "Yes"
    elif kind == "Date":
        value = "15/08/2020"
    elif kind in ("Int", "Float", "Currency", "Percent"):
        value = "2015" if "year" in f.fieldname else "1"
    elif kind == "Link":
        value = _first_record(ctx, f.options)
    elif kind == "Table":
        value = "[]"
    elif "email" in f.fieldname or kind == "Email":
        value = "name.surname@ministry.gov.in"
    else:
        value = f.label
    return f"{EXAMPLE} {value}" if first else value


def _first_record(ctx, doctype: str) -> str:
    from app import query

    try:
        rows, _ = query.get_list(ctx, doctype, fields=["name"], limit=1, with_total=False)
    except IgotError:
        return ""
    return rows[0]["name"] if rows else ""


def _xlsx_template(doctype: str, fields, headings: list[str], example: list[str]):
    import io

    import openpyxl
    from flask import Response
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = doctype[:31]
    sheet.append(headings)
    sheet.append(example)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    lists = book.create_sheet("Allowed values")
    lists.sheet_state = "hidden"
    for i, f in enumerate(fields, start=1):
        column = get_column_letter(i)
        sheet.column_dimensions[column].width = max(12, min(40, len(headings[i - 1]) + 4))
        options = f.select_options if f.fieldtype == "Select" else ["Yes", "No"] if f.fieldtype == "Check" else None
        if f.fieldtype == "Date":
            for row in range(2, 1002):
                sheet[f"{column}{row}"].number_format = "@"  # typed as text: 15/08/2020 stays as written
        if not options:
            continue
        # the values on a hidden sheet (a list written into the rule is limited to 255 characters)
        for r, option in enumerate(options, start=1):
            lists.cell(row=r, column=i, value=option)
        rule = DataValidation(
            type="list",
            formula1=f"='Allowed values'!${column}$1:${column}${len(options)}",
            allow_blank=not f.reqd,
            showErrorMessage=True,
            errorTitle=f.label,
            error=f"{f.label}: choose one of the listed values.",
        )
        sheet.add_data_validation(rule)
        rule.add(f"{column}3:{column}5000")
    buffer = io.BytesIO()
    book.save(buffer)
    return Response(
        buffer.getvalue(),
        headers={"Content-Disposition": f'attachment; filename="{doctype}.xlsx"'},
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
