"""Browser sessions live on the server: a captured cookie is worth nothing once its session
ends (logout, idle, too old, a new password, a disabled account, sign out everywhere)."""

import datetime as dt
import json

import pytest

from app import auth
from app.model import lifecycle
from app.web import create_app

from .conftest import PASSWORD, add_user


@pytest.fixture
def app(site):
    add_user(site, "nodal@power.gov.in", ["MDO Admin"], ["Ministry of Power"])
    return create_app(site=site)


def signed_in(app):
    client = app.test_client()
    assert client.post("/api/method/login", json={"email": "nodal@power.gov.in", "password": PASSWORD}).status_code == 200
    assert client.get("/api/method/me").status_code == 200
    return client


def captured(client, app):
    """Another browser holding a copy of ``client``'s cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_a_cookie_captured_before_logout_is_refused_after(app, site):
    client = signed_in(app)
    thief = captured(client, app)
    assert thief.get("/api/method/me").status_code == 200
    assert client.post("/api/method/logout", json={}).status_code == 200
    assert thief.get("/api/method/me").status_code == 401
    assert site.db.user_session.count_documents({"user": "nodal@power.gov.in"}) == 0


def test_the_cookie_holds_no_email_and_the_server_no_token(app, site):
    client = signed_in(app)
    cookie = client.get_cookie("session").value
    stored = site.db.user_session.find_one({"user": "nodal@power.gov.in"})
    assert "nodal" not in cookie and stored["_id"] not in cookie  # only the token's hash is kept


@pytest.mark.parametrize(
    "field, age", [("last_seen", dt.timedelta(minutes=121)), ("created", dt.timedelta(hours=13))], ids=["idle", "absolute"]
)
def test_sessions_end_when_idle_or_too_old(app, site, field, age):
    client = signed_in(app)
    site.db.user_session.update_one({"user": "nodal@power.gov.in"}, {"$set": {field: auth._now() - age}})
    assert client.get("/api/method/me").status_code == 401


def test_a_new_password_or_a_disabled_account_ends_every_session(app, site):
    first, second = signed_in(app), signed_in(app)
    auth.set_password(site, "nodal@power.gov.in", "a brand new passphrase")
    assert first.get("/api/method/me").status_code == 401 and second.get("/api/method/me").status_code == 401
    auth.set_password(site, "nodal@power.gov.in", PASSWORD)
    third = signed_in(app)
    lifecycle.save(site.context(), "User", "nodal@power.gov.in", {"enabled": False})
    assert site.db.user_session.count_documents({"user": "nodal@power.gov.in"}) == 0
    assert third.get("/api/method/me").status_code == 401


def test_sign_out_everywhere(app, site):
    here, there = signed_in(app), signed_in(app)
    r = here.post("/api/method/logout_everywhere", json={})
    assert r.status_code == 200 and r.json["sessions"] == 2
    assert here.get("/api/method/me").status_code == 401 and there.get("/api/method/me").status_code == 401


def test_cookies_are_secure_over_https(site):
    add_user(site, "nodal@power.gov.in", ["MDO Admin"], ["Ministry of Power"])
    import dataclasses

    site.config = dataclasses.replace(site.config, public_url="https://igot.example.gov.in")
    app = create_app(site=site)
    response = app.test_client().post("/api/method/login", json={"email": "nodal@power.gov.in", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie


@pytest.mark.parametrize("path", ["/api/doctype", "/api/doctype/Officer"])
def test_the_meta_needs_a_signed_in_user(app, path):
    assert app.test_client().get(path).status_code == 401
    assert signed_in(app).get(path).status_code == 200


LOGIN = json.dumps({"email": "nodal@power.gov.in", "password": PASSWORD})


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_a_page_elsewhere_cannot_sign_a_browser_in_with_a_simple_post(app, content_type):
    """A post of these types needs no preflight: another site's page can send one."""
    client = app.test_client()
    r = client.post("/api/method/login", data=LOGIN, content_type=content_type, headers={"Origin": "https://evil.example"})
    assert r.status_code == 415 and "application/json" in r.json["message"]
    assert client.get_cookie("session") is None and client.get("/api/method/me").status_code == 401


@pytest.mark.parametrize("origin", ["https://evil.example", "http://localhost.evil.example", "null"])
def test_sign_in_from_another_origin_is_refused(app, origin):
    client = app.test_client()
    r = client.post("/api/method/login", data=LOGIN, content_type="application/json", headers={"Origin": origin})
    assert r.status_code == 403 and origin in r.json["message"]
    assert client.get("/api/method/me").status_code == 401


@pytest.mark.parametrize("origin", ["http://localhost", "http://LOCALHOST:80", "https://igot.example.gov.in"])
def test_sign_in_from_the_site_itself_or_its_public_address(site, origin):
    import dataclasses

    add_user(site, "nodal@power.gov.in", ["MDO Admin"], ["Ministry of Power"])
    site.config = dataclasses.replace(site.config, public_url="https://igot.example.gov.in")
    client = create_app(site=site).test_client()
    r = client.post("/api/method/login", data=LOGIN, content_type="application/json", headers={"Origin": origin})
    assert r.status_code == 200 and client.get("/api/method/me").status_code == 200
