"""Accounts: passwords, sessions, API tokens, throttling, and the user CLI."""

import pytest
from click.testing import CliRunner

from app import auth, cli
from app.model import lifecycle
from app.web import create_app

from .conftest import PASSWORD, add_user


@pytest.fixture
def app(site):
    application = create_app(site=site)
    application.config["IGOT_LOGIN_DELAY"] = DELAYS.append
    DELAYS.clear()
    return application


DELAYS = []


@pytest.fixture
def nodal(site):
    return add_user(site, "nodal@power.gov.in", ["MDO Admin"], ["Ministry of Power"])


def login(client, email, password):
    return client.post("/api/method/login", json={"email": email, "password": password})


def test_password_is_hashed_with_argon2(site, nodal):
    stored = site.db.user_credential.find_one({"_id": nodal})
    assert stored["password_hash"].startswith("$argon2id$") and PASSWORD not in str(stored)
    assert "password" not in str(site.db.user.find_one({"_id": nodal}))


def test_session_login_me_logout(app, nodal, site):
    client = app.test_client()
    assert login(client, nodal, PASSWORD).status_code == 200
    me = client.get("/api/method/me").json
    assert me == {"user": nodal, "full_name": "nodal", "roles": ["MDO Admin"], "mdos": ["Ministry of Power"]}
    assert site.db.user.find_one({"_id": nodal})["last_login"] is not None
    assert client.post("/api/method/logout", json={}).status_code == 200
    assert client.get("/api/method/me").status_code == 401


