"""Uploads are checked by their content and SCORM packages by their manifest, before
anything is stored: a refused upload leaves nothing in GridFS and the record as it was."""

import io

import pytest

from app import files
from doctypes.content import scorm

from . import scorm_packages as pkg
from .conftest import add_user, make_config, token_client
from .frac_world import POWER, build


@pytest.fixture
def small_site():
    """An installation whose upload limit is 1 MB."""
    from app import install
    from app.site import Site

    s = Site(make_config("mongomock", max_upload_mb=1))
    install.init(s)
    yield s
    s.close()


@pytest.fixture
def cw(small_site):
    return build(small_site)


def stored(site) -> tuple[int, int]:
    return site.db["fs.files"].count_documents({}), site.db["fs.chunks"].count_documents({})


def module(cw, kind="SCORM Package", title="RTI for PIOs"):
    return cw.create("content", "Content Module", {"title": title, "kind": kind, "mdo": POWER})["name"]


def attach(cw, name, data: bytes, filename: str, who="content"):
    return cw.c[who].post(
        f"/api/resource/Content Module/{name}/attach/attachment",
        data={"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def test_a_scorm_12_package_is_described_from_its_manifest(cw):
    name = module(cw)
    r = attach(cw, name, pkg.scorm12(), "rti.zip")
    assert r.status_code == 200, r.json
    doc = r.json["data"]
    assert (doc["package_version"], doc["package_title"], doc["launch_file"]) == (
        "SCORM 1.2",
        "Right to Information for Public Information Officers",
        "content/index.html",
    )
    assert [(o["identifier"], o["items"]) for o in doc["package_organisations"]] == [("ORG-RTI", 2)]
    info = files.info(cw.site, doc["attachment"])
    assert (info["metadata"]["kind"], info["metadata"]["content_type"], info["length"]) == (
        "scorm",
        "application/zip",
        len(pkg.scorm12()),
    )
    # the launch file is served from the zip in GridFS, sandboxed
    page = cw.c["content"].get(f"/api/content/{name}/package/content/index.html")
    assert page.status_code == 200 and page.data == pkg.PAGE and "sandbox" in page.headers["Content-Security-Policy"]
    assert cw.c["content"].get(f"/api/content/{name}/package/../imsmanifest.xml").status_code == 404
    assert cw.c["steel_admin"].get(f"/api/content/{name}/package/content/index.html").status_code == 404  # another MDO's draft


def test_a_scorm_2004_package_and_its_launch_parameters(cw):
    name = module(cw, title="Buying on GeM")
    doc = attach(cw, name, pkg.scorm2004(), "gem.zip").json["data"]
    assert (doc["package_version"], doc["launch_file"]) == ("SCORM 2004 4th Edition", "gem/start.html?unit=1")


@pytest.mark.parametrize(
    "data, filename, reason",
    [
        (pkg.zip_slip(), "rti.zip", "'../../etc/cron.d/evil' points outside the package (zip-slip)"),
        (pkg.no_manifest(), "rti.zip", "has no imsmanifest.xml at its root"),
        (pkg.nested_manifest(), "rti.zip", "imsmanifest.xml is in 'rti', not at the package root"),
        (pkg.broken_manifest(), "rti.zip", "imsmanifest.xml is not well-formed XML"),
        (pkg.missing_launch(), "rti.zip", "launches 'content/index.html', which is not in the package"),
        (pkg.entity_bomb(), "rti.zip", "uses forbidden XML"),
        (pkg.PDF, "rti.pdf", "rti.pdf is a PDF (application/pdf); expected a SCORM package"),
        (pkg.EXE, "rti.zip", "rti.zip is a program (application/x-msdownload), whatever its name says"),
        (b"not a zip at all", "rti.zip", "rti.zip is not what its name says"),
    ],
    ids=[
        "zip-slip",
        "no-manifest",
        "nested-manifest",
        "broken-manifest",
        "missing-launch",
        "entity-bomb",
        "pdf",
        "renamed-exe",
        "not-a-zip",
    ],
)
def test_bad_packages_are_refused_and_nothing_is_stored(cw, data, filename, reason):
    name = module(cw)
    before = stored(cw.site), cw.get("admin", f"resource/Content Module/{name}").json["data"]["modified"]
    r = attach(cw, name, data, filename)
    assert r.status_code == 400, r.json
    assert reason in r.json["errors"]["attachment"][0] and f"Content Module {name}" in r.json["message"]
    assert (stored(cw.site), cw.get("admin", f"resource/Content Module/{name}").json["data"]["modified"]) == before


def test_an_oversize_upload_is_refused_with_the_limit(cw):
    name = module(cw, kind="PDF", title="Manual of Office Procedure")
    before = stored(cw.site)
    big = pkg.PDF + b"%" * (2 * 2**20)  # 2 MB: over the 1 MB limit; werkzeug refuses it before reading
    r = attach(cw, name, big, "mop.pdf")
    assert r.status_code == 413 and "limit of 1 MB" in r.json["message"]
    just_over = pkg.PDF + b"%" * (2**20 + 2**19)  # 1.5 MB: under werkzeug's margin, stopped while copying
    r = cw.c["content"].post("/api/file", data={"file": (io.BytesIO(just_over), "mop.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 400 and "larger than the limit of 1 MB" in r.json["message"]
    assert stored(cw.site) == before


def test_a_renamed_executable_is_refused_whatever_its_name(cw):
    before = stored(cw.site)
    for filename in ("circular.pdf", "circular.csv", "lecture.mp4", "setup"):
        r = cw.c["content"].post("/api/file", data={"file": (io.BytesIO(pkg.EXE), filename)}, content_type="multipart/form-data")
        assert r.status_code == 400 and "is a program" in r.json["message"], (filename, r.json)
    elf = b"\x7fELF\x02\x01\x01" + b"\x00" * 200
    r = cw.c["content"].post("/api/file", data={"file": (io.BytesIO(elf), "notes.txt")}, content_type="multipart/form-data")
    assert r.status_code == 400 and "is a program" in r.json["message"]
    script = b"#!/bin/sh\nrm -rf /\n"
    r = cw.c["content"].post("/api/file", data={"file": (io.BytesIO(script), "notes.txt")}, content_type="multipart/form-data")
    assert r.status_code == 400
    assert stored(cw.site) == before


def test_a_file_is_typed_by_content_and_must_suit_the_module_kind(cw):
    pdf_module = module(cw, kind="PDF", title="Manual of Office Procedure")
    r = attach(cw, pdf_module, b"Noting and drafting\n", "mop.pdf")
    assert r.status_code == 400 and "its content is a text file" in r.json["message"]
    r = attach(cw, pdf_module, pkg.scorm12(), "mop.zip")
    assert r.status_code == 400 and "expected a PDF" in r.json["message"]
    ok = attach(cw, pdf_module, pkg.PDF, "mop.pdf")
    assert ok.status_code == 200 and files.info(cw.site, ok.json["data"]["attachment"])["metadata"]["kind"] == "pdf"
    # a file uploaded on its own cannot be put on a module of another kind either
    zip_id = (
        cw.c["content"]
        .post("/api/file", data={"file": (io.BytesIO(pkg.build({"a.txt": "x"})), "a.zip")}, content_type="multipart/form-data")
        .json["data"]["file_id"]
    )
    video = module(cw, kind="Video File", title="Lecture")
    r = cw.put("content", f"resource/Content Module/{video}", {"attachment": zip_id}, 400).json
    assert "a video is needed here" in r["errors"]["attachment"][0]
    # the declared type is kept apart from the type found
    r = (
        cw.c["content"]
        .post("/api/file", data={"file": (io.BytesIO(pkg.PDF), "mop.pdf", "video/mp4")}, content_type="multipart/form-data")
        .json["data"]
    )
    assert (r["content_type"], r["kind"]) == ("application/pdf", "pdf")


def test_only_users_who_may_change_the_record_attach_to_it(cw, small_site):
    name = module(cw)
    before = stored(cw.site)
    add_user(small_site, "reviewer@power.gov.in", ["Content Reviewer"], [POWER])
    cw.c["reviewer"] = token_client(small_site, "reviewer@power.gov.in", app=cw.app)
    assert attach(cw, name, pkg.scorm12(), "rti.zip", who="reviewer").status_code == 403
    assert attach(cw, name, pkg.scorm12(), "rti.zip", who="steel_admin").status_code == 404
    assert stored(cw.site) == before


def test_sniffing_and_entry_paths():
    assert files.sniff(pkg.PDF)[1] == "pdf" and files.sniff(pkg.scorm12()[:8192])[1] == "zip"
    assert files.sniff("नमस्ते, name,email\n".encode())[1] == "text"
    assert files.sniff(b"\x00\x01\x02\x03")[1] == "binary"
    for bad in ("../x", "a/../../x", "/etc/passwd", "C:/win.ini", "a\\..\\b", ""):
        assert scorm.unsafe_entry(bad), bad
    for good in ("index.html", "a/b/c.js", "a..b/c.html"):
        assert not scorm.unsafe_entry(good), good


def test_a_video_or_pdf_is_measured_at_upload_and_refused_when_it_cannot_be(cw):
    from . import media_files

    video = module(cw, kind="Video File", title="Lecture")
    for data, filename, seconds in (
        (media_files.mp4(125.5), "lecture.mp4", 125.5),
        (media_files.mp4(30, b"qt  "), "lecture.mov", 30.0),
        (media_files.mp4(31, b"M4V "), "lecture.m4v", 31.0),
        (media_files.webm(95.25), "lecture.webm", 95.25),
        (media_files.webm(12, b"matroska"), "lecture.mkv", 12.0),
        (media_files.ogg_theora(40), "lecture.ogv", 40.0),
    ):
        r = attach(cw, video, data, filename)
        assert r.status_code == 200, (filename, r.json)
        assert files.info(cw.site, r.json["data"]["attachment"])["metadata"]["duration"] == seconds, filename
    pdf = module(cw, kind="PDF", title="Manual of Office Procedure")
    assert files.info(cw.site, attach(cw, pdf, pkg.PDF, "mop.pdf").json["data"]["attachment"])["metadata"]["pages"] == 1

    before = stored(cw.site)
    kept = cw.get("admin", f"resource/Content Module/{video}").json["data"]["attachment"]
    for name, data, filename, why in (
        (video, media_files.webm(None), "recorded.webm", "does not say how long it plays"),
        (pdf, b"%PDF-1.4 receipt\n%%EOF\n", "mop.pdf", "pages cannot be read"),
    ):
        r = attach(cw, name, data, filename)
        assert r.status_code == 400 and why in r.json["errors"]["attachment"][0], r.json
    assert stored(cw.site) == before  # nothing kept
    assert cw.get("admin", f"resource/Content Module/{video}").json["data"]["attachment"] == kept
