"""A stored file is read through what it belongs to: the record and field it is attached to,
the job that made it, or the user who uploaded it. Each rule is tried from the side of the
user who must be refused, who gets the same 404 as for a file that does not exist."""

import io

import pytest

from app import files
from app.auth import context_for
from app.model import lifecycle

from .conftest import add_user, token_client
from .frac_world import POWER, STEEL, build


@pytest.fixture
def w(site):
    world = build(site)
    add_user(site, "learner@steel.gov.in", ["Learner"], [STEEL])
    world.c["steel_learner"] = token_client(site, "learner@steel.gov.in", app=world.app)
    return world


def upload(client, data=b"the minister's notes\n", filename="secret-a.txt"):
    r = client.post("/api/file", data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")
    assert r.status_code == 201, r.json
    return r.json["data"]["file_id"]


def test_an_unattached_upload_is_its_uploaders_alone(w):
    file_id = upload(w.c["admin"])
    assert w.c["admin"].get(f"/api/file/{file_id}").data == b"the minister's notes\n"
    for other in ("steel_learner", "steel_admin", "l1", "analyst"):
        r = w.c[other].get(f"/api/file/{file_id}")
        assert r.status_code == 404 and r.json["error"] == "NotFound", other
    # the same answer as for a file that was never stored
    assert w.c["steel_learner"].get(f"/api/file/{files.new_id()}").json["message"].startswith("file ")


def test_file_ids_are_random_not_a_counter(w):
    a, b = upload(w.c["admin"]), upload(w.c["admin"])
    # ObjectIds made by a counter share their first 8 bytes (time and machine) within a second
    assert a[:8] != b[:8] or a[8:16] != b[8:16]


def test_an_attached_file_is_read_as_its_record_is(w):
    officer = w.officer("asha@power.gov.in")
    file_id = upload(w.c["admin"], b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "asha.png")
    r = w.put("admin", f"resource/Officer/{officer}", {"photo": file_id}, status=200)
    assert r.json["data"]["photo"] == file_id
    w.learner("asha@power.gov.in")  # the officer reads their own record, so their photo
    assert w.c["asha@power.gov.in"].get(f"/api/file/{file_id}").status_code == 200
    assert w.c["dopt"].get(f"/api/file/{file_id}").status_code == 200
    assert w.c["steel_admin"].get(f"/api/file/{file_id}").status_code == 404
    assert w.c["steel_learner"].get(f"/api/file/{file_id}").status_code == 404


def test_a_file_in_a_field_above_the_callers_level_is_not_served(w):
    admin = context_for(w.site, "nodal@power.gov.in")
    file_id = files.store(admin, io.BytesIO(b"order no. 7\n"), "order.txt")
    doc = lifecycle.insert(admin, "Sanction", {"purpose": "MITx fee", "amount": 100, "mdo": POWER, "sanction_order": file_id})
    # FRAC Reviewer L1 of the same MDO reads the sanction, but not its level-1 field
    l1 = context_for(w.site, "l1@power.gov.in")
    assert "sanction_order" not in lifecycle.read(l1, "Sanction", doc.name)
    assert w.c["l1"].get(f"/api/file/{file_id}").status_code == 404
    assert w.c["admin"].get(f"/api/file/{file_id}").status_code == 200


def test_a_file_is_not_served_once_its_record_no_longer_holds_it(w):
    officer = w.officer("ravi@power.gov.in")
    first = upload(w.c["admin"], b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "one.png")
    second = upload(w.c["admin"], b"\x89PNG\r\n\x1a\n" + b"\1" * 64, "two.png")
    w.put("admin", f"resource/Officer/{officer}", {"photo": first}, status=200)
    w.put("admin", f"resource/Officer/{officer}", {"photo": second}, status=200)
    w.learner("ravi@power.gov.in")
    assert w.c["ravi@power.gov.in"].get(f"/api/file/{second}").status_code == 200
    assert w.c["ravi@power.gov.in"].get(f"/api/file/{first}").status_code == 404


def test_nobody_attaches_a_file_they_may_not_read(w):
    """Putting another user's file id into one's own record would make it readable: refused,
    with the same words as for a file that does not exist."""
    file_id = upload(w.c["admin"])
    officer = w.officer("sunil@steel.gov.in", mdo=STEEL, who="steel_admin")
    r = w.put("steel_admin", f"resource/Officer/{officer}", {"photo": file_id})
    assert r.status_code == 400 and "does not exist" in r.json["errors"]["photo"][0]
    assert w.c["steel_admin"].get(f"/api/file/{file_id}").status_code == 404


def test_an_export_file_is_read_by_whoever_reads_its_job(w):
    w.officer("asha@power.gov.in")
    job = w.post("admin", "method/run_job", {"job": "export", "args": {"doctype": "Officer"}}, 202).json["data"]
    job = w.get("admin", f"resource/Background Job/{job['name']}", 200).json["data"]
    file_id = job["result"]["file"]
    assert b"asha@power.gov.in" in w.c["admin"].get(f"/api/file/{file_id}").data
    assert w.c["dopt"].get(f"/api/file/{file_id}").status_code == 200
    for other in ("steel_learner", "steel_admin", "l1"):
        assert w.c[other].get(f"/api/file/{file_id}").status_code == 404, other


def test_a_published_modules_file_is_read_by_every_learner_a_drafts_is_not(w):
    from .frac_world import BUDGET
    from .test_content import publish

    for key, email, roles in (
        ("reviewer", "reviewer@power.gov.in", ["Content Reviewer"]),
        ("publisher", "publisher@power.gov.in", ["Content Publisher"]),
    ):
        add_user(w.site, email, roles, [POWER])
        w.c[key] = token_client(w.site, email, app=w.app)
    name = w.create(
        "content",
        "Content Module",
        {"title": "RTI basics", "kind": "PDF", "mdo": POWER, "competencies": [{"competency": BUDGET, "level": 2}]},
    )["name"]
    from .scorm_packages import PDF as pdf  # a real PDF: a module's PDF must have pages the server can count

    r = w.c["content"].post(
        f"/api/resource/Content Module/{name}/attach/attachment",
        data={"file": (io.BytesIO(pdf), "rti.pdf")},
        content_type="multipart/form-data",
    )
    file_id = r.json["data"]["attachment"]
    assert w.c["steel_learner"].get(f"/api/file/{file_id}").status_code == 404  # still a draft
    publish(w, name)
    assert w.c["steel_learner"].get(f"/api/file/{file_id}").data == pdf


@pytest.mark.parametrize(
    "filename, header",
    [
        ("отчёт.txt", "attachment; filename=\"otchet.txt\"; filename*=UTF-8''%D0%BE%D1%82%D1%87%D1%91%D1%82.txt"),
        ("a\"; filename*=UTF-8''x.exe; b=\".txt", None),
        ("plain report.txt", 'attachment; filename="plain report.txt"'),
    ],
)
def test_download_names_are_written_safely(w, filename, header):
    # stored as named (a client may send any name; the test client's encoding would reparse it)
    file_id = files.store(context_for(w.site, "nodal@power.gov.in"), io.BytesIO(b"figures\n"), filename)
    r = w.c["admin"].get(f"/api/file/{file_id}")
    assert r.status_code == 200 and r.headers["X-Content-Type-Options"] == "nosniff"
    got = r.headers["Content-Disposition"]
    if header is not None and filename.isascii():
        assert got == header
    elif header is not None:
        assert got.startswith('attachment; filename="') and got.endswith(header.split("; ", 2)[2])
    else:  # one filename parameter, one filename* parameter that is all percent-encoded: no x.exe
        from urllib.parse import unquote

        assert got.count("filename=") == 1 and got.count("filename*=") == 1
        plain = got.split('filename="', 1)[1].split('"', 1)[0]
        assert '"' not in plain and ";" not in plain and plain.endswith(".txt")
        assert unquote(got.split("filename*=UTF-8''", 1)[1]) == filename
        assert ";" not in got.split("filename*=UTF-8''", 1)[1]


@pytest.mark.parametrize(
    "data, filename",
    [
        (b"@echo off\r\ndel C:\\*\r\n", "run.bat"),
        (b"WScript.Echo('x')\n", "tool.js"),
        (b"<html><script>alert(1)</script></html>", "app.hta"),
        (b"Remove-Item -Recurse C:\\\n", "clean.ps1"),
        (b'MsgBox "x"\n', "note.vbs"),
        (b"\xef\xbb\xbf#!/bin/sh\nrm -rf /\n", "notes.txt"),
        (b"  \n#!/usr/bin/env python\nimport os\n", "notes.txt"),
    ],
)
def test_scripts_are_refused_like_other_programs(w, data, filename):
    before = w.site.db["fs.files"].count_documents({})
    r = w.c["admin"].post("/api/file", data={"file": (io.BytesIO(data), filename)}, content_type="multipart/form-data")
    assert r.status_code == 400 and "program" in r.json["message"], r.json
    assert w.site.db["fs.files"].count_documents({}) == before
