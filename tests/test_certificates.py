"""Certificates: issued with a PDF carrying the verification code and a QR code; the public
/verify/<code> page shows only name, course, date and validity; revocation (with a reason)
shows there and takes the passbook entries that came from the certificate out of the count."""

import pytest

from .conftest import add_user, token_client
from .frac_world import BUDGET, POWER, build
from .test_content import publish


@pytest.fixture
def world(mock_site):
    w = build(mock_site)
    for key, email, roles in (
        ("reviewer", "reviewer@power.gov.in", ["Content Reviewer"]),
        ("publisher", "publisher@power.gov.in", ["Content Publisher"]),
        ("td", "td@dopt.gov.in", ["Training Division"]),
    ):
        add_user(mock_site, email, roles, [POWER] if "power" in email else [])
        w.c[key] = token_client(mock_site, email, app=w.app)
    pos = w.position()
    w.verify_map(w.role_map(pos, [w.role("Budget preparation", {BUDGET: 3})]))
    w.off = w.officer("asha@power.gov.in", position=pos, name="Asha Rao")
    w.me = w.learner("asha@power.gov.in")
    w.module = w.create(
        "content",
        "Content Module",
        {
            "title": "Outcome budgeting",
            "kind": "Lesson Text",
            "mdo": POWER,
            "lesson_text": "Outputs, outcomes and the budget.",
            "competencies": [{"competency": BUDGET, "level": 3}],
        },
    )["name"]
    publish(w, w.module)
    return w


def pdf_text(data: bytes) -> str:
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def complete(w, who=None):
    """The officer reads the lesson text to its end (as the portal's player reports it): the
    module completes and its certificate is issued."""
    from .test_progress import read_lesson

    state = read_lesson(w, w.module, who or w.me)
    assert state["complete"], state
    return w.get(who or w.me, f"resource/Certificate/{state['certificate']}", 200).json["data"]


def gap(w):
    return w.get("admin", "method/gap", officer=w.off).json["data"]["competencies"][0]


def test_completing_a_module_issues_a_verifiable_certificate(world):
    w = world
    assert gap(w)["current_level"] == 0
    refused = w.post(w.me, "method/complete_module", {"module": w.module}, 400).json["message"]
    assert "cannot be marked complete by hand" in refused  # a measured module
    assert w.site.db["certificate"].count_documents({}) == 0
    cert = complete(w)
    assert (cert["officer"], cert["title"], cert["content_module"], cert["status"]) == (
        w.off,
        "Outcome budgeting",
        w.module,
        "Valid",
    )
    again = complete(w)
    assert again["name"] == cert["name"]  # once per module
    assert gap(w)["current_level"] == 3  # the passbook took the module's competency
    text = pdf_text(w.get(w.me, f"file/{cert['pdf']}", 200).data)
    for expected in (
        "Certificate of Completion",
        "Asha Rao",
        "Outcome budgeting",
        POWER,
        f"Verification code: {cert['code']}",
        f"Verify at http://localhost:8000/verify/{cert['code']}",
    ):
        assert expected in text, expected

    anonymous = w.app.test_client()
    page = anonymous.get(f"/verify/{cert['code']}")
    assert page.status_code == 200 and b"This certificate is valid." in page.data and b"Asha Rao" in page.data
    data = anonymous.get(f"/verify/{cert['code']}?format=json").json["data"]
    assert data == {"name": "Asha Rao", "course": "Outcome budgeting", "date": cert["issued_on"], "status": "Valid"}
    for private in (b"asha@power.gov.in", POWER.encode(), w.off.encode(), cert["name"].encode()):
        assert private not in page.data  # nothing else about the officer
    assert anonymous.get("/verify/AAAA-BBBB-CCCC").status_code == 404
    assert anonymous.get(f"/verify/{cert['code'].lower()}").status_code == 200  # typed in lower case


