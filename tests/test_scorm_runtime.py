"""The SCORM run-time's server side: the launcher at the content origin, the package's files
from an extracted copy, commits keyed by the attempt's signed address, and a content host
that answers nothing else. Each rule is tested from the side it refuses."""

import io
import json
import re

import pytest

from app import files
from app.site import Site

from . import scorm_tools
from .conftest import make_config
from .test_progress import _player, _portal, entries, published, state, w  # noqa: F401 - the fixture


def _launcher_config(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="launch-config">(.*?)</script>', page, re.S)
    return json.loads(found.group(1))


def _exe_module(w):  # noqa: F811
    attachment = files.store(w.site.context(), io.BytesIO(scorm_tools.exe_12()), "rti.zip", accept=["scorm"])
    return published(w, "RTI for PIOs", "SCORM Package", attachment=attachment)


def _commit(client, src: str, cmi: dict, status=200):
    token = src.rstrip("/").rsplit("/", 1)[1]
    r = client.post(f"/scorm-commit/{token}", json={"cmi": cmi}, base_url="http://127.0.0.1")
    assert r.status_code == status, r.get_data(as_text=True)
    return r.get_json()


def test_the_launcher_holds_the_run_time_at_the_content_origin_and_the_package_is_served_unchanged(w):  # noqa: F811
    module = _exe_module(w)
    asha = _portal(w, "asha@power.gov.in")  # the portal at http://localhost
    page = asha.get(f"/catalogue/{module}")
    assert "frame-src 'self' http://127.0.0.1" in page.headers["Content-Security-Policy"]  # the other loopback name
    assert page.headers["Cross-Origin-Opener-Policy"] == "same-origin"  # no other site keeps a handle on it
    player = _player(page.get_data(as_text=True))
    assert player["src"].startswith("http://127.0.0.1/scorm/") and player["src"].endswith("/")
    assert [p["part"] for p in player["parts"]] == ["ITEM-1", "ITEM-2"] and "cmi" not in player
    launcher_path = player["src"].removeprefix("http://127.0.0.1")

    stranger = w.app.test_client()  # no session: the signed address is the key
    launcher = stranger.get(launcher_path, base_url="http://127.0.0.1")
    assert launcher.status_code == 200
    csp = launcher.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors http://localhost" in csp and "X-Frame-Options" not in launcher.headers
    body = launcher.get_data(as_text=True)
    config = _launcher_config(body)
    assert config["version"] == "1.2" and config["portal"] == "http://localhost"
    assert config["cmi"]["cmi.core.student_name"] == "Rao, Asha" and config["cmi"]["cmi.core.entry"] == "ab-initio"
    assert 'data-src="index.html"' in body and "/scorm-runtime/scorm12.min.js" in body
    assert stranger.get("/scorm-runtime/scorm12.min.js", base_url="http://127.0.0.1").status_code == 200
    assert stranger.get("/scorm-runtime/..%2Fplayer.js", base_url="http://127.0.0.1").status_code == 404

    # at the portal's own origin, neither the launcher nor the package answers
    assert stranger.get(launcher_path, base_url="http://localhost").status_code == 404
    assert stranger.get(launcher_path + "index.html", base_url="http://localhost").status_code == 404

    served = stranger.get(launcher_path + "index.html", base_url="http://127.0.0.1")
    assert served.status_code == 200
    assert served.get_data() == scorm_tools._exe_page("The RTI Act, 2005", "index.html").encode()  # nothing injected
    assert served.headers["Content-Security-Policy"] == "frame-ancestors http://127.0.0.1 http://localhost"
    forged = launcher_path.replace("/scorm/", "/scorm/x")
    assert stranger.get(forged, base_url="http://127.0.0.1").status_code == 404
    assert stranger.get(forged + "index.html", base_url="http://127.0.0.1").status_code == 404
    assert stranger.get(launcher_path + "../imsmanifest.xml", base_url="http://127.0.0.1").status_code in (404, 308)


def test_commits_by_the_signed_address_resume_and_complete_only_that_attempt(w):  # noqa: F811
    module = _exe_module(w)
    asha = _portal(w, "asha@power.gov.in")
    player = _player(asha.get(f"/catalogue/{module}").get_data(as_text=True))
    src = player["src"]
    client = w.app.test_client()
    commit = {
        "cmi": {
            "core": {"lesson_status": "incomplete", "lesson_location": "index.html#s3", "exit": "suspend"},
            "suspend_data": "section=3",
        }
    }
    assert _commit(client, src, commit) == {"result": True, "errorCode": 0}  # the package learns nothing more
    assert state(w, module)["complete"] is False
    resumed = _launcher_config(
        client.get(src.removeprefix("http://127.0.0.1"), base_url="http://127.0.0.1").get_data(as_text=True)
    )
    assert resumed["cmi"]["cmi.suspend_data"] == "section=3" and resumed["cmi"]["cmi.core.entry"] == "resume"
    assert resumed["cmi"]["cmi.core.lesson_location"] == "index.html#s3" and "cmi.core.exit" not in resumed["cmi"]

    # refused: another officer's session call on this attempt, a forged address, text, a body too big
    assert (
        "not found" in w.post(w.other, "method/scorm_commit", {"attempt": player["attempt"], "cmi": commit}, 404).json["message"]
    )
    token = src.rstrip("/").rsplit("/", 1)[1]
    forged = client.post(f"/scorm-commit/{token[:-2]}xx", json={"cmi": commit}, base_url="http://127.0.0.1")
    assert forged.status_code == 404 and forged.get_json()["result"] is False
    text = client.post(f"/scorm-commit/{token}", data="cmi=1", content_type="text/plain", base_url="http://127.0.0.1")
    assert text.status_code == 415
    broken = client.post(f"/scorm-commit/{token}", data="{not json", content_type="application/json", base_url="http://127.0.0.1")
    assert broken.status_code == 400 and broken.get_json()["result"] is False
    assert "at most" in _commit(client, src, {"cmi": {"suspend_data": "x" * 300_000}}, 400)["message"]

    done = {"cmi": {"core": {"lesson_status": "passed", "score": {"raw": "45", "max": "50"}}}}
    _commit(client, src, done)
    first = state(w, module)
    assert (first["complete"], first["progress"]) == (False, 50.0)  # one SCO of two
    second = _player(asha.get(f"/catalogue/{module}?part=ITEM-2").get_data(as_text=True))
    assert second["attempt"] != player["attempt"]
    second_launcher = client.get(second["src"].removeprefix("http://127.0.0.1"), base_url="http://127.0.0.1").get_data(
        as_text=True
    )
    assert 'data-src="first_appeals.html"' in second_launcher
    _commit(client, second["src"], {"cmi": {"core": {"lesson_status": "completed"}}})
    assert state(w, module)["complete"] and entries(w) == ["Verified"]
    attempt = w.site.db.module_attempt.find_one({"_id": player["attempt"]})
    assert (attempt["status"], attempt["score"], attempt["cmi"]["cmi.suspend_data"]) == ("Completed", 90.0, "section=3")
    _commit(client, src, {"cmi": {"core": {"lesson_status": "failed"}}})
    assert w.site.db.module_attempt.find_one({"_id": player["attempt"]})["status"] == "Completed"  # a completion stays
    w.get(w.other, f"resource/Module Attempt/{player['attempt']}", 404)  # another officer's
    w.put(w.me, f"resource/Module Attempt/{player['attempt']}", {"status": "In Progress"}, 403)  # only the platform writes


def test_a_preview_plays_the_package_and_records_nothing(w):  # noqa: F811
    from doctypes.content import progress

    module = _exe_module(w)
    row = w.site.db.content_module.find_one({"_id": module})
    preview = progress.preview(w.site.context(), row, origin="http://localhost")
    client = w.app.test_client()
    launcher = client.get(preview["src"].removeprefix("http://127.0.0.1"), base_url="http://127.0.0.1")
    config = _launcher_config(launcher.get_data(as_text=True))
    assert config["commitUrl"] is None and config["cmi"] == {}
    answer = _commit(client, preview["src"], {"cmi": {"core": {"lesson_status": "passed"}}})
    assert answer == {"result": True, "errorCode": 0}
    assert w.site.db.module_attempt.count_documents({}) == 0


def test_without_a_content_address_a_package_is_not_played_in_the_portals_origin(w):  # noqa: F811
    from app import auth

    from .conftest import PASSWORD

    module = _exe_module(w)
    w.app.config["WTF_CSRF_ENABLED"] = False  # the sign-in form, posted by the test
    auth.set_password(w.site, "asha@power.gov.in", PASSWORD)
    asha = w.app.test_client()
    signed = asha.post(
        "/sign-in", data={"email": "asha@power.gov.in", "password": PASSWORD}, base_url="http://learn.example.gov.in"
    )
    assert signed.status_code == 302
    page = asha.get(f"/catalogue/{module}", base_url="http://learn.example.gov.in")
    body = page.get_data(as_text=True)
    assert page.status_code == 200 and 'id="not-playable"' in body and 'id="scorm-frame"' not in body
    assert "frame-src" not in page.headers["Content-Security-Policy"]
    assert w.site.db.module_attempt.count_documents({}) == 0


@pytest.fixture
def hosts(tmp_path):
    """An installation with a portal and a content host name of its own."""
    from app import install
    from app.web import create_app

    site = Site(
        make_config(
            "mongomock", tmp_path / "var", public_url="https://learn.example.gov.in", content_url="https://content.example.gov.in"
        )
    )
    install.init(site)
    yield site, create_app(site=site)
    site.close()


def test_the_content_host_serves_packages_and_nothing_else(hosts):
    from doctypes.content import progress

    site, app = hosts
    client = app.test_client()
    content = "https://content.example.gov.in"
    for path in (
        "/",
        "/sign-in",
        "/api/method/login",
        "/api/resource/Officer",
        "/admin/",
        "/portal-static/player.js",
        "/api/docs",
    ):
        r = client.get(path, base_url=content)
        assert r.status_code == 404, path
        assert "Set-Cookie" not in r.headers, path
    r = client.post("/api/method/login", json={"usr": "a@b.c", "pwd": "x"}, base_url=content)
    assert r.status_code == 404 and "Set-Cookie" not in r.headers
    assert client.get("/sign-in", base_url="https://learn.example.gov.in").status_code == 200  # the portal's host is itself
    assert client.get("/scorm-runtime/launcher.js", base_url=content).status_code == 200
    assert progress.content_origin(site, "https://learn.example.gov.in") == content


def test_a_packages_files_come_from_one_extraction_made_whole(w, monkeypatch, tmp_path):  # noqa: F811
    from doctypes.content import catalogue, packages

    w.site.config = w.site.config.__class__(**{**w.site.config.__dict__, "data_dir": tmp_path})
    module = _exe_module(w)
    row = w.site.db.content_module.find_one({"_id": module})
    real_copy = packages.shutil.copyfileobj
    calls = []

    def dies_half_way(source, out, length=0):
        calls.append(1)
        if len(calls) == 3:
            raise OSError("disk full")
        return real_copy(source, out, length)

    monkeypatch.setattr(packages.shutil, "copyfileobj", dies_half_way)
    with pytest.raises(Exception, match="cannot be read; ask its MDO"):
        catalogue.package_data(w.site, row, "index.html")
    assert not (tmp_path / "packages" / row["attachment"]).exists()  # nothing half-extracted is kept
    assert [p.name for p in (tmp_path / "packages").iterdir()] == []
    monkeypatch.setattr(packages.shutil, "copyfileobj", real_copy)
    data, kind = catalogue.package_data(w.site, row, "index.html")
    assert kind == "text/html" and b"The RTI Act" in data

    def no_zip(*args, **kwargs):
        raise AssertionError("the zip was opened again")

    monkeypatch.setattr(packages.files, "stored", no_zip)
    for name in ("first_appeals.html", "common.js", "SCORM_API_wrapper.js", "./index.html"):
        assert catalogue.package_data(w.site, row, name)[0]
    with pytest.raises(Exception, match="not in the package"):
        catalogue.package_data(w.site, row, "missing.html")


def test_behind_a_proxy_that_ends_https_the_package_plays_at_the_configured_addresses(w):  # noqa: F811
    """The proxy forwards plain http: the launcher still answers at the content host, and the
    portal's origin it may be framed by is the https one people use."""
    import dataclasses

    from app import auth
    from app.web import create_app

    from .conftest import PASSWORD

    w.site.config = dataclasses.replace(
        w.site.config, public_url="https://learn.example.gov.in", content_url="https://content.example.gov.in"
    )
    app = create_app(site=w.site)
    app.config["WTF_CSRF_ENABLED"] = False
    module = _exe_module(w)
    auth.set_password(w.site, "asha@power.gov.in", PASSWORD)
    asha = app.test_client()
    portal = "http://learn.example.gov.in"  # what the server sees behind the proxy
    signed = asha.post("/sign-in", data={"email": "asha@power.gov.in", "password": PASSWORD}, base_url=portal)
    assert signed.status_code == 302
    assert "__Host-session=" in signed.headers["Set-Cookie"] and "Secure" in signed.headers["Set-Cookie"]
    page = asha.get(f"/catalogue/{module}", base_url=portal)
    assert "frame-src 'self' https://content.example.gov.in" in page.headers["Content-Security-Policy"]
    player = _player(page.get_data(as_text=True))
    path = player["src"].removeprefix("https://content.example.gov.in")
    launcher = app.test_client().get(path, base_url="http://content.example.gov.in")
    assert launcher.status_code == 200
    assert launcher.headers["Content-Security-Policy"].endswith("frame-ancestors https://learn.example.gov.in")
    assert _launcher_config(launcher.get_data(as_text=True))["portal"] == "https://learn.example.gov.in"


def test_a_package_whose_entries_collide_is_refused_at_upload(w):  # noqa: F811
    from .scorm_packages import MANIFEST_12, PAGE, build

    colliding = build(
        {"imsmanifest.xml": MANIFEST_12, "content/index.html": PAGE, "content/appeals.html": PAGE, "x": "a file", "x/y.js": "1"}
    )
    with pytest.raises(Exception, match="'x' is both a file and the folder of 'x/y.js'"):
        files.store(w.site.context(), io.BytesIO(colliding), "x.zip", accept=["scorm"])


def test_a_score_that_is_not_a_number_is_refused_naming_the_element(w):  # noqa: F811
    module = _exe_module(w)
    src = _player(_portal(w, "asha@power.gov.in").get(f"/catalogue/{module}").get_data(as_text=True))["src"]
    client = w.app.test_client()
    refused = _commit(client, src, {"cmi": {"core": {"score": {"raw": "abc"}, "lesson_status": "passed"}}}, 400)
    assert "cmi.core.score.raw must be a number" in refused["message"] and refused["result"] is False
    attempt = w.site.db.module_attempt.find_one({"module": module})
    assert attempt["status"] == "In Progress" and "cmi.core.score.raw" not in (attempt.get("cmi") or {})  # nothing kept
    assert _commit(client, src, {"cmi": {"core": {"score": {"raw": ""}}}})["result"] is True  # empty: not set
