"""SCORM 1.2 and 2004 packages: checked and described before anything is stored.

A package is a zip with ``imsmanifest.xml`` at its root. ``inspect`` opens the zip (from a
seekable file: nothing is unpacked to disk), refuses it with a reason naming the entry at
fault when

- it is not a zip, or an entry's path escapes the package (``../``, an absolute path, a
  drive letter) or is a symbolic link (zip-slip);
- an entry is damaged (its CRC does not match: every entry is read once at upload);
- it would unpack to more than the size limit (a zip bomb);
- the manifest is missing, not at the root, not well-formed, forbidden XML (entities and
  DTDs are refused by defusedxml), of neither SCORM version, or launches nothing that is in
  the package;

and otherwise returns the version, title, organisations and launch file.

Entry names are read as their tools write them: Windows separators (PowerShell's
``Compress-Archive`` writes ``content\\index.html``) count as ``/`` and a leading ``./`` is
dropped (``entry_path``), after the checks above; packages are served by those names.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

MANIFEST = "imsmanifest.xml"


class PackageError(ValueError):
    """Why a package is refused; the message names the entry at fault."""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(el, name: str) -> list:
    return [c for c in el if _local(c.tag) == name]


def _child(el, name: str):
    return next(iter(_children(el, name)), None)


def _text(el, name: str) -> str:
    c = _child(el, name) if el is not None else None
    return (c.text or "").strip() if c is not None else ""


def _attr(el, name: str) -> str | None:
    """An attribute by its local name, whatever its namespace (adlcp:scormtype, xml:base)."""
    for key, value in el.attrib.items():
        if _local(key) == name:
            return value
    return None


def unsafe_entry(name: str) -> bool:
    """True if unpacking ``name`` would write outside the package's folder: an absolute
    path, a drive letter or a ``..`` part, with either separator."""
    if not name or name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return True
    return ".." in PurePosixPath(name.replace("\\", "/")).parts


def entry_path(name: str) -> str:
    """An entry's path as a package means it: ``\\`` read as ``/``, without ``./`` parts."""
    parts = [p for p in name.replace("\\", "/").split("/") if p not in ("", ".")]
    return "/".join(parts) + ("/" if name.endswith(("/", "\\")) and parts else "")


def find_entry(archive: zipfile.ZipFile, path: str) -> zipfile.ZipInfo | None:
    """The entry of ``archive`` at ``path`` (as ``entry_path`` reads names)."""
    wanted = entry_path(path)
    for info in archive.infolist():
        if entry_path(info.filename) == wanted:
            return info
    return None


def inspect(fileobj, *, limit_bytes: int, filename: str = "package") -> dict:
    """Check the package in ``fileobj`` (seekable) and describe it; PackageError if refused."""
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError):
        raise PackageError(f"{filename} is not a zip file; a SCORM package is a zip with {MANIFEST} at its root") from None
    with archive:
        entries = archive.infolist()
        names = set()
        unpacked = 0
        for info in entries:
            if unsafe_entry(info.filename):
                raise PackageError(
                    f"{filename}: entry {info.filename!r} points outside the package (zip-slip); nothing was stored"
                )
            if (info.external_attr >> 16) & 0o170000 == 0o120000:
                raise PackageError(f"{filename}: entry {info.filename!r} is a symbolic link; packages may not contain links")
            unpacked += info.file_size
            names.add(entry_path(info.filename))
        files_only = {n for n in names if not n.endswith("/")}
        for name in sorted(files_only):
            parts = name.split("/")
            for i in range(1, len(parts)):
                if "/".join(parts[:i]) in files_only:
                    raise PackageError(
                        f"{filename}: {'/'.join(parts[:i])!r} is both a file and the folder of {name!r}; "
                        "a package cannot be unpacked so"
                    )
        if unpacked > limit_bytes:
            raise PackageError(
                f"{filename} unpacks to {unpacked / 2**20:.1f} MB, more than the limit of {limit_bytes / 2**20:.0f} MB"
            )
        if MANIFEST not in names:
            nested = sorted(n for n in names if PurePosixPath(n).name == MANIFEST)
            if nested:
                raise PackageError(
                    f"{filename}: {MANIFEST} is in {str(PurePosixPath(nested[0]).parent)!r}, not at the package root; "
                    "zip the contents of that folder, not the folder"
                )
            raise PackageError(f"{filename} has no {MANIFEST} at its root, so it is not a SCORM package")
        for info in entries:  # every entry's CRC, so a damaged file is refused now, not served broken later
            if info.is_dir():
                continue
            try:
                with archive.open(info) as member:
                    while member.read(1 << 20):
                        pass
            except Exception as exc:  # noqa: BLE001 - a bad CRC, broken compressed data (zlib.error), an unknown method
                raise PackageError(f"{filename}: entry {info.filename!r} is damaged ({exc}); nothing was stored") from None
        data = archive.read(find_entry(archive, MANIFEST))
        return describe(data, names, filename=filename)


