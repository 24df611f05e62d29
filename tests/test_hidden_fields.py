"""A field the caller may not read (an officer's employee id, mobile and date of birth for
the Analyst) is neither shown, nor matched, nor sorted on, on any surface: lists, version
history (of changes and of deletions), filters, search, sort, Link lookups, exports and the
admin. Each is tried as the Analyst, who must learn nothing of the values."""

import json

import pytest

from app.auth import context_for
from app.model import lifecycle

from .conftest import add_user, token_client

POWER = "Ministry of Power"
SECRETS = ("SECRET-EMP-1", "9876543210", "9123456789", "1975-03-04")


@pytest.fixture
def world(site):
    add_user(site, "nodal@power.gov.in", ["MDO Admin"], [POWER])
    add_user(site, "analyst@gov.in", ["Analyst"])
    admin = context_for(site, "nodal@power.gov.in")
    doc = lifecycle.insert(
        admin,
        "Officer",
        {
            "full_name": "Asha Rao",
            "email": "asha@power.gov.in",
            "service": "IAS",
            "group": "A",
            "mdo": POWER,
            "employee_id": "SECRET-EMP-1",
            "mobile": "9876543210",
            "date_of_birth": "1975-03-04",
        },
    )
    saved = lifecycle.save(admin, "Officer", doc.name, {"mobile": "9123456789", "designation": "Director"})
    from app.web import create_app

    app = create_app(site=site)
    return {
        "site": site,
        "name": saved.name,
        "analyst": token_client(site, "analyst@gov.in", app),
        "admin": token_client(site, "nodal@power.gov.in", app),
    }


def leaks(payload) -> list[str]:
    text = json.dumps(payload)
    return [s for s in SECRETS if s in text]


def test_version_history_shows_the_analyst_no_hidden_change(world):
    asked = world["analyst"].get(
        "/api/resource/Version",
        query_string={"filters": json.dumps({"docname": world["name"]}), "fields": json.dumps(["data", "restricted"])},
    )
    assert asked.status_code == 400  # the restricted part is nobody's to ask for
    r = world["analyst"].get(
        "/api/resource/Version",
        query_string={"filters": json.dumps({"docname": world["name"]}), "fields": json.dumps(["data", "docname"])},
    )
    assert r.status_code == 200 and r.json["total"] == 1
    assert leaks(r.json) == []
    assert leaks(world["analyst"].get(f"/api/resource/Version/{r.json['data'][0]['name']}").json) == []
    assert {"field": "designation", "old": None, "new": "Director"} in r.json["data"][0]["data"]["changed"]
    # the MDO Admin, who reads those fields, sees their changes
    mine = (
        world["admin"]
        .get(
            "/api/resource/Version",
            query_string={"filters": json.dumps({"docname": world["name"]}), "fields": json.dumps(["data"])},
        )
        .json
    )
    assert {"field": "mobile", "old": "9876543210", "new": "9123456789"} in mine["data"][0]["data"]["changed"]
    assert "restricted" not in json.dumps(mine)


def test_a_deleted_records_version_keeps_its_hidden_fields_from_the_analyst(world):
    admin = context_for(world["site"], "nodal@power.gov.in")
    lifecycle.delete(admin, "Officer", world["name"])
    r = world["analyst"].get(
        "/api/resource/Version",
        query_string={
            "filters": json.dumps({"docname": world["name"]}),
            "order_by": "creation desc",
            "fields": json.dumps(["data"]),
        },
    )
    deleted = r.json["data"][0]["data"]["deleted"]
    assert deleted["full_name"] == "Asha Rao" and leaks(r.json) == []
    one = world["analyst"].get(f"/api/resource/Version/{r.json['data'][0]['name']}").json
    assert one["data"]["data"]["deleted"]["email"] == "asha@power.gov.in" and leaks(one) == []


@pytest.mark.parametrize(
    "params",
    [
        {"filters": json.dumps({"employee_id": "SECRET-EMP-1"})},
        {"filters": json.dumps([["date_of_birth", "<", "1976-01-01"]])},
        {"filters": json.dumps([["mobile", "like", "98%"]])},
        {"order_by": "date_of_birth asc"},
        {"order_by": "-mobile"},
    ],
    ids=["equals", "range", "like", "sort", "sort-desc"],
)
def test_hidden_fields_are_refused_as_filters_and_sort_keys(world, params):
    r = world["analyst"].get("/api/resource/Officer", query_string=params)
    assert r.status_code == 400 and "may not filter, search or sort on" in r.json["message"], r.json
    # the MDO Admin may
    assert world["admin"].get("/api/resource/Officer", query_string=params).status_code == 200


def test_search_does_not_look_into_hidden_fields(world):
    r = world["analyst"].get("/api/resource/Officer", query_string={"search": "SECRET-EMP"})
    assert r.status_code == 200 and r.json["total"] == 0
    assert world["analyst"].get("/api/resource/Officer", query_string={"search": "Asha"}).json["total"] == 1
    assert world["admin"].get("/api/resource/Officer", query_string={"search": "SECRET-EMP"}).json["total"] == 1
    lookup = world["analyst"].get("/api/method/link_options", query_string={"doctype": "Officer", "txt": "SECRET-EMP"})
    assert lookup.status_code == 200 and lookup.json["data"] == []


def test_lists_and_exports_leave_hidden_fields_out(world):
    r = world["analyst"].get("/api/resource/Officer", query_string={"fields": json.dumps(["full_name"])})
    assert r.json["total"] == 1 and leaks(r.json) == []
    full = world["analyst"].get("/api/resource/Officer")
    assert full.json["data"][0]["full_name"] == "Asha Rao" and leaks(full.json) == []
    from app import importer

    text = importer.export_rows(context_for(world["site"], "analyst@gov.in"), "Officer")
    assert "Asha Rao" in text and not [s for s in SECRETS if s in text]


def test_the_admin_list_neither_searches_nor_shows_hidden_fields(world):
    from app.web import create_app

    client = create_app(site=world["site"]).test_client()
    client.post("/api/method/login", json={"email": "analyst@gov.in", "password": "correct horse battery"})
    page = client.get("/admin/officer/", query_string={"search": "SECRET-EMP"}).get_data(as_text=True)
    assert "Asha Rao" not in page and not [s for s in SECRETS if s in page]
    page = client.get(f"/admin/officer/details/?id={world['name']}").get_data(as_text=True)
    assert "Asha Rao" in page and not [s for s in SECRETS if s in page]
