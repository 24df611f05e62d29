"""Mails and notifications are in the recipient's language: a learner whose profile says Hindi
gets the certificate's notification and mail in Hindi, on the bell as in the mail, and is sent
to their portal page, not the back office; every message of the mails and notifications, and
every workflow word they carry, has its Hindi."""

import pytest

from app import i18n, notifications
from app.model import lifecycle

from . import frac_world
from .conftest import PASSWORD


@pytest.fixture
def world(mock_site):
    w = frac_world.build(mock_site)
    w.app.config["WTF_CSRF_ENABLED"] = False
    w.asha = w.officer("asha@power.gov.in", name="Asha Rao")
    w.ravi = w.officer("ravi@power.gov.in", name="Ravi Kumar")
    lifecycle.save(mock_site.context(), "User", "asha@power.gov.in", {"language": "Hindi"})
    return w


def _certificate(w, officer, title="Outcome budgeting"):
    from doctypes.learning import certificates

    module = w.site.db.content_module.find_one({}) or {
        "_id": lifecycle.insert(
            w.site.context(),
            "Content Module",
            {"title": title, "kind": "Lesson Text", "lesson_text": "x", "mdo": frac_world.POWER, "workflow_state": "Published"},
        ).name
    }
    return certificates.issue(
        w.site.context(), officer=officer, title=title, issued_on="2026-12-01", content_module=module["_id"]
    )


def test_a_hindi_learner_is_told_in_hindi_and_sent_to_the_portal(world):
    w, site = world, world.site
    _certificate(w, w.asha)
    _certificate(w, w.ravi)
    hers = site.db.notification.find_one({"for_user": "asha@power.gov.in", "kind": "Certificate"})
    assert hers["subject"] == "Your certificate: Outcome budgeting"  # the English kept for the back office
    assert hers["link"] == "http://localhost:8000/certificates"  # a learner's link: the portal, not /admin
    mail = site.db.mail.find_one({"recipient": "asha@power.gov.in", "kind": "certificate"})
    assert mail["subject"] == "आपका प्रमाणपत्र: Outcome budgeting"
    for text in (mail["body_text"], mail["body_html"]):
        assert "प्रिय Asha Rao," in text and "चुनें कि आपको किन बातों पर ई-मेल मिले" in text
        assert "Dear" not in text and "You get this mail" not in text
    assert 'lang="hi"' in mail["body_html"]
    his = site.db.mail.find_one({"recipient": "ravi@power.gov.in", "kind": "certificate"})
    assert his["subject"] == "Your certificate: Outcome budgeting" and "Dear Ravi Kumar," in his["body_text"]

    from app import auth

    auth.set_password(site, "asha@power.gov.in", PASSWORD)
    client = w.app.test_client()
    client.post("/sign-in", data={"email": "asha@power.gov.in", "password": PASSWORD})
    bell = client.get("/notifications").get_data(as_text=True)
    assert "आपका प्रमाणपत्र: Outcome budgeting" in bell and "Your certificate" not in bell
    opened = client.get(f"/notifications/{hers['_id']}")
    assert opened.headers["Location"] == "/certificates"


def test_a_back_office_user_still_opens_the_record_in_the_back_office(world):
    assert notifications.record_link(world.site, "Certificate", "CERT-1", "nodal@power.gov.in").startswith(
        "http://localhost:8000/admin/certificate/details/"
    )


def test_every_message_of_mails_and_notifications_has_its_hindi(mock_site):
    from babel.messages import extract

    from app.config import ROOT

    hindi = i18n.translations(mock_site, "hi")
    wanted = set()
    for folder, method_map in (
        (ROOT / "app", [("*.py", "python"), ("templates/mail/**.txt", "jinja2"), ("templates/mail/**.html", "jinja2")]),
        (ROOT / "doctypes" / "learning", [("**.py", "python")]),
        (ROOT / "doctypes" / "frac", [("module.py", "python")]),  # how its records are named in notifications
    ):
        for _file, _line, message, _comments, _context in extract.extract_from_dir(
            folder, method_map, keywords={"_": None, "N_": None}
        ):
            wanted.add(message)
    for workflow in mock_site.db.workflow.find(
        {"document_type": {"$in": ["Passbook Entry", "Enrolment", "Reimbursement Claim"]}}
    ):
        wanted.add(workflow["document_type"])
        wanted.update(s["state"] for s in workflow["states"])
        wanted.update(t["action"] for t in workflow["transitions"])
    missing = sorted(m for m in wanted if hindi.gettext(m) == m)
    assert missing == [], "\n".join(missing)
    assert i18n.say(mock_site, i18n.words("Comment: %(comment)s", comment="ok"), "hi") == "टिप्पणी: ok"