def describe(manifest: bytes, names: set[str], *, filename: str = "package") -> dict:
    import defusedxml.ElementTree as ET
    from defusedxml import DefusedXmlException

    try:
        root = ET.fromstring(manifest)
    except ET.ParseError as exc:
        raise PackageError(f"{filename}: {MANIFEST} is not well-formed XML ({exc})") from None
    except DefusedXmlException as exc:
        raise PackageError(f"{filename}: {MANIFEST} uses forbidden XML ({type(exc).__name__})") from None
    if _local(root.tag) != "manifest":
        raise PackageError(f"{filename}: {MANIFEST}'s root element is <{_local(root.tag)}>, not <manifest>")
    version = _version(root)
    if version is None:
        raise PackageError(
            f"{filename}: {MANIFEST} declares neither SCORM 1.2 nor SCORM 2004 "
            "(metadata/schemaversion and the adlcp namespace say neither)"
        )
    resources = {}
    block = _child(root, "resources")
    for res in _children(block, "resource") if block is not None else []:
        resources[res.get("identifier")] = res
    orgs_el = _child(root, "organizations")
    organisations = []
    for org in _children(orgs_el, "organization") if orgs_el is not None else []:
        items = list(_items(org))
        launch = next((lf for lf in (_launch(resources, it, block) for it in items) if lf), None)
        organisations.append(
            {"identifier": org.get("identifier") or "", "title": _text(org, "title"), "items": len(items), "launch": launch}
        )
    if not organisations:
        raise PackageError(f"{filename}: {MANIFEST} has no <organization>: nothing to launch")
    default = orgs_el.get("default")
    main = next((o for o in organisations if o["identifier"] == default), organisations[0])
    if not main["launch"]:
        raise PackageError(
            f"{filename}: {MANIFEST}: organisation {main['identifier']!r} has no item that launches a resource with an href"
        )
    for org in organisations:
        if org["launch"] and urlsplit(org["launch"]).path not in names:
            raise PackageError(f"{filename}: {MANIFEST} launches {org['launch']!r}, which is not in the package")
        if org["launch"] and unsafe_entry(urlsplit(org["launch"]).path):
            raise PackageError(f"{filename}: {MANIFEST} launches {org['launch']!r}, outside the package")
    main_org = next(o for o in (_children(orgs_el, "organization")) if (o.get("identifier") or "") == main["identifier"])
    return {
        "version": version,
        "title": main["title"] or _text(_child(root, "metadata"), "title") or filename,
        "launch": main["launch"],
        "organisations": organisations,
        "scos": _scos(resources, main_org, block),
        "files": len(names),
    }


def _scos(resources: dict, org, block) -> list[dict]:
    """The parts a learner launches, in the manifest's order: each item of the organisation
    that launches a resource, with whether the resource is a SCO (it talks to the run-time;
    an asset does not). A manifest that marks no resource as a SCO has every part count."""
    parts = []
    for item in _items(org):
        launch = _launch(resources, item, block)
        if not launch:
            continue
        res = resources.get(item.get("identifierref"))
        kind = (_attr(res, "scormtype") or _attr(res, "scormType") or "").lower()
        parts.append(
            {"identifier": item.get("identifier") or "", "title": _text(item, "title"), "launch": launch, "sco": kind == "sco"}
        )
    if parts and not any(p["sco"] for p in parts):
        for p in parts:
            p["sco"] = True
    return parts


def _version(root) -> str | None:
    schema = _text(_child(root, "metadata"), "schemaversion").lower()
    if schema in ("1.2",):
        return "SCORM 1.2"
    if schema.startswith("cam 1.3"):  # what the tools of SCORM 2004's 2nd Edition write
        return "SCORM 2004 2nd Edition"
    if "2004" in schema:
        edition = re.search(r"(\d)(st|nd|rd|th) edition", schema)
        return f"SCORM 2004 {edition.group(1)}{edition.group(2)} Edition" if edition else "SCORM 2004"
    namespaces = (
        " ".join([root.tag] + [k for el in root.iter() for k in el.attrib]) + " " + " ".join(el.tag for el in root.iter())
    )
    if "adlcp_rootv1p2" in namespaces or "imscp_rootv1p1p2" in namespaces:
        return "SCORM 1.2"
    if "adlcp_v1p3" in namespaces or "adlseq_v1p3" in namespaces:
        return "SCORM 2004"
    return None


def _items(el):
    for item in _children(el, "item"):
        yield item
        yield from _items(item)


def _launch(resources: dict, item, block) -> str | None:
    ref = item.get("identifierref")
    res = resources.get(ref) if ref else None
    if res is None or not res.get("href"):
        return None
    base = "".join(b for b in (_attr(block, "base") or "", _attr(res, "base") or "") if b)
    href = base + res.get("href")
    params = item.get("parameters")
    path = unquote(urlsplit(href).path)
    query = urlsplit(href).query
    if params:
        query = (query + "&" if query else "") + params.lstrip("?&")
    return path + (f"?{query}" if query else "")
