"""Attachments: stored in GridFS, on every store, by the one function the API and the admin
use (``store``). The caller must be allowed to upload (``Access.check_upload``).

An upload is refused, and nothing is stored, when

- it is larger than the installation's limit (``IGOT_MAX_UPLOAD_MB``, default 500): it is
  copied to a temporary file a megabyte at a time and the copy stops at the limit, so a
  large upload is never held in memory;
- its content is a program (Windows, Linux or macOS executable, or a script), whatever its
  name says;
- its content contradicts its name (``report.pdf`` that is not a PDF);
- the field expects some kinds of file and this is none of them (``accept``);
- it should be a SCORM package and is not a good one (``app.scorm``).

A file's kind is read from its content (the ``filetype`` library's signatures, plus the
executable and text checks below), never from the name or the type the browser declared.
Only then is the temporary copy streamed into GridFS; ``fs.files`` keeps the content type
found, the kind, the size, the uploader and, for a package, its SCORM description.
"""
from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import PurePath

from app.errors import ValidationError

CHUNK = 1 << 20
HEAD = 8192

# The kinds of file an Attach field's ``accept`` may name.
KINDS = {
    "pdf": "a PDF", "video": "a video", "audio": "an audio file", "image": "an image",
    "zip": "a zip archive", "scorm": "a SCORM package", "spreadsheet": "a spreadsheet",
    "document": "a document", "text": "a text file", "binary": "a binary file",
}
_BY_MIME = {
    "application/pdf": "pdf", "application/zip": "zip", "application/epub+zip": "zip",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "spreadsheet",
    "application/vnd.ms-excel": "spreadsheet", "application/vnd.oasis.opendocument.spreadsheet": "spreadsheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "document",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "document",
    "application/msword": "document", "application/vnd.oasis.opendocument.text": "document",
    "application/rtf": "document",
}
# What a file's name promises, checked against what its content is.
_BY_SUFFIX = {
    ".pdf": {"pdf"}, ".mp4": {"video"}, ".m4v": {"video"}, ".webm": {"video"}, ".mkv": {"video"}, ".mov": {"video"},
    ".avi": {"video"}, ".mp3": {"audio"}, ".wav": {"audio"}, ".ogg": {"audio", "video"}, ".m4a": {"audio", "video"},
    ".png": {"image"}, ".jpg": {"image"}, ".jpeg": {"image"}, ".gif": {"image"}, ".webp": {"image"},
    ".zip": {"zip", "scorm", "spreadsheet", "document"}, ".xlsx": {"spreadsheet", "zip"}, ".docx": {"document", "zip"},
    ".pptx": {"document", "zip"}, ".csv": {"text"}, ".txt": {"text"}, ".md": {"text"}, ".json": {"text"},
    ".xml": {"text"}, ".html": {"text"}, ".htm": {"text"},
}
_PROGRAMS = {b"MZ": "application/x-msdownload", b"\x7fELF": "application/x-executable",
             b"\xfe\xed\xfa\xce": "application/x-mach-binary", b"\xfe\xed\xfa\xcf": "application/x-mach-binary",
             b"\xce\xfa\xed\xfe": "application/x-mach-binary", b"\xcf\xfa\xed\xfe": "application/x-mach-binary",
             b"\xca\xfe\xba\xbe": "application/x-mach-binary", b"#!": "text/x-shellscript"}


def limit_bytes(site) -> int:
    return int(site.config.max_upload_mb) * 2**20


def limit_text(site) -> str:
    return f"{site.config.max_upload_mb} MB"


