"""What analysts read (``app.analysts``): the same names and fields on every store, never a
secret, a credential or a field the API hides from the Analyst. Tried as the analyst, with
the shell's database object and the MongoDB role's commands."""

import json
import os
import stat

import pytest

from app import analysts, auth
from app.model import lifecycle
from app.store.readonly import ReadOnlyError

from .conftest import add_user

POWER = "Ministry of Power"
PRIVATE = (
    "user_credential",
    "api_token",
    "login_attempt",
    "site_settings",
    "user_session",
    "fs.files",
    "fs.chunks",
    "naming_series",
    "officer",
    "account_link",  # sign-in links (kept hashed, but still nobody else's business)
    "mail",  # the outbox: invitations carry sign-in links
    "notification",  # each user's own
    "notification_digest",
    "schedule_run",
)


@pytest.fixture
def db(site):
    add_user(site, "nodal@power.gov.in", ["MDO Admin"], [POWER])
    auth.create_token(site, "nodal@power.gov.in")
    ctx = site.context()
    lifecycle.insert(
        ctx,
        "Officer",
        {
            "full_name": "Asha Rao",
            "email": "asha@power.gov.in",
            "service": "IAS",
            "group": "A",
            "mdo": POWER,
            "employee_id": "EMP-77",
            "mobile": "9876543210",
            "date_of_birth": "1975-03-04",
        },
    )
    name = site.db.officer.find_one({})["_id"]
    lifecycle.save(ctx, "Officer", name, {"mobile": "9123456789"})
    from app.web import create_app

    create_app(site=site)  # what a first start does (the signing key)
    return analysts.AnalystDatabase(site.db, site.registry)


def test_no_secret_credential_or_session_is_on_the_surface(db):
    names = set(db.list_collection_names())
    assert not names & set(PRIVATE)
    for name in PRIVATE:
        with pytest.raises(ReadOnlyError):
            db[name].find_one()
    with pytest.raises(ReadOnlyError, match="read analyst_officer"):
        db.officer.find_one()


def test_the_officer_view_has_no_hidden_field_to_show_match_or_group(db):
    row = db.analyst_officer.find_one({})
    assert row["full_name"] == "Asha Rao" and row["mdo"] == POWER
    assert not {"employee_id", "mobile", "date_of_birth"} & set(row)
    assert db.analyst_officer.count_documents({"mobile": "9123456789"}) == 0  # a filter on a left-out field matches nothing
    assert list(db.analyst_officer.find({"employee_id": {"$exists": True}})) == []
    assert db.analyst_officer.distinct("mobile") == []
    grouped = list(db.analyst_officer.aggregate([{"$group": {"_id": "$date_of_birth", "n": {"$sum": 1}}}]))
    assert grouped == [{"_id": None, "n": 1}]
    text = json.dumps(list(db.analyst_version.find({"ref_doctype": "Officer"})), default=str)
    assert "9123456789" not in text and "9876543210" not in text


def test_stages_that_reach_other_collections_are_refused(db):
    for stage in (
        {"$lookup": {"from": "user_credential", "localField": "email", "foreignField": "_id", "as": "c"}},
        {"$unionWith": "api_token"},
        {"$out": "copy"},
        {"$merge": {"into": "copy"}},
        {"$graphLookup": {"from": "officer", "startWith": "$x", "connectFromField": "x", "connectToField": "y", "as": "z"}},
    ):
        with pytest.raises(ReadOnlyError):
            db.analyst_officer.aggregate([stage])


def test_the_signing_key_is_in_a_private_file_not_the_database(site):
    from app.web import create_app, site_secret

    site.db.site_settings.insert_one({"_id": "secret_key", "value": "an old key an analyst could read"})
    app = create_app(site=site)
    assert site.db.site_settings.find_one({"_id": "secret_key"}) is None
    assert app.config["SECRET_KEY"] != "an old key an analyst could read"
    if site.store.kind == "embedded":
        path = site.config.data_dir.absolute() / "secret_key"
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        assert path.read_text().strip() == app.config["SECRET_KEY"] == site_secret(site)  # the same on every start


def test_a_cookie_signed_with_the_old_database_key_is_refused(site):
    from flask.sessions import SecureCookieSessionInterface

    from app.web import create_app

    add_user(site, "dopt@gov.in", ["System Manager"])
    site.db.site_settings.insert_one({"_id": "secret_key", "value": "k" * 64})
    app = create_app(site=site)
    forged_app = create_app(site=site)
    forged_app.secret_key = "k" * 64
    serializer = SecureCookieSessionInterface().get_signing_serializer(forged_app)
    cookie = serializer.dumps({"_user_id": "dopt@gov.in", "_fresh": True})
    client = app.test_client()
    client.set_cookie("session", cookie)
    assert client.get("/api/method/me").status_code == 401


def test_the_mongodb_role_reads_exactly_the_surface(site):
    commands = analysts.role_commands("igot", site.registry)
    role = commands[-1]
    granted = {p["resource"]["collection"] for p in role["privileges"]} - {""}
    assert granted == set(analysts.surface(site.registry))
    assert not granted & set(PRIVATE)
    assert all(p["actions"] in (["find", "listIndexes", "collStats"], ["listCollections"]) for p in role["privileges"])
    views = {c["create"]: c for c in commands if "create" in c}
    assert views["analyst_officer"]["viewOn"] == "officer"
    assert views["analyst_officer"]["pipeline"] == [{"$project": {"employee_id": 0, "mobile": 0, "date_of_birth": 0}}]
    assert views["analyst_version"]["pipeline"] == [{"$project": {"restricted": 0}}]
    script = analysts.mongosh_script("igot", site.registry)
    assert "createRole" in script and "analyst_officer" in script and "user_credential" not in script


def test_igot_analyst_role_prints_the_commands_on_the_embedded_store(site, monkeypatch):
    from click.testing import CliRunner

    from app import cli

    monkeypatch.setattr(cli, "_site", lambda: site)
    out = CliRunner().invoke(cli.main, ["analyst-role", "--print"])
    assert out.exit_code == 0 and "analyst_officer" in out.output and "createRole" in out.output
