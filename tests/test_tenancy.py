"""MDO tenancy and permissions, tried from the side of the user who must be refused.

Two MDOs (Steel, Power), one nodal officer (MDO Admin) each, and every surface: get, list,
count, search, filters on child tables, sort, export, import, Link choices, Link validation,
versions, writes, docstatus actions, through the API and through the Python layer.
"""

import csv
import json

import pytest

from app import importer, query
from app.auth import context_for
from app.errors import NotFound, PermissionDenied, ValidationError
from app.model import lifecycle

from .conftest import add_user, token_client

STEEL, POWER = "Ministry of Steel", "Ministry of Power"


@pytest.fixture
def world(site):
    system = site.context()
    users = {
        "sysman": add_user(site, "sysman@dopt.gov.in", ["System Manager"]),
        "steel": add_user(site, "nodal@steel.gov.in", ["MDO Admin"], [STEEL]),
        "power": add_user(site, "nodal@power.gov.in", ["MDO Admin"], [POWER]),
        "analyst": add_user(site, "analyst@dopt.gov.in", ["Analyst"]),
        "learner": add_user(site, "ravi@power.gov.in", ["Learner"], [POWER]),
        "norole": add_user(site, "nobody@gov.in", []),
    }
    steel_ctx = context_for(site, users["steel"])
    steel_officer = lifecycle.insert(
        steel_ctx,
        "Officer",
        {
            "full_name": "Sunita Steel",
            "email": "sunita@steel.gov.in",
            "service": "IAS",
            "group": "A",
            "mdo": STEEL,
            "date_of_birth": "1980-01-01",
            "employee_id": "ST-001",
            "postings": [{"designation": "Joint Secretary", "from_date": "2020-01-01"}],
        },
    )
    lifecycle.save(steel_ctx, "Officer", steel_officer.name, {"designation": "Joint Secretary"})
    power_officer = lifecycle.insert(
        context_for(site, users["power"]),
        "Officer",
        {
            "full_name": "Ravi Power",
            "email": "ravi@power.gov.in",
            "service": "CSS",
            "group": "B",
            "mdo": POWER,
            "date_of_birth": "1988-05-05",
            "mobile": "+91 98100 00000",
            "postings": [{"designation": "Section Officer", "from_date": "2018-01-01"}],
        },
    )
    sanction = lifecycle.insert(
        steel_ctx, "Sanction", {"purpose": "Steel course fee", "amount": 100, "mdo": STEEL, "officer": steel_officer.name}
    )
    return {
        "site": site,
        "users": users,
        "steel_officer": steel_officer.name,
        "power_officer": power_officer.name,
        "sanction": sanction.name,
        "system": system,
    }


def ctx_of(world, who):
    return context_for(world["site"], world["users"][who])


def api(world, who):
    return token_client(world["site"], world["users"][who])


# API surfaces, as the Ministry of Power's nodal officer looking at Steel's records ---------------


def test_get_is_404(world):
    client = api(world, "power")
    assert client.get(f"/api/resource/Officer/{world['steel_officer']}").status_code == 404
    assert client.get(f"/api/resource/Sanction/{world['sanction']}").status_code == 404
    assert client.get(f"/api/resource/Officer/{world['power_officer']}").status_code == 200


def test_list_count_search_filters_and_sort_hide_other_mdo(world):
    client = api(world, "power")
    listed = client.get("/api/resource/Officer", query_string={"order_by": "full_name desc"}).json
    assert [r["name"] for r in listed["data"]] == [world["power_officer"]] and listed["total"] == 1
    for params in (
        {"search": "Sunita"},
        {"filters": json.dumps({"mdo": STEEL})},
        {"filters": json.dumps([["postings.designation", "=", "Joint Secretary"]])},
        {"filters": json.dumps([["name", "=", world["steel_officer"]]])},
        {"filters": json.dumps([["email", "like", "%steel%"]])},
    ):
        body = client.get("/api/resource/Officer", query_string=params).json
        assert body["data"] == [] and body["total"] == 0, params
    assert client.get("/api/resource/Sanction").json["total"] == 0


def test_writes_and_actions_on_other_mdo_are_404(world):
    client = api(world, "power")
    name = world["steel_officer"]
    assert client.put(f"/api/resource/Officer/{name}", json={"designation": "x"}).status_code == 404
    assert client.delete(f"/api/resource/Officer/{name}").status_code == 404
    assert client.post(f"/api/resource/Sanction/{world['sanction']}/submit", json={}).status_code == 404
    stored = world["site"].db.officer.find_one({"_id": name})
    assert stored["designation"] == "Joint Secretary"


