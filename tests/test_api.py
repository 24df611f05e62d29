"""The REST API: CRUD, listing, docstatus actions and error shapes."""

import io
import json

import pytest

from .conftest import add_user, token_client


@pytest.fixture
def client(site):
    return token_client(site, add_user(site, "dopt.admin@gov.in", ["System Manager"]))


@pytest.fixture
def officer_payload(officer_data):
    return officer_data | {"postings": [{"designation": "Deputy Secretary", "from_date": "2019-01-01"}]}


def create(client, payload, doctype="Officer"):
    response = client.post(f"/api/resource/{doctype}", json=payload)
    assert response.status_code == 201, response.json
    return response.json["data"]


def test_create_read_update_delete(client, officer_payload):
    doc = create(client, officer_payload)
    assert doc["name"].startswith("OFF-") and doc["postings"][0]["idx"] == 1
    got = client.get(f"/api/resource/Officer/{doc['name']}").json["data"]
    assert got["email"] == "asha.rao@gov.in" and got["modified"] == doc["modified"]
    got["designation"] = "Director"
    updated = client.put(f"/api/resource/Officer/{doc['name']}", json=got)
    assert updated.status_code == 200 and updated.json["data"]["designation"] == "Director"
    assert client.delete(f"/api/resource/Officer/{doc['name']}").status_code == 200
    assert client.get(f"/api/resource/Officer/{doc['name']}").status_code == 404


def test_names_with_spaces_and_slashes_in_url(client):
    got = client.get("/api/resource/MDO/Department of Agriculture, Cooperation & Farmer Welfare")
    assert got.status_code == 200 and got.json["data"]["abbreviation"] == "DAC&FW"


def test_invalid_record_is_400_with_field_errors(client, officer_payload):
    response = client.post(
        "/api/resource/Officer", json=officer_payload | {"email": "nope", "year_of_allotment": 1800, "shoe_size": 9}
    )
    assert response.status_code == 400
    body = response.json
    assert body["error"] == "ValidationError" and body["doctype"] == "Officer"
    assert set(body["errors"]) == {"email", "year_of_allotment", "shoe_size"}


def test_stale_update_is_409(client, officer_payload):
    doc = create(client, officer_payload)
    first = client.put(f"/api/resource/Officer/{doc['name']}", json={"designation": "A", "modified": doc["modified"]})
    assert first.status_code == 200
    stale = client.put(f"/api/resource/Officer/{doc['name']}", json={"designation": "B", "modified": doc["modified"]})
    assert stale.status_code == 409 and stale.json["error"] == "StaleDocument"
    assert client.get(f"/api/resource/Officer/{doc['name']}").json["data"]["designation"] == "A"


def test_duplicate_is_409_or_400(client, officer_payload):
    create(client, officer_payload)
    again = client.post("/api/resource/Officer", json=officer_payload)
    assert again.status_code == 400 and "must be unique" in again.json["errors"]["email"][0]
    mdo = client.post("/api/resource/MDO", json={"mdo_name": "Ministry of Steel", "mdo_type": "Ministry"})
    assert mdo.status_code == 400 and "must be unique" in mdo.json["errors"]["mdo_name"][0]


def test_missing_things_are_404(client):
    assert client.get("/api/resource/Officer/OFF-1900-00001").json["error"] == "NotFound"
    assert client.get("/api/resource/Nothing").status_code == 404
    assert client.get("/api/resource/Officer Posting").status_code == 404  # child tables via parent
    assert client.get("/api/nowhere").status_code == 404


def test_name_cannot_be_chosen_on_create(client, officer_payload):
    response = client.post("/api/resource/Officer", json=officer_payload | {"name": "OFF-MINE"})
    assert response.status_code == 400 and "naming rule" in response.json["errors"]["name"][0]


def test_body_must_be_an_object(client):
    response = client.post("/api/resource/Officer", data="[1,2]", content_type="application/json")
    assert response.status_code == 400