def test_revocation_needs_a_reason_shows_on_verify_and_takes_the_passbook_entries_out(world):
    w = world
    cert = complete(w)
    path = f"resource/Certificate/{cert['name']}/action/revoke"
    w.post(w.me, path, {"reason": "mine"}, 403)  # the officer may not
    w.post("steel_admin", path, {"reason": "x"}, 404)  # nor another MDO
    w.post("content", path, {"reason": "x"}, 403)
    assert "Reason is needed" in w.post("admin", path, {}, 400).json["message"]
    w.post("admin", path, {"reason": "Assessment found to be impersonated"}, 200)
    stored = w.get("admin", f"resource/Certificate/{cert['name']}", 200).json["data"]
    assert (stored["status"], stored["revocation_reason"], stored["revoked_by"]) == (
        "Revoked",
        "Assessment found to be impersonated",
        "nodal@power.gov.in",
    )
    page = w.app.test_client().get(f"/verify/{cert['code']}")
    assert b"This certificate has been revoked." in page.data and b"impersonated" not in page.data
    assert w.app.test_client().get(f"/verify/{cert['code']}?format=json").json["data"]["status"] == "Revoked"
    entries = w.site.db["passbook_entry"].find({"certificate": cert["name"]})
    assert [e["workflow_state"] for e in entries] == ["Revoked"]
    assert gap(w)["current_level"] == 0  # no longer counted
    assert "already revoked" in w.post("td", path, {"reason": "again"}, 400).json["message"]
    w.put("admin", f"resource/Certificate/{cert['name']}", {"status": "Valid"}, 200)
    assert w.get("admin", f"resource/Certificate/{cert['name']}").json["data"]["status"] == "Revoked"  # read-only


def test_only_published_modules_are_completed_and_only_by_officers(world):
    w = world
    draft = w.create("content", "Content Module", {"title": "Draft", "kind": "Lesson Text", "mdo": POWER, "lesson_text": "x"})[
        "name"
    ]
    assert (
        "not in the catalogue"
        in w.post(w.me, "method/record_progress", {"module": draft, "read_to_end": True}, 404).json["message"]
    )
    refused = w.post("reviewer", "method/record_progress", {"module": w.module, "read_to_end": True}, 400).json["message"]
    assert "not an officer" in refused
    w.get(w.me, "resource/Certificate", 200)
    other = w.officer("ravi@power.gov.in", name="Ravi")
    from doctypes.learning import certificates

    theirs = certificates.complete_module(w.site.context(), other, w.module)
    w.get(w.me, f"resource/Certificate/{theirs.name}", 404)  # an officer reads only their own
    assert [c["name"] for c in w.get(w.me, "resource/Certificate").json["data"]] == []


def test_a_revoked_module_certificate_is_explained_to_the_officer_who_may_take_the_module_again(world):
    """Revocation tells the officer why, in their language, on the bell and on the module's
    page; the module is taken again in a new attempt and earns a new certificate, while the
    revoked one stays, revoked."""
    w = world
    w.site.db.user.update_one({"_id": w.me}, {"$set": {"language": "Hindi"}})
    cert = complete(w)
    w.post("admin", f"resource/Certificate/{cert['name']}/action/revoke", {"reason": "Assessment found to be impersonated"}, 200)
    (told,) = w.site.db.notification.find({"for_user": w.me, "event": f"revoked:{cert['name']}"})
    assert told["subject"] == "Your certificate for Outcome budgeting was revoked"
    assert "Assessment found to be impersonated" in told["message"] and told["link"].endswith(f"/catalogue/{w.module}")
    (mailed,) = w.site.db.mail.find({"recipient": w.me, "kind": "certificate", "subject": {"$regex": "रद्द"}})
    assert "कारण: Assessment found to be impersonated" in mailed["body_text"]  # in her language

    w.app.config["WTF_CSRF_ENABLED"] = False
    browser = w.app.test_client()
    browser.post("/sign-in", data={"email": w.me, "password": "pw-" + w.me})
    page = browser.get(f"/catalogue/{w.module}").get_data(as_text=True)
    assert "Assessment found to be impersonated" in page and 'id="revoked-certificate"' in page
    assert '<span id="completed-text"></span>' in page  # not "You completed this module"
    state = w.get(w.me, "method/module_progress", module=w.module).json["data"]
    assert not state["complete"] and not state["done"]  # a new attempt, not the old completion

    again = complete(w)
    assert again["name"] != cert["name"] and again["status"] == "Valid"
    kept = w.get("admin", f"resource/Certificate/{cert['name']}").json["data"]
    assert kept["status"] == "Revoked"
    attempts = list(w.site.db.module_attempt.find({"module": w.module}))
    assert sorted(a.get("revoked_certificate") or "" for a in attempts) == ["", cert["name"]]