def test_create_for_other_mdo_is_403(world):
    response = api(world, "power").post(
        "/api/resource/Officer", json={"full_name": "Spy", "email": "spy@gov.in", "service": "IAS", "group": "A", "mdo": STEEL}
    )
    assert response.status_code == 403 and "Ministry of Steel" in response.json["message"]
    assert world["site"].db.officer.count_documents({"email": "spy@gov.in"}) == 0


def test_moving_own_record_to_other_mdo_is_refused(world):
    client = api(world, "power")
    response = client.put(f"/api/resource/Officer/{world['power_officer']}", json={"mdo": STEEL})
    assert response.status_code in (403, 404)
    assert world["site"].db.officer.find_one({"_id": world["power_officer"]})["mdo"] == POWER


def test_link_choices_and_link_validation_hide_other_mdo(world):
    client = api(world, "power")
    options = client.get("/api/method/link_options", query_string={"doctype": "Officer", "txt": ""}).json["data"]
    assert [o["value"] for o in options] == [world["power_officer"]]
    assert client.get("/api/method/link_options", query_string={"doctype": "Officer", "txt": "Sunita"}).json["data"] == []
    response = client.post(
        "/api/resource/Sanction", json={"purpose": "x", "amount": 1, "mdo": POWER, "officer": world["steel_officer"]}
    )
    assert response.status_code == 400
    assert response.json["errors"]["officer"] == [f"Officer '{world['steel_officer']}' does not exist."]
    ok = client.post(
        "/api/resource/Sanction", json={"purpose": "x", "amount": 1, "mdo": POWER, "officer": world["power_officer"]}
    )
    assert ok.status_code == 201


def test_child_tables_only_through_their_parent(world):
    client = api(world, "power")
    assert client.get("/api/resource/Officer Posting").status_code == 404
    rows = client.get("/api/resource/Officer", query_string={"fields": json.dumps(["postings"])}).json["data"]
    assert [p["designation"] for r in rows for p in r["postings"]] == ["Section Officer"]


def test_versions_follow_record_tenancy(world):
    power, steel = api(world, "power"), api(world, "steel")
    params = {"filters": json.dumps({"docname": world["steel_officer"]})}
    assert power.get("/api/resource/Version", query_string=params).json["total"] == 0
    assert steel.get("/api/resource/Version", query_string=params).json["total"] == 1
    assert api(world, "learner").get("/api/resource/Version").status_code == 403


def test_unauthenticated_is_401(world):
    from app.web import create_app

    client = create_app(site=world["site"]).test_client()
    assert client.get("/api/resource/Officer").status_code == 401
    assert client.get(f"/api/resource/MDO/{STEEL}").status_code == 401
    bad = client.get("/api/resource/Officer", headers={"Authorization": "token abc:def"})
    assert bad.status_code == 401


# Python layer: the same refusals for code that runs as a user (CLI, jobs, reports) ---------------


def test_python_layer_get_list_count_export(world):
    ctx = ctx_of(world, "power")
    with pytest.raises(NotFound):
        lifecycle.get(ctx, "Officer", world["steel_officer"])
    rows, total = query.get_list(ctx, "Officer", filters={"mdo": STEEL})
    assert rows == [] and total == 0
    assert query.count(ctx, "Officer") == 1
    exported = json.loads(importer.export_rows(ctx, "Officer", "json"))
    assert [o["name"] for o in exported] == [world["power_officer"]]


def test_import_rows_for_other_mdo_are_refused(world, tmp_path):
    path = tmp_path / "officers.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["full_name", "email", "service", "group", "mdo"])
        writer.writerow(["Mine", "mine@power.gov.in", "IAS", "A", POWER])
        writer.writerow(["Theirs", "theirs@steel.gov.in", "IAS", "A", STEEL])
    result = importer.import_file(ctx_of(world, "power"), "Officer", path)
    assert len(result.inserted) == 1
    assert [(e.line, e.field) for e in result.errors] == [(3, "mdo")]
    assert world["site"].db.officer.count_documents({"email": "theirs@steel.gov.in"}) == 0


def test_steel_admin_sees_steel_and_system_manager_sees_all(world):
    assert query.count(ctx_of(world, "steel"), "Officer") == 1
    assert query.count(ctx_of(world, "sysman"), "Officer") == 2


# roles ------------------------------------------------------------------------------------------