def test_list_filters_fields_sort_paging_total(client, officer_payload):
    for i, (service, group, year) in enumerate([("IAS", "A", 2010), ("CSS", "B", 2015), ("IAS", "A", 2018), ("IPS", "A", 2012)]):
        create(
            client,
            officer_payload
            | {
                "email": f"o{i}@gov.in",
                "full_name": f"Officer {i}",
                "service": service,
                "group": group,
                "year_of_allotment": year,
            },
        )
    listed = client.get(
        "/api/resource/Officer",
        query_string={
            "filters": json.dumps([["service", "=", "IAS"]]),
            "fields": json.dumps(["full_name", "year_of_allotment"]),
            "order_by": "year_of_allotment desc",
        },
    ).json
    assert listed["total"] == 2 and [r["year_of_allotment"] for r in listed["data"]] == [2018, 2010]
    assert set(listed["data"][0]) == {"name", "full_name", "year_of_allotment"}
    as_dict = client.get(
        "/api/resource/Officer", query_string={"filters": json.dumps({"year_of_allotment": [">=", "2012"], "group": "A"})}
    ).json
    assert as_dict["total"] == 2
    page = client.get("/api/resource/Officer", query_string={"order_by": "year_of_allotment asc", "limit": 2, "offset": 2}).json
    assert page["total"] == 4 and [r["year_of_allotment"] for r in page["data"]] == [2015, 2018]
    like = client.get("/api/resource/Officer", query_string={"filters": json.dumps([["full_name", "like", "%cer 3"]])}).json
    assert [r["full_name"] for r in like["data"]] == ["Officer 3"]
    in_list = client.get("/api/resource/Officer", query_string={"filters": json.dumps([["service", "in", ["CSS", "IPS"]]])}).json
    assert in_list["total"] == 2
    child = client.get(
        "/api/resource/Officer", query_string={"filters": json.dumps([["postings.designation", "=", "Deputy Secretary"]])}
    ).json
    assert child["total"] == 4
    searched = client.get("/api/resource/Officer", query_string={"search": "o2@gov"}).json
    assert [r["email"] for r in searched["data"]] == ["o2@gov.in"]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"filters": json.dumps([["shoe_size", "=", 9]])}, "shoe_size"),
        ({"filters": json.dumps([["year_of_allotment", "=", "soon"]])}, "year_of_allotment"),
        ({"filters": json.dumps([["full_name", "~", "x"]])}, "full_name"),
        ({"filters": "[[not json"}, "filters"),
        ({"order_by": "shoe_size desc"}, "shoe_size"),
        ({"fields": json.dumps(["shoe_size"])}, "shoe_size"),
        ({"limit": "ten"}, "limit"),
    ],
)
def test_bad_list_parameters_are_400(client, params, field):
    response = client.get("/api/resource/Officer", query_string=params)
    assert response.status_code == 400 and field in response.json["errors"]


def test_submit_cancel_amend(client):
    doc = create(client, {"purpose": "MITx fee", "amount": 100, "mdo": "Ministry of Steel"}, "Sanction")
    submitted = client.post(f"/api/resource/Sanction/{doc['name']}/submit", json={"modified": doc["modified"]})
    assert submitted.status_code == 200 and submitted.json["data"]["docstatus"] == 1
    refused = client.put(f"/api/resource/Sanction/{doc['name']}", json={"amount": 5})
    assert refused.status_code == 409 and refused.json["error"] == "DocStatusError"
    assert client.delete(f"/api/resource/Sanction/{doc['name']}").status_code == 409
    cancelled = client.post(f"/api/resource/Sanction/{doc['name']}/cancel")
    assert cancelled.json["data"]["docstatus"] == 2
    amended = client.post(f"/api/resource/Sanction/{doc['name']}/amend")
    assert amended.status_code == 201 and amended.json["data"]["name"] == f"{doc['name']}-1"
    assert client.post(f"/api/resource/Sanction/{doc['name']}/submit").status_code == 409


def test_file_upload_and_attach(client, site):
    uploaded = client.post(
        "/api/file", data={"file": (io.BytesIO(b"\x89PNG photo"), "photo.png")}, content_type="multipart/form-data"
    )
    assert uploaded.status_code == 201
    file_id = uploaded.json["data"]["file_id"]
    doc = create(client, {"title": "with file", "document": file_id}, "Field Sampler")
    assert doc["document"] == file_id
    downloaded = client.get(f"/api/file/{file_id}")
    assert downloaded.data == b"\x89PNG photo"
    assert client.get("/api/file/not-an-id").status_code == 404


def test_versions_via_api(client, officer_payload):
    doc = create(client, officer_payload)
    client.put(f"/api/resource/Officer/{doc['name']}", json={"designation": "Director"})
    versions = client.get(
        "/api/resource/Version", query_string={"filters": json.dumps({"ref_doctype": "Officer", "docname": doc["name"]})}
    ).json
    assert versions["total"] == 1 and versions["data"][0]["data"]["changed"] == [
        {"field": "designation", "old": None, "new": "Director"}
    ]


def test_doctype_meta_endpoint(client):
    meta = client.get("/api/doctype/Officer").json["data"]
    assert meta["collection"] == "officer" and meta["fields"][0]["fieldname"] == "mdo"
