"""The admin in a real browser: Debian's chromium driven by Playwright (never downloaded).
Screenshots of the main screens go to artifacts/screenshots/ for a reviewer to look at."""

import os
import re
import threading

import pytest

from app import install
from app.auth import context_for
from app.config import ROOT
from app.model import lifecycle
from app.site import Site
from app.web import create_app

from .conftest import PASSWORD, add_user, make_config

CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "artifacts" / "screenshots"
POWER, STEEL = "Ministry of Power", "Ministry of Steel"

if not os.path.exists(CHROMIUM):
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: .ci/run must install Debian's chromium")
    pytest.skip("Debian chromium is not installed here (.ci/run installs it)", allow_module_level=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from waitress import create_server

    site = Site(make_config("embedded", tmp_path_factory.mktemp("browser") / "var"))
    install.init(site)
    add_user(site, "nodal@power.gov.in", ["MDO Admin"], [POWER])
    add_user(site, "nodal@steel.gov.in", ["MDO Admin"], [STEEL])
    lifecycle.insert(
        context_for(site, "nodal@steel.gov.in"),
        "Officer",
        {"full_name": "Sunita Steel", "email": "sunita@steel.gov.in", "service": "IAS", "group": "A", "mdo": STEEL},
    )
    httpd = create_server(create_app(site=site), host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=httpd.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.effective_port}", site
    httpd.close()
    site.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-sync",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield browser
        browser.close()


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def menu(page, selector):
    """Click ``selector`` in the portal's menu, opening the menu first where it is collapsed
    (a phone's width: only its Menu button shows)."""
    if page.locator("#menu-button").is_visible() and not page.locator(selector).is_visible():
        page.click("#menu-button")
    page.click(selector)


def choose_result(page, text):
    """Click the search result ``text`` of the open searchable select. The results are drawn
    again as each search answers, so the element is found by a locator, which looks it up anew
    on every attempt, never by a handle that the next drawing detaches."""
    page.locator(".select2-drop-active .select2-result-label").filter(has_text=text).first.click()


def pick(page, field, text):
    """Choose ``text`` in a Link field's searchable select, and wait until it is chosen."""
    page.click(f"#s2id_{field}")
    page.locator(".select2-drop-active input.select2-input.select2-focused").fill(text)
    choose_result(page, text)
    page.locator(f"#s2id_{field} .select2-chosen").filter(has_text=text).wait_for()


def fill_officer(page, full_name, email, service, group):
    page.fill("#full_name", full_name)
    page.fill("#email", email)
    pick(page, "service", service)
    page.select_option("#group", group)


def sign_in(browser, base, email):
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{base}/admin/officer/")
    assert "/admin/login/" in page.url
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/admin/officer/*")
    return page


def test_mdo_admin_creates_an_officer_after_a_validation_error(server, browser):
    base, site = server
    page = sign_in(browser, base, "nodal@power.gov.in")
    assert page.inner_text("#signed-in-as") == "nodal"  # the full name (here the name part of the address)
    assert "Sunita Steel" not in page.content()
    page.goto(f"{base}/admin/")
    shot(page, "home")
    page.goto(f"{base}/admin/officer/new/")
    fill_officer(page, "Ravi Power", "ravi@power.gov.in", "Central Secretariat Service", "B")
    page.select_option("#mdo", POWER)
    page.fill("#year_of_allotment", "1800")
    page.click("input[type=submit][value=Save]")
    page.wait_for_selector("text=greater than or equal to 1950")
    shot(page, "officer-form-error")
    assert site.db.officer.count_documents({"email": "ravi@power.gov.in"}) == 0
    page.fill("#year_of_allotment", "2015")
    page.click("#postings-button")  # a child table row, edited inline
    page.fill("#postings-0-designation", "Section Officer")
    page.fill("#postings-0-from_date", "01/07/2016")  # DD/MM/YYYY, whatever the browser
    page.click("text=New Postings")  # away from the field: its calendar closes
    shot(page, "officer-form-inline-row")
    page.click("input[type=submit][value=Save]")
    page.wait_for_url(f"{base}/admin/officer/")
    assert "Ravi Power" in page.content()
    shot(page, "officer-list")
    stored = site.db.officer.find_one({"email": "ravi@power.gov.in"})
    assert [(p["designation"], p["from_date"]) for p in stored["postings"]] == [("Section Officer", "2016-07-01")]


def test_other_mdo_sees_neither_the_record_nor_the_link_choice(server, browser):
    base, site = server
    lifecycle.insert(
        context_for(site, "nodal@power.gov.in"),
        "Officer",
        {"full_name": "Meera Power", "email": "meera@power.gov.in", "service": "IAS", "group": "A", "mdo": POWER},
    )
    page = sign_in(browser, base, "nodal@steel.gov.in")
    assert "Meera Power" not in page.content() and "Sunita Steel" in page.content()
    page.goto(f"{base}/admin/sanction/new/")
    mdo_options = page.eval_on_selector_all("#mdo option", "els => els.map(e => e.value)")
    assert mdo_options == ["", STEEL]
    page.click("#s2id_officer")
    search = page.locator(".select2-drop-active input.select2-input")
    search.fill("Meera")
    page.wait_for_selector(".select2-drop-active .select2-no-results")
    shot(page, "link-choices-other-mdo")
    search.fill("Sunita")
    choose_result(page, "Sunita Steel")
    page.locator("#s2id_officer .select2-chosen").filter(has_text="Sunita Steel").wait_for()
    page.fill("#purpose", "Course fee")
    page.fill("#amount", "100")
    page.click("input[type=submit][value=Save]")
    page.wait_for_url(f"{base}/admin/sanction/")
    stored = site.db.sanction.find_one({"purpose": "Course fee"})
    assert stored["officer"] == site.db.officer.find_one({"email": "sunita@steel.gov.in"})["_id"]


def test_custom_field_from_customize_form_then_a_record_with_it(server, browser):
    base, site = server
    page = sign_in(browser, base, "nodal@power.gov.in")
    page.goto(f"{base}/admin/customize/?doctype=Officer")
    page.fill("#label", "Karmayogi ID")
    page.select_option("#fieldtype", "Data")
    page.select_option("#insert_after", "email")
    page.click("#add-field-button")
    page.wait_for_selector("text=Added Karmayogi ID (karmayogi_id)")
    assert page.is_visible("#preview #karmayogi_id")
    shot(page, "customize-form")
    page.goto(f"{base}/admin/officer/new/")
    fill_officer(page, "Asha Power", "asha@power.gov.in", "Indian Administrative Service", "A")
    page.fill("#karmayogi_id", "KY-2026-0042")
    page.click("input[type=submit][value=Save]")
    page.wait_for_url(f"{base}/admin/officer/")
    assert site.db.officer.find_one({"email": "asha@power.gov.in"})["karmayogi_id"] == "KY-2026-0042"
    steel = sign_in(browser, base, "nodal@steel.gov.in")
    steel.goto(f"{base}/admin/officer/new/")
    assert steel.query_selector("#karmayogi_id") is None


def test_workflow_button_moves_the_record_and_history_shows_it(server, browser):
    base, site = server
    from .test_workflow import APPROVAL

    lifecycle.insert(site.context(), "Workflow", APPROVAL)
    add_user(site, "finance@power.gov.in", ["Finance"], [POWER])
    doc = lifecycle.insert(
        context_for(site, "nodal@power.gov.in"), "Sanction", {"purpose": "MITx fee", "amount": 100, "mdo": POWER}
    )
    page = sign_in(browser, base, "nodal@power.gov.in")
    page.goto(f"{base}/admin/sanction/edit/?id={doc.name}")
    assert page.inner_text("#record-state") == "Draft"
    page.click("#workflow-actions button[value='Send for Approval']")
    page.wait_for_selector("text=Send for Approval: done.")
    checker = sign_in(browser, base, "finance@power.gov.in")
    checker.goto(f"{base}/admin/sanction/details/?id={doc.name}")
    checker.click("#workflow-actions button[value='Reject']")
    checker.wait_for_selector("text=needs a comment")
    checker.fill("#workflow-comment", "Attach the fee receipt")
    checker.click("#workflow-actions button[value='Reject']")
    checker.wait_for_selector("text=Reject: done.")
    assert checker.inner_text("#record-state") == "Rejected"
    history = checker.inner_text("#workflow-history")
    assert "Send for Approval" in history and "Attach the fee receipt" in history
    assert "finance" in history and "finance@power.gov.in" not in history  # who did it, by name
    shot(checker, "workflow-history")


def test_frac_role_map_verified_and_a_gap_that_closes(server, browser):
    """Through the admin only: an MDO Admin defines a position with two roles, activities and
    competency requirements; an L1 and an L2 reviewer verify its role map; an officer
    assigned to it shows a gap, which closes when their passbook entry is verified."""
    from app import auth

    base, site = server
    add_user(site, "l1@power.gov.in", ["FRAC Reviewer L1"], [POWER])
    add_user(site, "l2@power.gov.in", ["FRAC Reviewer L2"], [POWER])
    admin = sign_in(browser, base, "nodal@power.gov.in")

    admin.goto(f"{base}/admin/position/new/")
    admin.fill("#position_name", "Under Secretary (Budget)")
    admin.select_option("#mdo", POWER)
    admin.click("input[type=submit][value=Save]")
    admin.wait_for_url(f"{base}/admin/position/")

    for role, activity, needs in (
        ("Budget preparation", "Prepare the budget estimates", [("Budgeting and Expenditure", 3)]),
        ("Cabinet work", "Draft notes for the Cabinet", [("Preparation of Cabinet Notes", 3), ("Noting and Drafting", 2)]),
    ):
        admin.goto(f"{base}/admin/frac_role/new/")
        admin.fill("#role_name", role)
        admin.select_option("#mdo", POWER)
        admin.click("#activities-button")
        admin.fill("#activities-0-activity", activity)
        admin.fill("#activities-0-knowledge_resources", "Central Secretariat Manual of Office Procedure")
        for i, (competency, level) in enumerate(needs):
            admin.click("#competencies-button")
            pick(admin, f"competencies-{i}-competency", competency)
            admin.select_option(f"#competencies-{i}-required_level", str(level))  # by name: "3 - Advanced"
        shot(admin, f"frac-role-{role.split()[0].lower()}")
        admin.click("input[type=submit][value=Save]")
        admin.wait_for_url(f"{base}/admin/frac_role/")

    admin.goto(f"{base}/admin/role_map/new/")
    pick(admin, "position", "Under Secretary (Budget)")
    admin.select_option("#mdo", POWER)
    for i, role in enumerate(("Budget preparation", "Cabinet work")):
        admin.click("#roles-button")
        pick(admin, f"roles-{i}-frac_role", role)
    admin.click("input[type=submit][value=Save]")
    admin.wait_for_url(f"{base}/admin/role_map/")
    rm = site.db.role_map.find_one({"position_name": "Under Secretary (Budget)"})["_id"]
    admin.goto(f"{base}/admin/role_map/edit/?id={rm}")
    admin.click("#workflow-actions button[value='Submit for Review']")
    admin.wait_for_selector("text=Submit for Review: done.")

    for reviewer in ("l1@power.gov.in", "l2@power.gov.in"):
        page = sign_in(browser, base, reviewer)
        page.goto(f"{base}/admin/role_map/details/?id={rm}")
        assert "Preparation of Cabinet Notes" in page.inner_text("table[data-table=requirements]")
        page.click("#workflow-actions button[value='Verify']")
        page.wait_for_selector("text=Verify: done.")
    assert page.inner_text("#record-state") == "Verified"
    shot(page, "role-map-verified")

    admin.goto(f"{base}/admin/officer/new/")
    fill_officer(admin, "Kavita Budget", "kavita@power.gov.in", "Central Secretariat Service", "A")
    pick(admin, "position", "Under Secretary (Budget)")
    admin.select_option("#mdo", POWER)
    admin.click("input[type=submit][value=Save]")
    admin.wait_for_url(f"{base}/admin/officer/")
    officer = site.db.officer.find_one({"email": "kavita@power.gov.in"})["_id"]

    admin.goto(f"{base}/admin/officer_gap/")
    shot(admin, "officer-gaps")
    assert site.db.officer_gap.count_documents({"officer": officer, "gap": {"$gt": 0}}) == 3

    # the officer, signed in with the learner account their record created, declares it
    auth.set_password(site, "kavita@power.gov.in", PASSWORD)
    learner = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    learner.goto(f"{base}/admin/login/")
    learner.fill("#email", "kavita@power.gov.in")
    learner.fill("#password", PASSWORD)
    learner.click("button[type=submit]")
    learner.wait_for_url(f"{base}/learning")  # a learner lands on the learner portal
    learner.goto(f"{base}/admin/passbook_entry/new/")
    pick(learner, "officer", "Kavita Budget")
    pick(learner, "competency", "Noting and Drafting")
    learner.select_option("#level", "2")  # picked by name: "2 - Proficient"
    learner.select_option("#source", "Self-declared")
    learner.fill("#evidence", "Drafted the Demand for Grants notes, 2025")
    learner.click("input[type=submit][value=Save]")
    learner.wait_for_url(f"{base}/admin/passbook_entry/")
    entry = site.db.passbook_entry.find_one({"officer": officer})
    assert entry["workflow_state"] == "Pending"
    assert site.db.officer_gap.find_one({"officer": officer, "competency": "Noting and Drafting"})["gap"] == 2

    admin.goto(f"{base}/admin/passbook_entry/details/?id={entry['_id']}")
    admin.click("#workflow-actions button[value='Verify']")
    admin.wait_for_selector("text=Verify: done.")
    assert site.db.officer_gap.find_one({"officer": officer, "competency": "Noting and Drafting"})["gap"] == 0
    admin.goto(f"{base}/admin/officer_gap/")
    listed = admin.inner_text("table.model-list")
    assert "Noting and Drafting" in listed and "Kavita" in listed
    shot(admin, "officer-gaps-after-verification")
    from admin import home

    home._dashboards.clear()  # the charts are cached for a minute; show the figures of now
    admin.goto(f"{base}/admin/")
    admin.wait_for_selector("#chart-gaps")
    shot(admin, "home-with-gaps")


def test_learner_enrols_gets_certified_and_finance_approves_the_claim(server, browser, tmp_path):
    """A learner sees the courses they are eligible for, enrols, and, once the training
    division has recorded the grade, the exam and the certificate, files a fee claim that
    the training division verifies and finance approves and pays."""
    import datetime as dt

    from app import auth

    base, site = server
    today = dt.date.today()
    start = today + dt.timedelta(days=40)
    ctx = site.context()
    offering = lifecycle.insert(
        ctx,
        "Course Offering",
        {
            "course": "The Challenges of Global Poverty",
            "session": "Other",
            "starts_on": start.isoformat(),
            "registration_opens": (today - dt.timedelta(days=3)).isoformat(),
            "registration_last_date": (today + dt.timedelta(days=3)).isoformat(),
        },
    ).name
    officer = lifecycle.insert(
        ctx,
        "Officer",
        {
            "full_name": "Nisha Kumar",
            "email": "nisha@power.gov.in",
            "service": "CSS",
            "group": "A",
            "mdo": POWER,
            "date_of_birth": f"{start.year - 35}-02-01",
            "year_of_allotment": 2012,
        },
    ).name
    auth.set_password(site, "nisha@power.gov.in", PASSWORD)
    for email, role in (
        ("trg@dopt.gov.in", "Training Division"),
        ("fin@dopt.gov.in", "Finance"),
        ("fin2@dopt.gov.in", "Finance"),
    ):
        add_user(site, email, [role])

    learner = sign_in(browser, base, "nisha@power.gov.in")
    learner.goto(f"{base}/admin/my-courses/")
    row = learner.locator("#open-offerings tr[data-course='The Challenges of Global Poverty'].eligible").first
    assert "length of service" in row.inner_text()
    shot(learner, "my-courses")
    learner.click(f"#open-offerings button[value='{offering}']")
    learner.wait_for_selector("text=Enrolled in The Challenges of Global Poverty")
    enrolment = site.db.enrolment.find_one({"officer": officer})["_id"]
    learner.fill("#cadre_intimated_on", today.strftime("%d/%m/%Y"))
    learner.click("label[for=cadre_intimated_on]")  # away from the field: its calendar closes
    form = tmp_path / "eligibility-form.pdf"
    form.write_bytes(b"%PDF-1.4 signed eligibility confirmation form")
    learner.set_input_files("#eligibility_form", str(form))
    learner.click("input[type=submit][value=Save]")
    learner.goto(f"{base}/admin/enrolment/edit/?id={enrolment}")
    learner.click("#workflow-actions button[value='Submit Eligibility Form']")
    learner.wait_for_selector("text=Submit Eligibility Form: done.")

    trg = sign_in(browser, base, "trg@dopt.gov.in")
    trg.goto(f"{base}/admin/enrolment/details/?id={enrolment}")
    trg.click("#workflow-actions button[value='Confirm']")
    trg.wait_for_selector("text=Confirm: done.")
    assert site.db.enrolment.find_one({"_id": enrolment})["coupon_code"].startswith("IGOT-")
    trg.goto(f"{base}/admin/enrolment/edit/?id={enrolment}")
    trg.fill("#final_grade", "72")
    trg.select_option("#exam_result", "Passed")
    trg.click("input[type=submit][value=Save]")
    trg.goto(f"{base}/admin/enrolment/edit/?id={enrolment}")
    trg.click("#workflow-actions button[value='Issue Certificate']")
    trg.wait_for_selector("text=no certificate before the course has run")  # it starts in three days
    start = today - dt.timedelta(
        days=7 * int(site.db.course.find_one({"_id": "The Challenges of Global Poverty"}).get("weeks") or 0) + 1
    )
    site.db.course_offering.update_one({"_id": offering}, {"$set": {"starts_on": start.isoformat()}})  # the course has run
    trg.goto(f"{base}/admin/enrolment/edit/?id={enrolment}")
    trg.click("#workflow-actions button[value='Issue Certificate']")
    trg.wait_for_selector("text=Issue Certificate: done.")
    assert site.db.enrolment.find_one({"_id": enrolment})["workflow_state"] == "Certified"
    shot(trg, "enrolment-certified")

    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(b"%PDF-1.4 MITx receipt USD 100")
    learner.goto(f"{base}/admin/reimbursement_claim/new/")
    pick(learner, "enrolment", "The Challenges of Global Poverty")
    learner.fill("#amount_paid", "100")
    learner.select_option("#currency", "USD")
    learner.set_input_files("#proof", str(receipt))
    shot(learner, "claim-form")
    learner.click("input[type=submit][value=Save]")
    learner.wait_for_url(f"{base}/admin/reimbursement_claim/")
    claim = site.db.reimbursement_claim.find_one({"enrolment": enrolment})
    assert claim["workflow_state"] == "Submitted" and site.store.files.get(
        __import__("bson").ObjectId(claim["proof"])
    ).read().startswith(b"%PDF")

    trg.goto(f"{base}/admin/reimbursement_claim/details/?id={claim['_id']}")
    trg.click("#workflow-actions button[value='Verify']")
    trg.wait_for_selector("text=Verify: done.")
    fin = sign_in(browser, base, "fin@dopt.gov.in")
    fin.goto(f"{base}/admin/reimbursement_claim/details/?id={claim['_id']}")
    fin.click("#workflow-actions button[value='Approve']")
    fin.wait_for_selector("text=Approve: done.")
    assert fin.query_selector("#workflow-actions button[value='Pay']") is None  # maker-checker: another finance officer pays
    fin2 = sign_in(browser, base, "fin2@dopt.gov.in")
    fin2.goto(f"{base}/admin/reimbursement_claim/details/?id={claim['_id']}")
    fin2.fill("#value-paid_on", today.strftime("%d/%m/%Y"))
    fin2.fill("#value-payment_reference", "SBIN426012345678")
    fin2.click("#workflow-actions button[value='Pay']")
    fin2.wait_for_selector("text=Pay: done.")
    assert site.db.reimbursement_claim.find_one({"_id": claim["_id"]})["workflow_state"] == "Paid"
    shot(fin2, "claim-paid")


def test_scorm_module_from_upload_through_rubric_to_the_catalogue(server, browser, tmp_path):
    """A creator uploads a SCORM package, a reviewer scores the rubric and approves, a
    publisher publishes, and a learner of another ministry finds the module in the catalogue,
    previews it there, takes it in the learner portal, where the package reports it passed
    through the run-time, and gets a certificate that verifies (no completion button)."""
    from app import auth

    from . import scorm_tools

    base, site = server
    for email, role in (
        ("creator@power.gov.in", "Content Creator"),
        ("reviewer@power.gov.in", "Content Reviewer"),
        ("publisher@power.gov.in", "Content Publisher"),
    ):
        add_user(site, email, [role], [POWER])
    auth.set_password(site, "sunita@steel.gov.in", PASSWORD)
    package = tmp_path / "rti.zip"
    package.write_bytes(scorm_tools.rise_12())

    creator = sign_in(browser, base, "creator@power.gov.in")
    creator.goto(f"{base}/admin/content_module/new/")
    creator.fill("#title", "RTI for Public Information Officers")
    creator.select_option("#kind", "SCORM Package")
    assert "Up to 500 MB" in creator.inner_text("body")  # the size limit is on the form (the file's, shown for a package)
    creator.fill("#duration_minutes", "45")
    creator.set_input_files("#attachment", str(package))
    shot(creator, "content-module-upload")
    creator.click("input[type=submit][value=Save]")
    creator.wait_for_url(f"{base}/admin/content_module/")
    module = site.db.content_module.find_one({"title": "RTI for Public Information Officers"})
    assert (module["package_version"], module["launch_file"]) == ("SCORM 1.2", "scormdriver/indexAPI.html")
    creator.goto(f"{base}/admin/content_module/edit/?id={module['_id']}")
    creator.click("#workflow-actions button[value='Send for Review']")
    creator.wait_for_selector("text=Send for Review: done.")

    reviewer = sign_in(browser, base, "reviewer@power.gov.in")
    reviewer.goto(f"{base}/admin/content_module/details/?id={module['_id']}")
    reviewer.click("#document-actions button[value='score_quality']")
    reviewer.wait_for_url(re.compile(r".*/admin/content_review/new/\?content_module="))
    for i, score in enumerate((5, 4, 4, 3, 4)):
        reviewer.fill(f"#scores-{i}-score", str(score))
    reviewer.fill("#scores-3-comments", "Captions on every video; transcript for unit 2")
    shot(reviewer, "content-review-rubric")
    assert reviewer.inner_text("#scores-0-criterion-shown") == "Accuracy"  # shown, not offered for editing
    assert reviewer.locator("input[name='scores-0-criterion'][type=text]").count() == 0
    assert site.db.content_review.count_documents({"content_module": module["_id"]}) == 0  # made when saved
    reviewer.click("#save-and-submit")  # the scores typed on the page are the ones submitted
    reviewer.wait_for_selector("text=saved and submitted")
    assert f"/admin/content_module/details/?id={module['_id']}" in reviewer.url  # back to approve it
    review = site.db.content_review.find_one({"content_module": module["_id"]})
    assert (review["total_percent"], review["result"], review["docstatus"]) == (80.0, "Passed", 1)
    reviewer.goto(f"{base}/admin/content_module/details/?id={module['_id']}")
    reviewer.click("#workflow-actions button[value='Approve Review']")
    reviewer.wait_for_selector("text=Approve Review: done.")

    publisher = sign_in(browser, base, "publisher@power.gov.in")
    publisher.goto(f"{base}/admin/content_module/details/?id={module['_id']}")
    publisher.click("#workflow-actions button[value='Publish']")
    publisher.wait_for_selector("text=Publish: done.")
    assert site.db.content_module.find_one({"_id": module["_id"]})["workflow_state"] == "Published"

    learner = sign_in(browser, base, "sunita@steel.gov.in")
    learner.goto(f"{base}/admin/catalogue/")
    learner.click(f"#catalogue tr[data-module='{module['_id']}'] a")
    frame = (
        learner.frame_locator("#scorm-frame")
        .frame_locator("#package-frame")
        .frame_locator("iframe")
        .frame_locator("#content-frame")
    )
    assert frame.locator("h1").inner_text() == "Noting and Drafting in the Secretariat"  # the preview, in its launcher
    shot(learner, "catalogue-module")
    assert learner.locator("#complete-module").count() == 0
    learner.click("#take-in-portal a")
    learner.wait_for_url(f"{base}/catalogue/{module['_id']}")
    learner.frame_locator("#scorm-frame").frame_locator("#package-frame").frame_locator("iframe").frame_locator(
        "#content-frame"
    ).locator("#submit-quiz").click()
    # passed at once, but a 45-minute module completes only after half of it in view
    learner.wait_for_function("() => document.getElementById('module-status').textContent.includes('more minutes')")
    assert site.db.certificate.count_documents({"content_module": module["_id"]}) == 0
    site.db.module_attempt.update_many({"module": module["_id"]}, {"$set": {"time_spent": 23 * 60}})  # as if read so long
    learner.reload()
    learner.wait_for_selector("#completed-module:not(.hidden)")
    cert = site.db.certificate.find_one({"content_module": module["_id"]})
    assert cert["officer_name"] == "Sunita Steel"
    check = browser.new_page()
    check.goto(f"{base}/verify/{cert['code']}")
    assert check.inner_text("#status") == "This certificate is valid." and check.inner_text("#name") == "Sunita Steel"
    shot(check, "certificate-verify")


MARKUP = '"><script>window.planted=1;alert(1)</script><img src=x onerror="window.planted=2;alert(2)"><svg onload=alert(3)>'


def test_markup_planted_by_one_mdo_never_runs_in_the_system_managers_browser(server, browser):
    """An MDO Admin puts markup in every text they can set (a custom field's label,
    description and options, an officer's name and remarks, a workflow comment). The System
    Manager opens every screen that shows them: each text is shown as text, no script runs,
    and every page carries a Content-Security-Policy without inline script."""
    base, site = server
    from .test_workflow import APPROVAL

    admin = context_for(site, "nodal@power.gov.in")
    if not site.db.workflow.find_one({"document_type": "Sanction", "is_active": True}):
        lifecycle.insert(site.context(), "Workflow", APPROVAL)
    add_user(site, "dopt@gov.in", ["System Manager"])
    lifecycle.insert(
        admin,
        "Custom Field",
        {
            "ref_doctype": "Officer",
            "mdo": POWER,
            "fieldname": "wing",
            "label": f"Wing {MARKUP}",
            "fieldtype": "Select",
            "options": f"North\nSouth {MARKUP}",
            "description": f"Desc {MARKUP}",
        },
    )
    officer = lifecycle.insert(
        admin,
        "Officer",
        {
            "full_name": f"Planted {MARKUP}",
            "email": "planted@power.gov.in",
            "service": "IAS",
            "group": "A",
            "mdo": POWER,
            "remarks": MARKUP,
        },
    )
    sanction = lifecycle.insert(admin, "Sanction", {"purpose": f"Fee {MARKUP}", "amount": 5, "mdo": POWER})
    from app.model import transitions

    transitions.apply(admin, "Sanction", sanction.name, "Send for Approval", f"Comment {MARKUP}")

    page = sign_in(browser, base, "dopt@gov.in")
    dialogs, violations = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    screens = [
        "/admin/",
        "/admin/officer/",
        f"/admin/officer/edit/?id={officer.name}",
        "/admin/officer/new/",
        f"/admin/officer/details/?id={officer.name}",
        "/admin/customize/?doctype=Officer&mdo=Ministry of Power",
        "/admin/custom_field/",
        f"/admin/sanction/details/?id={sanction.name}",
        "/admin/sanction/",
    ]
    for path in screens:
        response = page.goto(base + path)
        assert response.status == 200, path
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0], path
        assert response.headers["x-frame-options"] == "DENY" and response.headers["x-content-type-options"] == "nosniff"
        page.wait_for_load_state("load")
        assert page.evaluate("window.planted") is None, path
        planted = page.evaluate("""() => [...document.querySelectorAll('script')].filter(s => s.textContent.includes('planted')).length
            + document.querySelectorAll('[onerror], [onload], svg[onload]').length""")
        assert planted == 0, path  # the markup became no element at all
    page.goto(f"{base}/admin/officer/edit/?id={officer.name}")
    assert 'Desc "><script>window.planted=1' in page.inner_text("body")  # shown, as text
    assert page.input_value("#full_name") == f"Planted {MARKUP}"
    page.goto(f"{base}/admin/sanction/details/?id={sanction.name}")
    assert 'Comment "><script>' in page.inner_text("#workflow-history")
    shot(page, "planted-markup-shown-as-text")
    assert dialogs == []