def test_every_doctype_field_and_option_label_has_its_hindi(mock_site):
    """The meta's labels (each doctype's name, its fields' labels and their options) are in the
    Hindi catalogues, each module's in its own ``translations`` folder."""
    catalogue = i18n.translations(mock_site, "hi")._catalog
    missing = []
    for meta in mock_site.registry:
        if meta.module == "Tests":
            continue
        texts = [meta.name] + [f.label for f in meta.fields if f.label]
        texts += [o for f in meta.fields for o in f.select_options or []]
        missing += [f"{meta.name}: {t}" for t in texts if t not in catalogue]
    assert missing == [], "\n".join(missing)


def test_labels_come_in_the_language_asked_for_and_only_for_fields_the_caller_reads(world):
    w = world
    w.learner("asha@power.gov.in")
    hindi = w.get("asha@power.gov.in", "method/labels", 200, doctype="Officer", lang="hi").json["data"]
    fields = {f["fieldname"]: f for f in hindi["fields"]}
    assert hindi["label"] == "अधिकारी" and fields["gender"]["label"] == "लिंग"
    assert fields["gender"]["options"]["Female"] == "महिला"
    assert "employee_id" not in fields and "date_of_birth" not in fields  # above the learner's level
    admin = w.get("admin", "method/labels", 200, doctype="Officer", lang="hi").json["data"]
    assert "कर्मचारी आईडी" in [f["label"] for f in admin["fields"]]  # the MDO Admin reads that level
    assert w.get("admin", "method/labels", 200, doctype="Officer").json["data"]["label"] == "Officer"
    w.get("asha@power.gov.in", "method/labels", 403, doctype="Custom DocPerm", lang="hi")  # a doctype she may not read
    assert "lang" in w.get("admin", "method/labels", 400, doctype="Officer", lang="fr").json["errors"]


POVERTY = "The Challenges of Global Poverty"


def _paid_claim(w):
    """Asha's fee claim for a certified course, verified by Tara Singh (Training Division),
    approved by Venkatesh Rao and paid by Meera Iyer (Finance); its name."""
    import io

    from app import files
    from app.auth import context_for
    from app.model import transitions

    from .conftest import add_user

    site = w.site
    for email, role, name in (
        ("tara@dopt.gov.in", "Training Division", "Tara Singh"),
        ("venkatesh@dopt.gov.in", "Finance", "Venkatesh Rao"),
        ("meera@dopt.gov.in", "Finance", "Meera Iyer"),
    ):
        add_user(site, email, [role])
        lifecycle.save(site.context(), "User", email, {"full_name": name})
    site.db.enrolment.insert_one(  # as the Training Division leaves it once the certificate is issued
        {
            "_id": "ENR-2026-000001",
            "officer": w.asha,
            "officer_email": "asha@power.gov.in",
            "officer_name": "Asha Rao",
            "mdo": frac_world.POWER,
            "course": POVERTY,
            "workflow_state": "Certified",
            "certificate_no": "IGOT/2026/ENR-2026-000001",
            "docstatus": 1,
        }
    )
    asha = context_for(site, "asha@power.gov.in")
    proof = files.store(asha, io.BytesIO(b"%PDF-1.4 receipt\n%%EOF\n"), "receipt.pdf", accept=["pdf"])
    claim = lifecycle.insert(
        asha, "Reimbursement Claim", {"enrolment": "ENR-2026-000001", "amount_paid": 100, "currency": "USD", "proof": proof}
    ).name
    paid = {"paid_on": "08/12/2026", "payment_reference": "SBIN426012345678"}
    for who, action in (("tara", "Verify"), ("venkatesh", "Approve"), ("meera", "Pay")):
        values = paid if action == "Pay" else None
        transitions.apply(context_for(site, f"{who}@dopt.gov.in"), "Reimbursement Claim", claim, action, values=values)
    return claim


