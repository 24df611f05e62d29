"""A SCORM package's files, served from an extracted copy on this server's disk.

A package is stored whole (a zip in the file store) and checked at upload (``scorm.inspect``).
Serving a page of it must not reopen the zip and search its entry list for every request: a
5,700-file Storyline export asks for hundreds of files when it opens. So the first request for
a package extracts it once into ``<data dir>/packages/<file id>/`` and every later request, in
any thread or process of this server, reads the file from there.

Extraction is all or nothing: the files are written into a temporary folder beside the final
one, which is renamed into place only when every entry is written, so a crash or a concurrent
extraction never leaves half a package to serve (the loser of a race discards its copy). A
stored file never changes (a new package is a new file), so a copy never goes stale.

Entry names are read as ``scorm.entry_path`` reads them (``\\`` as ``/``, no ``./``); the
unsafe ones were refused at upload and are skipped here again.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import zipfile
from pathlib import Path

from app import files
from app.errors import NotFound

from . import scorm

_lock = threading.Lock()  # guards the two dicts; each package has a lock of its own for its extraction
_locks: dict[str, threading.Lock] = {}
_indexes: dict[str, dict[str, Path]] = {}  # file id -> {entry path: file on disk}, per process


def folder(site) -> Path:
    return Path(site.config.data_dir).resolve() / "packages"


def extracted(site, file_id) -> dict[str, Path]:
    """The files of the package stored as ``file_id``, by entry path, extracted on first use."""
    key = str(file_id)
    index = _indexes.get(key)
    if index is not None:
        return index
    with _lock:
        one = _locks.setdefault(key, threading.Lock())
    with one:  # one extraction per package at a time; other packages are not held up
        index = _indexes.get(key)
        if index is None:
            index = _indexes[key] = _index(_extract(site, key))
    return index


def _index(root: Path) -> dict[str, Path]:
    out = {}
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            full = Path(dirpath) / name
            out[full.relative_to(root).as_posix()] = full
    return out


def _extract(site, key: str) -> Path:
    base = folder(site)
    final = base / key
    if final.is_dir():
        return final
    base.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=base))
    try:
        with files.stored(site, key) as stored, zipfile.ZipFile(stored) as archive:
            for info in archive.infolist():
                if info.is_dir() or scorm.unsafe_entry(info.filename):
                    continue
                path = scorm.entry_path(info.filename)
                if not path or path.endswith("/"):
                    continue
                target = work / path
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as source, open(target, "wb") as out:
                    shutil.copyfileobj(source, out, 1 << 20)
        try:
            os.rename(work, final)
        except OSError:  # another process extracted it first: theirs is as good
            if not final.is_dir():
                raise
    except (zipfile.BadZipFile, OSError) as exc:
        import logging

        logging.getLogger("igot.packages").error("package %s could not be extracted: %s", key, exc)
        raise NotFound("This package cannot be read; ask its MDO to upload it again") from None
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return final