def sniff(head: bytes) -> tuple[str, str]:
    """(content type, kind) of a file from its first bytes."""
    import filetype

    for magic, mime in _PROGRAMS.items():
        if head.startswith(magic):
            return mime, "program"
    guess = filetype.guess(head)
    if guess is not None:
        mime = guess.mime
        if mime in ("application/x-msdownload", "application/x-executable", "application/x-sharedlib",
                    "application/x-mach-binary", "application/vnd.microsoft.portable-executable"):
            return mime, "program"
        for prefix, kind in (("video/", "video"), ("audio/", "audio"), ("image/", "image")):
            if mime.startswith(prefix):
                return mime, kind
        return mime, _BY_MIME.get(mime, "binary")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "application/zip", "zip"
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
            return "text/plain", "text"
        except UnicodeDecodeError as exc:
            if exc.start >= len(head) - 4:  # a character cut at the end of the sample
                return "text/plain", "text"
    return "application/octet-stream", "binary"


def describe_accept(accept) -> str:
    return " or ".join(KINDS.get(k, k) for k in accept)


def store(ctx, stream, filename: str, content_type: str | None = None, *, accept=None,
          doctype: str | None = None, name: str | None = None, field: str = "file") -> str:
    """Check the upload in ``stream`` and store it; returns the GridFS file id.

    ``accept``: the kinds of file wanted (``KINDS``), or None for any file that is not a
    program. A refusal is a ValidationError naming the record (``doctype``, ``name``) and
    the ``field``; nothing is stored.
    """
    ctx.access.check_upload()
    filename = PurePath(filename or "upload").name
    limit = limit_bytes(ctx.site)

    def refuse(message: str):
        if doctype:
            return ValidationError.for_fields(doctype, name, {field: [message]})
        return ValidationError(message, errors={field: [message]})

    with tempfile.TemporaryFile() as spool:
        size = 0
        while True:
            block = stream.read(CHUNK)
            if not block:
                break
            size += len(block)
            if size > limit:
                raise refuse(f"{filename} is larger than the limit of {limit_text(ctx.site)}; nothing was stored")
            spool.write(block)
        if size == 0:
            raise refuse(f"{filename} is empty")
        spool.seek(0)
        mime, kind = sniff(spool.read(HEAD))
        if kind == "program":
            raise refuse(f"{filename} is a program ({mime}), whatever its name says; programs are not accepted")
        promised = _BY_SUFFIX.get(PurePath(filename).suffix.lower())
        if promised and kind not in promised and not (kind == "binary" and promised & {"audio", "video"}):
            raise refuse(f"{filename} is not what its name says: its content is {KINDS.get(kind, kind)} ({mime})")
        package = None
        if accept and "scorm" in accept and kind == "zip":
            from app import scorm

            spool.seek(0)
            try:
                package = scorm.inspect(spool, limit_bytes=limit, filename=filename)
            except scorm.PackageError as exc:
                raise refuse(str(exc)) from None
            kind = "scorm"
        if accept and kind not in accept:
            raise refuse(f"{filename} is {KINDS.get(kind, kind)} ({mime}); expected {describe_accept(accept)}")
        spool.seek(0)
        metadata = {"content_type": mime, "kind": kind, "declared_type": content_type or None, "owner": ctx.user}
        if package:
            metadata["scorm"] = package
        grid = ctx.site.store.files.new_file(filename=filename, metadata=metadata)
        try:
            shutil.copyfileobj(spool, grid, CHUNK)
            grid.close()
        except BaseException:
            grid.abort()
            raise
        return str(grid._id)


def info(site, file_id) -> dict | None:
    """The stored file's ``fs.files`` record (filename, length, metadata), or None."""
    from bson import ObjectId
    from bson.errors import InvalidId

    try:
        return site.db["fs.files"].find_one({"_id": ObjectId(file_id)})
    except (InvalidId, TypeError):
        return None


def accepted(meta_field, doc: dict) -> list[str] | None:
    """The kinds of file an Attach field accepts for this record (its meta ``accept``):
    a list, or a mapping from another field's value to a list. None: any file."""
    if not meta_field.accept:
        return None
    spec = json.loads(meta_field.accept)
    if isinstance(spec, list):
        return spec
    return spec["values"].get(doc.get(spec["by"])) or None