def test_a_fee_claim_is_told_as_who_did_what_to_which_course_for_how_much_in_each_readers_language(world):
    w, site = world, world.site
    claim = _paid_claim(w)
    paid = site.db.notification.find_one({"for_user": "asha@power.gov.in", "kind": "Decision", "subject": {"$regex": "paid"}})
    assert paid["subject"] == f"Meera Iyer paid your fee claim for {POVERTY}: USD 100."
    assert paid["message"] == "It is now Paid."
    (mailed,) = site.db.mail.find({"recipient": "asha@power.gov.in", "subject": {"$regex": "भुगतान किया"}})
    assert mailed["subject"] == f"{POVERTY} के लिए आपका शुल्क दावा: Meera Iyer ने इसका भुगतान किया — USD 100।"
    assert "अब इसकी स्थिति: भुगतान हुआ।" in mailed["body_text"] and "It is now" not in mailed["body_text"]
    # Finance is told whose claim waits for it, and for how much, in English
    task = site.db.notification.find_one({"for_user": "meera@dopt.gov.in", "kind": "Task", "subject": {"$regex": "Pay"}})
    assert task["subject"] == (f"Venkatesh Rao approved the fee claim of Asha Rao for {POVERTY}: USD 100. It waits for you: Pay.")
    told = list(site.db.notification.find({"document_name": claim}))
    assert {n["for_user"] for n in told} >= {
        "asha@power.gov.in",
        "tara@dopt.gov.in",
        "venkatesh@dopt.gov.in",
        "meera@dopt.gov.in",
    }
    for n in told:  # the claim by its course, never by its id
        assert claim not in n["subject"] + n["message"] and POVERTY in n["subject"], n["subject"]
        hindi = i18n.say(site, n["subject_words"], "hi") + i18n.say(site, n["message_words"], "hi")
        assert claim not in hindi and POVERTY in hindi and "USD 100" in hindi
        assert not any(english in hindi for english in ("paid", "approved", "verified", "waits", "It is now"))
    assert all(claim not in m["subject"] for m in site.db.mail.find({"kind": {"$in": ["task", "decision"]}}))

    from app import auth

    auth.set_password(site, "asha@power.gov.in", PASSWORD)
    client = w.app.test_client()
    client.post("/sign-in", data={"email": "asha@power.gov.in", "password": PASSWORD})
    bell = client.get("/notifications").get_data(as_text=True)
    assert "Meera Iyer ने इसका भुगतान किया — USD 100।" in bell and "Meera Iyer paid" not in bell


def test_a_role_map_is_named_by_its_position_as_its_module_declares(world):
    w, site = world, world.site
    rm = w.role_map(w.position("Section Officer (Coordination)"), [w.role("Budget officer", {frac_world.BUDGET: 2})])
    lifecycle.save(site.context(), "User", "l1@power.gov.in", {"full_name": "Venkatesh Rao"})
    lifecycle.save(site.context(), "User", "nodal@power.gov.in", {"language": "Hindi"})
    w.act("admin", "Role Map", rm, "Submit for Review")
    w.act("l1", "Role Map", rm, "Verify")
    told = site.db.notification.find_one({"for_user": "nodal@power.gov.in", "kind": "Decision"})
    assert told["subject"] == "Venkatesh Rao verified the role map for Section Officer (Coordination)."
    assert rm not in told["subject"]
    mailed = site.db.mail.find_one({"recipient": "nodal@power.gov.in", "subject": {"$regex": "Venkatesh"}})
    assert mailed["subject"] == "Section Officer (Coordination) के लिए भूमिका मानचित्र: Venkatesh Rao ने इसे सत्यापित किया।"


def test_an_amount_is_the_records_latest_with_its_currency_in_indian_digit_groups(mock_site):
    course = mock_site.meta("Course")
    assert notifications.amount_of(course, {"list_fee": 1200000, "currency": "INR"}) == "INR 12,00,000"
    assert notifications.amount_of(course, {"list_fee": 250, "discounted_fee": 99.5, "currency": "USD"}) == "USD 99.50"
    assert notifications.amount_of(course, {"title": "No fee"}) == ""
