"""Files: upload, download (through what a file belongs to, ``app.model.attachments``), and
uploads straight into a record's Attach field.

    POST   /api/file                                upload (multipart "file"; optional "accept")
    GET    /api/file/<id>                           download
    POST   /api/resource/<DocType>/<name>/attach/<field>    upload into an Attach field and save
"""

from __future__ import annotations

from flask import Response, jsonify, request

from app import files
from app.errors import ValidationError
from app.model import attachments, lifecycle

from .common import api, ctx, doc_json, not_child, site


@api.post("/file")
def upload_file():
    upload = _upload()
    accept = [k.strip() for k in (request.form.get("accept") or "").split(",") if k.strip()] or None
    known = files.kinds(site())
    unknown = sorted(set(accept or ()) - set(known))
    if unknown:
        raise ValidationError(
            f"accept: unknown kind {', '.join(unknown)}; known: {', '.join(known)}",
            errors={"accept": [f"unknown kind {', '.join(unknown)}"]},
        )
    file_id = files.store(ctx(), upload.stream, upload.filename, upload.mimetype, accept=accept)
    return jsonify({"data": _file_info(file_id)}), 201


def _upload():
    upload = request.files.get("file")
    if upload is None:
        raise ValidationError("send the file as multipart form field 'file'", errors={"file": ["missing"]})
    return upload


def _file_info(file_id) -> dict:
    stored = files.info(site(), file_id)
    meta = stored.get("metadata") or {}
    out = {
        "file_id": str(file_id),
        "filename": stored["filename"],
        "size": stored["length"],
        "content_type": meta.get("content_type"),
        "kind": meta.get("kind"),
    }
    out.update({k: meta[k] for k in meta.get("described_as", ()) if k in meta})  # a SCORM package's description
    return out


@api.post("/resource/<doctype>/<path:name>/attach/<fieldname>")
def attach_file(doctype, name, fieldname):
    """Upload a file into a record's Attach field and save the record: the file is checked
    against what the field accepts for this record (a SCORM Package module takes only a good
    SCORM package), and the record keeps its old file if anything is refused."""
    not_child(doctype)
    c = ctx()
    doc = lifecycle.get(c, doctype, name)
    field = doc.meta.fields_by_name.get(fieldname)
    if field is None or field.fieldtype != "Attach":
        raise ValidationError.for_fields(doctype, name, {fieldname: [f"{doctype} has no Attach field {fieldname!r}."]})
    c.access.check(doc.meta, "write", doc.as_dict())
    upload = _upload()
    file_id = files.store(
        c,
        upload.stream,
        upload.filename,
        upload.mimetype,
        accept=files.accepted(field, doc.as_dict()),
        doctype=doctype,
        name=name,
        field=fieldname,
    )
    try:
        saved = lifecycle.save(c, doctype, name, {fieldname: file_id})
    except Exception:
        files.discard(site(), file_id)  # the record refused it: keep nothing
        raise
    return jsonify({"data": doc_json(saved), "file": _file_info(file_id)})


@api.get("/file/<file_id>")
def download_file(file_id):
    """A stored file, if the caller may read what it belongs to (``app.model.attachments``);
    ``?inline=1`` shows it in the browser when it is a kind a browser shows safely (a PDF, an
    image, a video), and downloads it otherwise."""
    return file_response(attachments.open_for(ctx(), file_id), inline=request.args.get("inline") == "1")


def file_response(stored, inline: bool = False) -> Response:
    """A stored file as a download (or shown inline, for the safe kinds): its found content
    type, a safe Content-Disposition, and no sniffing by the browser."""
    content_type = (stored.metadata or {}).get("content_type") or "application/octet-stream"
    shown = inline and content_type in files.PREVIEWABLE

    def chunks():
        with stored:
            while block := stored.read(files.CHUNK):
                yield block

    return Response(
        chunks(),
        mimetype=content_type,
        headers={
            "Content-Disposition": files.content_disposition(stored.filename, "inline" if shown else "attachment"),
            "Content-Length": str(stored.length),
            "X-Content-Type-Options": "nosniff",
        },
    )