def test_analyst_reads_everything_and_changes_nothing(world):
    client = api(world, "analyst")
    assert client.get("/api/resource/Officer").json["total"] == 2
    seen = client.get(f"/api/resource/Officer/{world['steel_officer']}").json["data"]
    assert seen["full_name"] == "Sunita Steel" and "date_of_birth" not in seen  # personal data: level 1, not granted
    assert client.put(f"/api/resource/Officer/{world['steel_officer']}", json={"designation": "x"}).status_code == 403
    assert client.delete(f"/api/resource/Officer/{world['steel_officer']}").status_code == 403
    assert client.post("/api/resource/MDO", json={"mdo_name": "New", "mdo_type": "Ministry"}).status_code == 403
    with pytest.raises(PermissionDenied):
        importer.import_file(ctx_of(world, "analyst"), "Officer", "/dev/null")


def test_analyst_write_grant_by_custom_docperm_is_ignored(world):
    site = world["site"]
    lifecycle.insert(site.context(), "Custom DocPerm", {"ref_doctype": "MDO", "role": "Analyst", "read": True, "write": True})
    client = api(world, "analyst")
    assert client.put(f"/api/resource/MDO/{STEEL}", json={"abbreviation": "X"}).status_code == 403


def test_user_without_role_is_refused_everything(world):
    client = api(world, "norole")
    assert client.get("/api/resource/Officer").status_code == 403
    assert client.get("/api/resource/MDO").status_code == 403
    assert (
        client.post(
            "/api/file", data={"file": (__import__("io").BytesIO(b"x"), "x.txt")}, content_type="multipart/form-data"
        ).status_code
        == 403
    )


def test_mdo_admin_cannot_manage_mdo_records_or_roles(world):
    client = api(world, "power")
    assert client.get(f"/api/resource/MDO/{STEEL}").status_code == 200  # the directory is readable
    assert client.put(f"/api/resource/MDO/{POWER}", json={"abbreviation": "X"}).status_code == 403
    assert client.post("/api/resource/Role", json={"role_name": "Boss"}).status_code == 403


# if_owner and field levels ----------------------------------------------------------------------


def test_learner_sees_only_own_officer_record_without_sensitive_fields(world):
    client = api(world, "learner")
    listed = client.get("/api/resource/Officer").json
    assert [r["name"] for r in listed["data"]] == [world["power_officer"]]
    own = client.get(f"/api/resource/Officer/{world['power_officer']}").json["data"]
    assert own["full_name"] == "Ravi Power"
    assert not {"date_of_birth", "mobile", "employee_id"} & set(own)
    assert not {"date_of_birth", "mobile"} & set(listed["data"][0])
    assert client.put(f"/api/resource/Officer/{world['power_officer']}", json={"designation": "x"}).status_code == 403


def test_sensitive_fields_hidden_in_exports_and_refused_on_write(world, site):
    exported = json.loads(importer.export_rows(ctx_of(world, "analyst"), "Officer", "json"))
    assert len(exported) == 2 and not any("date_of_birth" in o for o in exported)
    assert "date_of_birth" in json.loads(importer.export_rows(ctx_of(world, "power"), "Officer", "json"))[0]
    # Custom rows replace the definition's: the learner may now edit their own record
    lifecycle.insert(
        site.context(),
        "Custom DocPerm",
        {"ref_doctype": "Officer", "role": "Learner", "read": True, "write": True, "if_owner": True},
    )
    ctx = ctx_of(world, "learner")
    assert "date_of_birth" not in query.get_list(ctx, "Officer")[0][0]
    with pytest.raises(PermissionDenied, match="may not set date_of_birth"):
        lifecycle.save(ctx, "Officer", world["power_officer"], {"date_of_birth": "1970-01-01"})
    assert site.db.officer.find_one({"_id": world["power_officer"]})["date_of_birth"] == "1988-05-05"
    saved = lifecycle.save(ctx, "Officer", world["power_officer"], {"designation": "Under Secretary"})
    assert saved.date_of_birth == "1988-05-05"  # hidden from the learner, kept in the record


