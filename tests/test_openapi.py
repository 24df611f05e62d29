"""The OpenAPI description: valid, generated from the meta, and a bounded schemathesis run
against it finds no server error."""

import schemathesis
from hypothesis import HealthCheck, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error

from app import auth, install
from app.model import lifecycle
from app.site import Site
from app.web import create_app

from .conftest import add_user, make_config, token_client

SITE = Site(make_config("mongomock"))
install.init(SITE)
ADMIN = add_user(SITE, "dopt.admin@gov.in", ["System Manager"])
TOKEN = auth.create_token(SITE, ADMIN)
APP = create_app(site=SITE)
SCHEMA = schemathesis.openapi.from_wsgi("/api/openapi.json", APP)


def test_spec_is_valid_openapi_and_follows_the_meta(site):
    spec = create_app(site=site).test_client().get("/api/openapi.json").json
    validate(spec)
    officer = spec["components"]["schemas"]["Officer"]["properties"]
    assert officer["group"]["enum"] == ["A", "B", "C"] and officer["date_of_birth"]["format"] == "date"
    assert officer["postings"]["items"]["$ref"] == "#/components/schemas/OfficerPosting"
    assert set(spec["components"]["schemas"]["OfficerInput"]["required"]) >= {"full_name", "email", "group", "mdo"}
    assert "/api/resource/Sanction/{name}/submit" in spec["paths"]
    assert "/api/resource/Officer/{name}/submit" not in spec["paths"]
    for op in spec["paths"]["/api/resource/Officer"].values():
        assert {"400", "401", "403", "404", "409"} <= set(op["responses"])


def test_spec_shows_the_callers_custom_fields_and_workflow_actions(site):
    lifecycle.insert(
        site.context(),
        "Custom Field",
        {
            "ref_doctype": "Officer",
            "mdo": "Ministry of Power",
            "fieldname": "pay_level",
            "label": "Pay Level",
            "fieldtype": "Int",
        },
    )
    power = token_client(site, add_user(site, "nodal@power.gov.in", ["MDO Admin"], ["Ministry of Power"]))
    steel = token_client(site, add_user(site, "nodal@steel.gov.in", ["MDO Admin"], ["Ministry of Steel"]))
    assert "pay_level" in power.get("/api/openapi.json").json["components"]["schemas"]["Officer"]["properties"]
    assert "pay_level" not in steel.get("/api/openapi.json").json["components"]["schemas"]["Officer"]["properties"]
    from .test_workflow import APPROVAL

    lifecycle.insert(site.context(), "Workflow", APPROVAL)
    spec = power.get("/api/openapi.json").json
    action = spec["paths"]["/api/resource/Sanction/{name}/transition"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]
    assert action["properties"]["action"]["enum"] == ["Approve", "Reject", "Send for Approval", "Withdraw"]


def test_docs_page_is_served_locally():
    client = APP.test_client()
    page = client.get("/api/docs").get_data(as_text=True)
    assert "/api/docs/static/swagger-ui-bundle.js" in page and "http" not in page.split("<body>")[1].split("url:")[0]
    assert client.get("/api/docs/static/swagger-ui-bundle.js").status_code == 200


@SCHEMA.parametrize()
@settings(max_examples=8, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_server_error(case):
    case.call_and_validate(headers={"Authorization": f"token {TOKEN}"}, checks=[not_a_server_error])


def test_every_route_is_described():
    """Each URL rule of the API (and the public verification page) has a path in the
    description, so the schemathesis run below reaches every route."""
    import re

    spec = APP.test_client().get("/api/openapi.json").json
    templates = [re.sub(r"\{[^}]+\}", "{}", p) for p in spec["paths"]]
    missing = []
    for rule in APP.url_map.iter_rules():
        path = str(rule)
        if not (path.startswith("/api/") or path.startswith("/verify/")):
            continue
        shape = re.sub(r"<[^>]+>", "{}", path)
        if "<any(" in path:  # submit, cancel, amend: one path each
            shape = re.sub(r"\{\}$", "submit", shape)
        if "{}" in shape.split("/")[3:4] or shape.startswith("/api/resource/{}"):
            found = any(
                re.fullmatch(re.escape(shape).replace(r"\{\}", "[^/]+(?:/[^/]+)*?"), re.sub(r"\{[^}]+\}", "x", p))
                for p in spec["paths"]
            )
        else:
            found = shape in templates or any(
                re.fullmatch(re.escape(shape).replace(r"\{\}", "[^/]+"), t.replace("{}", "x")) for t in templates
            )
        if not found:
            missing.append(path)
    assert missing == []
