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
- it should be of a kind a module checks (``app.registry.FileKind``: a SCORM package) and
  that module's check refuses it.

**What the platform serves, it measures** (``measure``): a PDF's number of pages (pypdf) and a
video's length in seconds (hachoir for MP4, MOV and M4V, whose movie header gives it, and for
WebM and Matroska, whose segment information does; mutagen for Ogg Theora, whose last page's
frame number does) are read at upload and kept in ``fs.files.metadata`` (``pages``,
``duration``), so the player's progress is checked against what the server knows, not what the
browser says. A file stored before, or whose figures could not be read, is read on first use
(``figures``) and the result kept. A module that needs the figures refuses a file without them
(``doctypes/content``); a receipt that merely is a PDF is not refused for it here.

A file's kind is read from its content (the ``filetype`` library's signatures, plus the
executable and text checks below), never from the name or the type the browser declared.
Only then is the temporary copy streamed into GridFS; ``fs.files`` keeps the content type
found, the kind, the size, the uploader and, for a package, its SCORM description.

**Who may read a stored file** (``open_for``). Every file belongs to something, kept in its
``fs.files.metadata``:

- ``attached``: the records and fields it is attached to, ``[{doctype, name, field}]``, added
  by the lifecycle when a record is written with the file in an Attach field (before the
  record's write, so a crash leaves at most a claim that the record does not confirm);
- ``job``: the background job that produced it (an export);
- ``owner``: the user who uploaded it.

Reading a file asks the access layer what reading its owner asks: the caller reads the
record (tenancy, role) and sees the field at their permission level, and the record still
holds this file in that field; or the caller reads the job's record; or the caller uploaded
it. A module may add readers for its doctypes (``Module.file_readers``: the catalogue lets
every signed-in user read a published module's file). Anything else is NotFound, as if the file did not
exist. File ids are random (96 bits), but they are not the control.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import tempfile
import unicodedata
from pathlib import PurePath
from urllib.parse import quote

from app.errors import NotFound, ValidationError

CHUNK = 1 << 20
HEAD = 8192

# The kinds of file an Attach field's ``accept`` may name.
KINDS = {
    "pdf": "a PDF",
    "video": "a video",
    "audio": "an audio file",
    "image": "an image",
    "zip": "a zip archive",
    "spreadsheet": "a spreadsheet",
    "document": "a document",
    "text": "a text file",
    "binary": "a binary file",
}
_BY_MIME = {
    "application/pdf": "pdf",
    "application/zip": "zip",
    "application/epub+zip": "zip",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "spreadsheet",
    "application/vnd.ms-excel": "spreadsheet",
    "application/vnd.oasis.opendocument.spreadsheet": "spreadsheet",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "document",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "document",
    "application/msword": "document",
    "application/vnd.oasis.opendocument.text": "document",
    "application/rtf": "document",
}
# What a file's name promises, checked against what its content is.
_BY_SUFFIX = {
    ".pdf": {"pdf"},
    ".mp4": {"video"},
    ".m4v": {"video"},
    ".webm": {"video"},
    ".mkv": {"video"},
    ".mov": {"video"},
    ".ogv": {"video"},
    ".avi": {"video"},
    ".mp3": {"audio"},
    ".wav": {"audio"},
    ".ogg": {"audio", "video"},
    ".m4a": {"audio", "video"},
    ".png": {"image"},
    ".jpg": {"image"},
    ".jpeg": {"image"},
    ".gif": {"image"},
    ".webp": {"image"},
    ".zip": {"zip", "spreadsheet", "document"},
    ".xlsx": {"spreadsheet", "zip"},
    ".docx": {"document", "zip"},
    ".pptx": {"document", "zip"},
    ".csv": {"text"},
    ".txt": {"text"},
    ".md": {"text"},
    ".json": {"text"},
    ".xml": {"text"},
    ".html": {"text"},
    ".htm": {"text"},
}
_PROGRAMS = {
    b"MZ": "application/x-msdownload",
    b"\x7fELF": "application/x-executable",
    b"\xfe\xed\xfa\xce": "application/x-mach-binary",
    b"\xfe\xed\xfa\xcf": "application/x-mach-binary",
    b"\xce\xfa\xed\xfe": "application/x-mach-binary",
    b"\xcf\xfa\xed\xfe": "application/x-mach-binary",
    b"\xca\xfe\xba\xbe": "application/x-mach-binary",
    b"#!": "text/x-shellscript",
}
# Names that Windows (or a browser, or a shell) runs when opened, whatever is inside: refused
# even when their content reads as plain text.
PROGRAM_SUFFIXES = {
    ".exe",
    ".com",
    ".bat",
    ".cmd",
    ".scr",
    ".pif",
    ".msi",
    ".msp",
    ".dll",
    ".cpl",
    ".sys",
    ".ocx",
    ".js",
    ".jse",
    ".mjs",
    ".vbs",
    ".vbe",
    ".wsf",
    ".wsh",
    ".wsc",
    ".hta",
    ".ps1",
    ".psm1",
    ".psd1",
    ".ps1xml",
    ".sh",
    ".bash",
    ".zsh",
    ".csh",
    ".ksh",
    ".command",
    ".py",
    ".pyw",
    ".pl",
    ".rb",
    ".php",
    ".jar",
    ".apk",
    ".dmg",
    ".pkg",
    ".deb",
    ".rpm",
    ".run",
    ".elf",
    ".lnk",
    ".reg",
    ".inf",
    ".scf",
    ".gadget",
    ".msc",
    ".appref-ms",
    ".application",
    ".xbap",
    ".vb",
}
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


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
    text = head
    for bom in _BOMS:
        if text.startswith(bom):
            text = text[len(bom) :]
            break
    if text.lstrip(b" \t\r\n\x00").startswith((b"#!", b"#\x00!")):  # a script behind a BOM or blanks
        return "text/x-shellscript", "program"
    if head.startswith(b"OggS") and b"\x80theora" in head[: 27 + 255 + 64]:  # Ogg whose first stream is Theora
        return "video/ogg", "video"
    guess = filetype.guess(head)
    if guess is not None:
        mime = guess.mime
        if mime in (
            "application/x-msdownload",
            "application/x-executable",
            "application/x-sharedlib",
            "application/x-mach-binary",
            "application/vnd.microsoft.portable-executable",
        ):
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


def kinds(site) -> dict[str, str]:
    """Every kind an Attach field's ``accept`` may name: the engine's, and the modules'
    (a SCORM package), with their words."""
    return {**KINDS, **{k.name: k.words for k in site.modules.all("file_kinds")}}


def describe_accept(accept, site=None) -> str:
    words = kinds(site) if site is not None else KINDS
    return " or ".join(words.get(k, k) for k in accept)


def store(
    ctx,
    stream,
    filename: str,
    content_type: str | None = None,
    *,
    accept=None,
    doctype: str | None = None,
    name: str | None = None,
    field: str = "file",
) -> str:
    """Check the upload in ``stream`` and store it; returns the GridFS file id.

    ``accept``: the kinds of file wanted (``KINDS``), or None for any file that is not a
    program. A refusal is a ValidationError naming the record (``doctype``, ``name``) and
    the ``field``; nothing is stored.
    """
    ctx.access.check_upload()
    filename = clean_filename(filename)
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
        suffix = PurePath(filename).suffix.lower()
        if suffix in PROGRAM_SUFFIXES:
            raise refuse(f"{filename}: {suffix} files are programs that run when opened; programs are not accepted")
        promised = _BY_SUFFIX.get(PurePath(filename).suffix.lower())
        refined = [k for k in ctx.site.modules.all("file_kinds") if accept and k.name in accept and k.from_kind == kind]
        if promised and kind not in promised and not (kind == "binary" and promised & {"audio", "video"}):
            raise refuse(f"{filename} is not what its name says: its content is {KINDS.get(kind, kind)} ({mime})")
        described = None
        for special in refined[:1]:  # a module's own kind (a SCORM package) checks its content
            spool.seek(0)
            try:
                described = special.inspect(spool, limit_bytes=limit, filename=filename)
            except ValueError as exc:
                raise refuse(str(exc)) from None
            kind = special.name
        if accept and kind not in accept:
            raise refuse(
                f"{filename} is {kinds(ctx.site).get(kind, kind)} ({mime}); expected {describe_accept(accept, ctx.site)}"
            )
        spool.seek(0)
        metadata = {"content_type": mime, "kind": kind, "declared_type": content_type or None, "owner": ctx.user}
        if described:  # kept under the kind's name (metadata.scorm), and shown with the upload
            metadata[kind] = described
            metadata["described_as"] = [kind]
        if kind in MEASURED:
            spool.seek(0)
            metadata.update(_measured(kind, mime, spool))
            spool.seek(0)
        grid = ctx.site.store.files.new_file(_id=new_id(), filename=filename, metadata=metadata)
        try:
            shutil.copyfileobj(spool, grid, CHUNK)
            grid.close()
        except BaseException:
            grid.abort()
            raise
        return str(grid._id)


def new_id():
    """A random ObjectId: a file's id tells nothing about when it was stored or what was
    stored before it."""
    from bson import ObjectId

    return ObjectId(secrets.token_bytes(12))


def put(ctx, data: bytes, filename: str, *, content_type: str, kind: str, job: str | None = None) -> str:
    """Store a file the platform made (an export, a certificate PDF, rejected rows) for the
    caller; ``job``: the background job that made it. Returns its id."""
    metadata = {"content_type": content_type, "kind": kind, "owner": ctx.user}
    if job:
        metadata["job"] = job
    return str(ctx.site.store.files.put(data, _id=new_id(), filename=clean_filename(filename), metadata=metadata))


def clean_filename(filename: str | None) -> str:
    """The last part of an uploaded name, without control characters (a header or a log line
    cannot be split by one)."""
    name = PurePath((filename or "").replace("\\", "/")).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    return name[:255] or "upload"


# What a browser may show in the page rather than download (never HTML or SVG, which can run
# script): the preview of an attachment in the back office.
PREVIEWABLE = {
    "application/pdf": "pdf",
    "image/png": "image",
    "image/jpeg": "image",
    "image/gif": "image",
    "image/webp": "image",
    "video/mp4": "video",
    "video/webm": "video",
    "audio/mpeg": "audio",
}


def size_text(n: int) -> str:
    """A file's size as people read it: 820 bytes, 14 KB, 3.2 MB."""
    if n < 1024:
        return f"{n} bytes"
    if n < 1024 * 1024:
        return f"{round(n / 1024)} KB"
    return f"{n / (1024 * 1024):.1f} MB"


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """A Content-Disposition header (RFC 6266) for any file name: an ASCII ``filename`` with
    everything unsafe replaced, and the exact name as UTF-8 in ``filename*`` (RFC 5987)."""
    name = clean_filename(filename)
    fallback = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    fallback = re.sub(r"[^A-Za-z0-9 ._()\-]", "_", fallback).strip() or "download"
    header = f'{disposition}; filename="{fallback}"'
    if fallback != name:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header


def parse_id(file_id):
    from bson import ObjectId
    from bson.errors import InvalidId

    try:
        return ObjectId(str(file_id))
    except (InvalidId, TypeError):
        return None


def claim(ctx, meta, doc: dict, old: dict | None = None) -> None:
    """Record that ``doc`` holds each file newly put in one of its Attach fields. Called
    before the record is written: a claim the record does not confirm grants nothing."""
    for f in meta.all_fields:
        if f.fieldtype != "Attach":
            continue
        value = doc.get(f.fieldname)
        if not value or (old is not None and old.get(f.fieldname) == value):
            continue
        oid = parse_id(value)
        if oid is not None:
            ctx.site.db["fs.files"].update_one(
                {"_id": oid},
                {"$addToSet": {"metadata.attached": {"doctype": meta.name, "name": doc["name"], "field": f.fieldname}}},
            )


def stored(site, file_id):
    """A stored file to read (GridFS), for code that has already asked the access layer about
    what holds it (a published module's package); NotFound if it is gone."""
    from gridfs.errors import NoFile

    oid = parse_id(file_id)
    try:
        if oid is None:
            raise NoFile
        return site.store.files.get(oid)
    except NoFile:
        raise NotFound(f"file {file_id!r} not found") from None


def discard(site, file_id) -> None:
    """Delete a stored file nobody holds (an upload its record refused)."""
    oid = parse_id(file_id)
    if oid is not None:
        site.store.files.delete(oid)


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


# What a PDF or a video is, measured ------------------------------------------------------------

MEASURED = ("pdf", "video")
MAX_VIDEO_SECONDS = 24 * 3600
MAX_PAGES = 10000
_MP4 = ("video/mp4", "video/quicktime", "video/x-m4v")
_MATROSKA = ("video/webm", "video/x-matroska")


def measure(kind: str, mime: str, stream) -> dict:
    """``{"pages": n}`` for a PDF, ``{"duration": seconds}`` for a video, read from the
    file's content with a library; ValueError saying why when they cannot be read."""
    if kind == "pdf":
        return {"pages": _pdf_pages(stream)}
    if kind == "video":
        return {"duration": _video_seconds(mime, stream)}
    raise ValueError(f"a file of kind {kind} has no pages or length to read")


def _pdf_pages(stream) -> int:
    import pypdf

    try:
        reader = pypdf.PdfReader(stream)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValueError("the PDF is protected by a password, so its pages cannot be shown or counted")
        pages = len(reader.pages)
    except ValueError:
        raise
    except Exception as exc:  # pypdf raises many kinds on a damaged file
        raise ValueError(f"its pages cannot be read: the PDF is damaged or incomplete ({type(exc).__name__})") from None
    if pages <= 0:
        raise ValueError("the PDF has no pages")
    if pages > MAX_PAGES:
        raise ValueError(f"the PDF has {pages:,} pages; at most {MAX_PAGES:,} are accepted")
    return pages


def _video_seconds(mime: str, stream) -> float:
    if mime in _MP4 or mime in _MATROSKA:
        seconds = _hachoir_seconds(mime, stream)
    elif mime == "video/ogg":
        seconds = _ogg_seconds(stream)
    else:
        raise ValueError(f"the length of a {mime} video cannot be read; upload it as MP4, WebM or Ogg (Theora)")
    if seconds is None or seconds != seconds or seconds <= 0:
        raise ValueError(
            "its length cannot be read: the file does not say how long it plays"
            + (" (a WebM recorded live often does not: save it again with a video editor)" if mime in _MATROSKA else "")
        )
    if seconds > MAX_VIDEO_SECONDS:
        raise ValueError(f"it plays for more than {MAX_VIDEO_SECONDS // 3600} hours; split it into shorter videos")
    return round(float(seconds), 3)


def _hachoir_seconds(mime: str, stream) -> float | None:
    from hachoir.core import config
    from hachoir.metadata import extractMetadata
    from hachoir.parser.container import MkvFile, MP4File
    from hachoir.stream import InputIOStream

    config.quiet = True  # its warnings about odd boxes go to the console otherwise
    try:
        source = InputIOStream(stream, source="upload", tags=[])
        parser = (MkvFile if mime in _MATROSKA else MP4File)(source, validate=True)
        found = extractMetadata(parser)
    except Exception:  # hachoir raises many kinds on a damaged file
        return None
    if not found or not found.has("duration"):
        return None
    return found.get("duration").total_seconds()


def _ogg_seconds(stream) -> float | None:
    from mutagen.oggtheora import OggTheora

    try:
        return OggTheora(stream).info.length
    except Exception:  # mutagen raises many kinds on a damaged file
        return None


def _measured(kind: str, mime: str, stream) -> dict:
    """What ``measure`` read, or why it could not (``unmeasured``), to keep with the file."""
    try:
        return measure(kind, mime, stream)
    except ValueError as exc:
        return {"unmeasured": str(exc)}


def figures(site, file_id) -> dict:
    """A stored PDF's ``pages`` or video's ``duration``, as kept at upload; for a file stored
    before they were read, read now and kept. ValueError saying why they cannot be had."""
    found = info(site, file_id)
    if found is None:
        raise ValueError("the file is no longer stored")
    meta = found.get("metadata") or {}
    kind = meta.get("kind")
    if kind not in MEASURED:
        raise ValueError(f"it is {KINDS.get(kind, kind or 'a file of unknown kind')}, not a PDF or a video")
    key = "pages" if kind == "pdf" else "duration"
    if meta.get(key):
        return {key: meta[key]}
    if "unmeasured" not in meta:
        with stored(site, file_id) as stream:
            read = _measured(kind, meta.get("content_type") or "", stream)
        site.db["fs.files"].update_one({"_id": found["_id"]}, {"$set": {f"metadata.{k}": v for k, v in read.items()}})
        meta = {**meta, **read}
    if meta.get(key):
        return {key: meta[key]}
    raise ValueError(meta.get("unmeasured") or "its figures cannot be read")