def test_owner_only_fields_show_on_the_callers_own_rows_only_in_one_list(world, site):
    """Field levels granted on the records one owns apply row by row, within one list: the
    nodal officer's own officer record shows its date of birth, a colleague's in the same list
    does not (the list works out what to hide once per kind of row, owned or not)."""
    for row in (
        {"ref_doctype": "Officer", "role": "MDO Admin", "read": True, "write": True, "create": True},
        {"ref_doctype": "Officer", "role": "MDO Admin", "read": True, "permlevel": 1, "if_owner": True},
    ):
        lifecycle.insert(site.context(), "Custom DocPerm", row)
    lifecycle.insert(
        site.context(),
        "Officer",
        {
            "full_name": "Nodal Power",
            "email": "nodal@power.gov.in",
            "service": "CSS",
            "group": "A",
            "mdo": POWER,
            "date_of_birth": "1975-03-03",
        },
    )
    for rows in (
        query.get_list(ctx_of(world, "power"), "Officer", order_by="full_name asc")[0],
        api(world, "power").get("/api/resource/Officer?order_by=full_name%20asc").json["data"],
    ):
        shown = {r["full_name"]: r for r in rows}
        assert set(shown) == {"Nodal Power", "Ravi Power"}
        assert shown["Nodal Power"]["date_of_birth"] == "1975-03-03"
        assert "date_of_birth" not in shown["Ravi Power"] and "mobile" not in shown["Ravi Power"]


def test_if_owner_rows_limit_learner_to_own_records(world):
    learner = api(world, "learner")
    mine = learner.post("/api/resource/Sanction", json={"purpose": "my course", "amount": 50, "mdo": POWER})
    assert mine.status_code == 201
    other = lifecycle.insert(ctx_of(world, "power"), "Sanction", {"purpose": "someone else", "amount": 10, "mdo": POWER})
    listed = learner.get("/api/resource/Sanction").json
    assert [r["purpose"] for r in listed["data"]] == ["my course"]
    assert learner.get(f"/api/resource/Sanction/{other.name}").status_code == 404


def test_custom_docperm_overrides_meta_rows(world, site):
    power = ctx_of(world, "power")
    lifecycle.insert(
        site.context(), "Custom DocPerm", {"ref_doctype": "Officer", "role": "MDO Admin", "read": True, "write": True}
    )
    lifecycle.insert(
        site.context(),
        "Custom DocPerm",
        {"ref_doctype": "Officer", "role": "System Manager", "read": True, "write": True, "delete": True},
    )
    with pytest.raises(PermissionDenied, match="may not delete Officer"):
        lifecycle.delete(ctx_of(world, "power"), "Officer", world["power_officer"])
    with pytest.raises(PermissionDenied, match="may not create Officer"):
        lifecycle.insert(
            ctx_of(world, "power"),
            "Officer",
            {"full_name": "x", "email": "x@gov.in", "service": "IAS", "group": "A", "mdo": POWER},
        )
    assert lifecycle.get(power, "Officer", world["power_officer"]).name == world["power_officer"]


def test_custom_docperm_needs_a_real_doctype_and_system_manager(world, site):
    with pytest.raises(ValidationError, match="DocType 'Ofiser' does not exist"):
        lifecycle.insert(site.context(), "Custom DocPerm", {"ref_doctype": "Ofiser", "role": "Learner", "read": True})
    response = api(world, "power").post(
        "/api/resource/Custom DocPerm", json={"ref_doctype": "Officer", "role": "MDO Admin", "delete": True}
    )
    assert response.status_code == 403


# users ------------------------------------------------------------------------------------------


def test_mdo_admin_manages_users_of_own_mdo_only(world):
    client = api(world, "power")
    ok = client.post(
        "/api/resource/User",
        json={"email": "so@power.gov.in", "full_name": "SO", "roles": [{"role": "Learner"}], "mdos": [{"mdo": POWER}]},
    )
    assert ok.status_code == 201
    other = client.post(
        "/api/resource/User",
        json={"email": "so@steel.gov.in", "full_name": "SO", "roles": [{"role": "Learner"}], "mdos": [{"mdo": STEEL}]},
    )
    assert other.status_code == 403
    assert client.get(f"/api/resource/User/{world['users']['steel']}").status_code == 404
    emails = {u["name"] for u in client.get("/api/resource/User").json["data"]}
    assert emails == {"nodal@power.gov.in", "ravi@power.gov.in", "so@power.gov.in"}


def test_mdo_admin_cannot_grant_system_roles(world):
    client = api(world, "power")
    response = client.post(
        "/api/resource/User",
        json={"email": "boss@power.gov.in", "full_name": "Boss", "roles": [{"role": "System Manager"}], "mdos": [{"mdo": POWER}]},
    )
    assert response.status_code == 400 and "only the System Manager grants System Manager" in response.json["errors"]["roles"][0]
    escalate = client.put(
        f"/api/resource/User/{world['users']['power']}", json={"roles": [{"role": "MDO Admin"}, {"role": "Finance"}]}
    )
    assert escalate.status_code == 400
    assert world["site"].db.user.count_documents({"_id": "boss@power.gov.in"}) == 0