def test_wrong_password_and_unknown_user_are_401_alike(app, nodal):
    client = app.test_client()
    wrong = login(client, nodal, "not the password")
    unknown = login(client, "nobody@gov.in", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json["message"] == unknown.json["message"]


def test_failures_are_slowed_then_locked_and_admin_sees_the_lock(app, site, nodal):
    client = app.test_client()
    for _ in range(auth.LOCK_AFTER):
        assert login(client, nodal, "guess").status_code == 401
    assert DELAYS and sorted(DELAYS) == DELAYS and DELAYS[0] > 0  # slowed, more each time
    locked = login(client, nodal, PASSWORD)
    assert locked.status_code == 429 and "locked until" in locked.json["message"]
    admin = add_user(site, "sysman@dopt.gov.in", ["System Manager"])
    admin_client = app.test_client()
    admin_client.environ_base["HTTP_AUTHORIZATION"] = f"token {auth.create_token(site, admin)}"
    keys = {lock["key"] for lock in admin_client.get("/api/method/login_locks").json["data"]}
    assert f"user:{nodal}" in keys
    nodal_client = app.test_client()
    nodal_client.environ_base["HTTP_AUTHORIZATION"] = f"token {auth.create_token(site, nodal)}"
    assert nodal_client.get("/api/method/login_locks").status_code == 403
    assert auth.unlock(site, nodal)
    other_address = app.test_client()
    assert (
        other_address.post(
            "/api/method/login", json={"email": nodal, "password": PASSWORD}, environ_base={"REMOTE_ADDR": "10.9.9.9"}
        ).status_code
        == 200
    )


def test_an_address_is_slowed_never_locked(app, site):
    """A ministry behind one NAT address: five accounts fail from it, the sixth person signs in."""
    add_user(site, "someone@gov.in", ["Learner"])
    client = app.test_client()
    for i in range(auth.LOCK_AFTER + 2):
        assert login(client, f"user{i}@gov.in", "guess").status_code == 401
    assert DELAYS[-1] > DELAYS[0] > 0  # failed answers from the address come slower and slower
    assert login(client, "someone@gov.in", PASSWORD).status_code == 200
    locks = {lock["key"]: lock for lock in auth.login_locks(site)}
    assert "slowed_since" in locks["ip:127.0.0.1"] and "locked_until" not in locks["ip:127.0.0.1"]
    assert auth.unlock(site, address="127.0.0.1") and "ip:127.0.0.1" not in {k["key"] for k in auth.login_locks(site)}


def test_five_failures_lock_the_account_not_the_others_at_the_address(app, site, nodal):
    other = add_user(site, "other@power.gov.in", ["MDO Admin"], ["Ministry of Power"])
    client = app.test_client()
    for _ in range(auth.LOCK_AFTER):
        login(client, nodal, "guess")
    assert login(client, nodal, PASSWORD).status_code == 429
    assert login(client, other, PASSWORD).status_code == 200
    assert auth.unlock(site, nodal) and login(client, nodal, PASSWORD).status_code == 200


@pytest.mark.needs("atomic_updates")
def test_failures_are_counted_atomically_under_concurrency(site, nodal):
    import threading

    barrier = threading.Barrier(12)
    refused = []

    def fail():
        barrier.wait()
        try:
            auth.login(site, nodal, "guess", "10.0.0.1", delay=lambda s: None)
        except auth.Unauthenticated:
            refused.append("wrong password")
        except auth.TooManyAttempts:
            pass

    threads = [threading.Thread(target=fail) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    account = site.db.login_attempt.find_one({"_id": f"user:{nodal}"})
    address = site.db.login_attempt.find_one({"_id": "ip:10.0.0.1"})
    # every attempt that reached the password check was counted once; those after the lock were refused unread
    assert account["failures"] == address["failures"] == len(refused) >= auth.LOCK_AFTER
    assert account["locked_until"]


@pytest.mark.parametrize(
    "trusted, forwarded, expected",
    [
        ((), "203.0.113.9", "127.0.0.1"),  # no trusted proxy: the header is ignored
        (("127.0.0.1",), "203.0.113.9", "203.0.113.9"),
        (("127.0.0.0/8", "10.0.0.0/8"), "198.51.100.7, 203.0.113.9, 10.1.1.1", "203.0.113.9"),
        (("127.0.0.1",), "not-an-address", "127.0.0.1"),
    ],
)
def test_the_client_address_comes_from_a_trusted_proxy_only(trusted, forwarded, expected):
    import ipaddress

    from werkzeug.test import EnvironBuilder
    from werkzeug.wrappers import Request

    request = Request(
        EnvironBuilder(headers={"X-Forwarded-For": forwarded}, environ_base={"REMOTE_ADDR": "127.0.0.1"}).get_environ()
    )
    networks = tuple(ipaddress.ip_network(t, strict=False) for t in trusted)
    assert auth.client_address(request, networks) == expected


def test_token_auth_last_use_and_revocation(app, site, nodal):
    token = auth.create_token(site, nodal)
    key = token.split(":")[0]
    client = app.test_client()
    headers = {"Authorization": f"token {token}"}
    assert client.get("/api/resource/Officer", headers=headers).status_code == 200
    stored = site.db.api_token.find_one({"_id": key})
    assert stored["last_used"] is not None and token.split(":")[1] not in str(stored)
    # a read is not a write each time: the last use is kept to the minute
    assert client.get("/api/resource/Officer", headers=headers).status_code == 200
    assert site.db.api_token.find_one({"_id": key})["last_used"] == stored["last_used"]
    site.db.api_token.update_one({"_id": key}, {"$set": {"last_used": stored["last_used"] - auth.TOUCH_EVERY * 2}})
    assert client.get("/api/resource/Officer", headers=headers).status_code == 200
    assert site.db.api_token.find_one({"_id": key})["last_used"] > stored["last_used"] - auth.TOUCH_EVERY
    assert client.get("/api/resource/Officer", headers={"Authorization": f"token {key}:wrong"}).status_code == 401
    assert auth.revoke_token(site, key)
    assert client.get("/api/resource/Officer", headers=headers).status_code == 401


def test_disabled_user_cannot_log_in_or_use_a_token(app, site, nodal):
    token = auth.create_token(site, nodal)
    lifecycle.save(site.context(), "User", nodal, {"enabled": False})
    client = app.test_client()
    assert login(client, nodal, PASSWORD).status_code == 401
    assert client.get("/api/resource/Officer", headers={"Authorization": f"token {token}"}).status_code == 401


def test_session_writes_need_json(app, site, nodal):
    client = app.test_client()
    login(client, nodal, PASSWORD)
    form = client.post("/api/resource/Officer", data={"full_name": "x"})
    assert form.status_code == 403 and "send JSON" in form.json["message"]
    empty = client.post("/api/method/logout")
    assert empty.status_code == 403
    assert client.delete("/api/resource/Officer/OFF-1").status_code == 403


def test_short_password_is_refused(site, nodal):
    with pytest.raises(Exception, match="at least 10 characters"):
        auth.set_password(site, nodal, "short")


def test_cli_user_add_token_disable(tmp_path, monkeypatch):
    monkeypatch.setenv("IGOT_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("MONGODB_URI", raising=False)
    runner = CliRunner()
    runner.invoke(cli.main, ["init"])
    added = runner.invoke(
        cli.main,
        ["user", "add", "nodal@steel.gov.in", "--role", "MDO Admin", "--role", "IFU Member", "--mdo", "Ministry of Steel"],
    )
    assert added.exit_code == 0 and "invitation to set a password kept in the outbox (igot mail show " in added.output
    mail_id = added.output.rsplit("igot mail show ", 1)[1].split(")")[0]
    shown = runner.invoke(cli.main, ["mail", "show", mail_id]).output
    assert "To: nodal@steel.gov.in" in shown and "/password-link/" in shown
    again = runner.invoke(cli.main, ["user", "add", "nodal@steel.gov.in", "--role", "CBP Admin"])
    assert "updated nodal@steel.gov.in" in again.output and "password" not in again.output
    weak = runner.invoke(cli.main, ["user", "add", "weak@steel.gov.in", "--role", "Learner", "--password", "password123"])
    assert weak.exit_code == 1 and "breaches" in weak.output
    token = runner.invoke(cli.main, ["token", "nodal@steel.gov.in"]).output.strip()
    assert len(token.split(":")) == 2
    listed = runner.invoke(cli.main, ["token", "nodal@steel.gov.in", "--list"]).output
    assert token.split(":")[0] in listed and "active" in listed
    bad = runner.invoke(cli.main, ["user", "add", "x@gov.in", "--role", "Emperor"])
    assert bad.exit_code == 1 and "Role 'Emperor' does not exist" in bad.output
    assert runner.invoke(cli.main, ["user", "disable", "nodal@steel.gov.in"]).exit_code == 0
    assert "no locks" in runner.invoke(cli.main, ["user", "locks"]).output
    from app.config import Config
    from app.site import Site

    site = Site(Config.from_env())
    user = site.db.user.find_one({"_id": "nodal@steel.gov.in"})
    assert user["enabled"] is False
    assert sorted(r["role"] for r in user["roles"]) == ["CBP Admin", "IFU Member", "MDO Admin"]
    with pytest.raises(auth.Unauthenticated):
        auth.context_for(site, "nodal@steel.gov.in")
