"""A new module is added without touching the engine: ``tests/extra_modules/library`` brings
a doctype, an API method, an admin page and a background job in its own folder, and the
installation that lists that folder serves them all, through the access layer."""

import pytest

from app import install
from app.auth import context_for
from app.config import ROOT
from app.model import lifecycle
from app.site import Site

from .conftest import PASSWORD, add_user, make_config, token_client

LIBRARY = ROOT / "tests" / "extra_modules"
POWER, STEEL = "Ministry of Power", "Ministry of Steel"


@pytest.fixture
def site():
    config = make_config("mongomock")
    import dataclasses

    s = Site(dataclasses.replace(config, doctype_paths=(*config.doctype_paths, LIBRARY)))
    install.init(s)
    for email, mdo in (("nodal@power.gov.in", POWER), ("nodal@steel.gov.in", STEEL)):
        add_user(s, email, ["MDO Admin"], [mdo])
        ctx = context_for(s, email)
        officer = lifecycle.insert(
            ctx,
            "Officer",
            {
                "full_name": f"Reader {mdo}",
                "email": f"reader@{mdo[12:].lower()}.gov.in",
                "service": "IAS",
                "group": "A",
                "mdo": mdo,
            },
        ).name
        lifecycle.insert(
            ctx,
            "Book Loan",
            {"title": f"Manual of Office Procedure ({mdo})", "officer": officer, "mdo": mdo, "due_on": "2026-01-15"},
        )
    yield s
    s.close()


def test_the_module_is_found_with_its_doctype(site):
    assert "Library" in site.modules.names and "Book Loan" in site.registry.names
    assert site.modules.folders["Library"] == LIBRARY / "library"


def test_its_api_method_answers_within_the_callers_mdo(site):
    from app.web import create_app

    app = create_app(site=site)
    power = token_client(site, "nodal@power.gov.in", app)
    r = power.get("/api/method/overdue_loans", query_string={"on": "2026-02-01"})
    assert r.status_code == 200 and [loan["title"] for loan in r.json["data"]] == [
        "Manual of Office Procedure (Ministry of Power)"
    ]
    assert app.test_client().get("/api/method/overdue_loans").status_code == 401
    spec = power.get("/api/openapi.json").json
    assert spec["paths"]["/api/method/overdue_loans"]["get"]["summary"] == "Loans past their due date"
    assert "/api/resource/Book Loan" in spec["paths"]


def test_its_page_is_in_the_admin(site):
    from app.web import create_app

    client = create_app(site=site).test_client()
    client.post("/api/method/login", json={"email": "nodal@steel.gov.in", "password": PASSWORD})
    page = client.get("/admin/loans/").get_data(as_text=True)
    assert "Books on loan" in page and "Ministry of Steel" in page and "Ministry of Power" not in page


def test_its_job_runs_as_the_user_who_queued_it(site):
    from app import jobs

    job = jobs.submit(context_for(site, "nodal@power.gov.in"), "count_loans")
    done = site.db.background_job.find_one({"_id": job.name})
    assert done["status"] == "Succeeded" and done["result"] == {"open": 1}