def test_learner_cannot_change_own_roles_or_mdos(world):
    client = api(world, "learner")
    me = client.get(f"/api/resource/User/{world['users']['learner']}").json["data"]
    assert [r["role"] for r in me["roles"]] == ["Learner"]
    assert (
        client.put(f"/api/resource/User/{world['users']['learner']}", json={"roles": [{"role": "MDO Admin"}]}).status_code == 403
    )
    assert client.put(f"/api/resource/User/{world['users']['learner']}", json={"mdos": [{"mdo": STEEL}]}).status_code == 403
    assert client.put(f"/api/resource/User/{world['users']['learner']}", json={"full_name": "Ravi K"}).status_code == 200


def test_a_permission_taken_away_by_another_process_is_refused_at_once(tmp_path):
    """The roles' scopes and capabilities and the doctypes' permission rules are read once
    per process and kept until they change (``Site.kept``). A change another process makes
    (here another site on the same embedded store) holds from the next request on, tried from
    the side of the nodal officer it takes rights from."""
    from app import install
    from app.site import Site

    from .conftest import make_config

    one = Site(make_config("embedded", tmp_path))
    install.init(one)
    other = Site(make_config("embedded", tmp_path))
    nodal = add_user(one, "nodal@power.gov.in", ["MDO Admin"], [POWER])
    officer = lifecycle.insert(
        one.context(),
        "Officer",
        {"full_name": "Asha", "email": "asha@power.gov.in", "service": "IAS", "group": "A", "mdo": POWER},
    ).name
    assert lifecycle.get(context_for(one, nodal), "Officer", officer).name == officer
    assert context_for(one, nodal).access.can("search_talent")

    lifecycle.insert(other.context(), "Custom DocPerm", {"ref_doctype": "Officer", "role": "System Manager", "read": True})
    other.unguarded("role").update_one({"_id": "MDO Admin"}, {"$pull": {"capabilities": {"capability": "search_talent"}}})

    with pytest.raises(PermissionDenied, match="may not read Officer"):
        lifecycle.get(context_for(one, nodal), "Officer", officer)
    assert not context_for(one, nodal).access.can("search_talent")
    assert token_client(one, nodal).get(f"/api/resource/Officer/{officer}").status_code == 403
    one.close()
    other.close()


def test_a_token_revoked_or_an_account_changed_by_another_process_holds_at_once(tmp_path):
    """A request's API token and its user's account are kept per process until any token or
    account changes (``Site.kept``): revoking the token, removing an MDO from the account or
    disabling it in another process (another site on the same embedded store) holds from the
    next request on, tried from the side of the user refused."""
    from app import auth, install
    from app.site import Site
    from app.web import create_app

    from .conftest import make_config

    one = Site(make_config("embedded", tmp_path))
    install.init(one)
    other = Site(make_config("embedded", tmp_path))
    nodal = add_user(one, "nodal@power.gov.in", ["MDO Admin"], [POWER, STEEL])
    officer = lifecycle.insert(
        one.context(),
        "Officer",
        {"full_name": "Asha", "email": "asha@steel.gov.in", "service": "IAS", "group": "A", "mdo": STEEL},
    ).name
    client = create_app(site=one).test_client()
    kept, revoked = auth.create_token(one, nodal), auth.create_token(one, nodal)
    for token in (kept, revoked):
        assert client.get(f"/api/resource/Officer/{officer}", headers={"Authorization": f"token {token}"}).status_code == 200

    auth.revoke_token(other, revoked.partition(":")[0])
    assert client.get(f"/api/resource/Officer/{officer}", headers={"Authorization": f"token {revoked}"}).status_code == 401
    headers = {"Authorization": f"token {kept}"}
    assert client.get(f"/api/resource/Officer/{officer}", headers=headers).status_code == 200

    other.unguarded("user").update_one({"_id": nodal}, {"$pull": {"mdos": {"mdo": STEEL}}})
    assert client.get(f"/api/resource/Officer/{officer}", headers=headers).status_code in (403, 404)
    other.unguarded("user").update_one({"_id": nodal}, {"$set": {"enabled": False}})
    assert client.get("/api/resource/Officer", headers=headers).status_code == 401
    one.close()
    other.close()
