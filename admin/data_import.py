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

    def _columns(self, ctx, doctype) -> list[str]:
        base = ctx.registry.get(doctype)
        mdos = sorted(ctx.access.mdos)
        meta = customize.effective_meta(ctx, base, mdos[0]) if base.is_tenant and len(mdos) == 1 else base
        return [f.fieldname for f in meta.all_fields if not f.read_only and f.fieldname != "amended_from"]

    @expose("/", methods=("GET", "POST"))
    def index(self):
        ctx = user_ctx()
        doctypes = self._doctypes(ctx)
        doctype = request.values.get("doctype") or doctypes[0]
        if doctype not in doctypes:
            return self.render("igot/not_permitted.html", message=f"You may not import {doctype}."), 403
        result, rejected_id = None, None
        if request.method == "POST":
            upload = request.files.get("file")
            if upload is None or not upload.filename:
                flash("Choose a CSV or XLSX file to upload.", "error")
            else:
                result, rejected_id = self._run(ctx, doctype, upload)
                if hasattr(result, "status_code"):  # queued: the job's page
                    return result
        return self.render(
            "igot/import.html",
            doctypes=doctypes,
            doctype=doctype,
            columns=self._columns(ctx, doctype),
            result=result,
            rejected_id=rejected_id,
        )

    def _run(self, ctx, doctype, upload):
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
                rows = dict(importer.read_file(path))
                mdos = sorted(ctx.access.mdos)
                meta = ctx.registry.get(doctype)
                single = {"mdo": mdos[0]} if meta.is_tenant and meta.tenant_field == "mdo" and len(mdos) == 1 else None
                if len(rows) >= BACKGROUND_ROWS:  # a big staff list: a background job, followed on its page
                    return self._queue(ctx, doctype, path, upload.filename, single), None
                result = importer.import_file(ctx, doctype, path, defaults=single)
            except IgotError as exc:  # an unreadable file or unknown columns: say so, store nothing
                flash(exc.message.replace(path.name, upload.filename), "error")
                return None, None
        rejected_id = None
        if result.errors:
            from app import files

            rejected_id = files.put(
                ctx,
                _rejected_csv(rows, result.errors).encode(),
                f"{doctype} rejected rows.csv",
                content_type="text/csv",
                kind="import-rejected",
            )
        flash(
            f"{len(result.inserted)} imported, {len(result.failed_lines)} rejected of {result.rows} rows.",
            "success" if not result.errors else "warning",
        )
        return result, rejected_id

    def _queue(self, ctx, doctype, path, filename, single):
        from app import files, jobs

        with open(path, "rb") as stream:
            file_id = files.store(ctx, stream, filename, accept=["text", "spreadsheet"])
        job = jobs.submit(
            ctx,
            "import",
            {"doctype": doctype, "file": file_id, "filename": filename, "mdo": (single or {}).get("mdo")},
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
        import csv
        import io

        from flask import Response

        ctx = user_ctx()
        doctype = request.args.get("doctype", "")
        if doctype not in self._doctypes(ctx):
            return self.render("igot/not_permitted.html", message=f"You may not import {doctype}."), 403
        columns = self._columns(ctx, doctype)
        if request.args.get("format") == "xlsx":
            import openpyxl

            book = openpyxl.Workbook()
            book.active.title = doctype[:31]
            book.active.append(columns)
            buffer = io.BytesIO()
            book.save(buffer)
            return Response(
                buffer.getvalue(),
                headers={"Content-Disposition": f'attachment; filename="{doctype}.xlsx"'},
                mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        buffer = io.StringIO()
        csv.writer(buffer).writerow(columns)
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


def _rejected_csv(rows: dict, errors) -> str:
    """The rejected rows as they were uploaded, with their line and errors in front."""
    import csv
    import io

    from app.importer import csv_cell

    by_line: dict[int, list[str]] = {}
    for error in errors:
        by_line.setdefault(error.line, []).append(f"{error.field}: {error.message}")
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
