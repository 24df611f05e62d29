"""The MOOC journey in a real browser, on a 390 px phone: an officer finds a course, enrols,
submits the eligibility confirmation form with its upload (in Hindi), files the fee claim with
its receipt and follows it until it waits for Finance, all on the portal and never at /admin;
Finance approves and pays in the back office, and the officer sees the claim Paid."""

import datetime as dt

from app import auth
from app.model import lifecycle, transitions

from .conftest import PASSWORD, add_user
from .test_browser import POWER, browser, menu, server, shot, sign_in  # noqa: F401 - fixtures
from .test_browser_portal import _no_sideways_scroll

COURSE = "The Challenges of Global Poverty"


def test_an_officer_goes_from_the_programmes_to_a_paid_fee_claim_without_the_back_office(server, browser, tmp_path):  # noqa: F811
    base, site = server
    today = dt.date.today()
    start = today + dt.timedelta(days=40)
    system = site.context()
    site.db.course_offering.delete_many({"course": COURSE})  # only this test's offering is open
    offering = lifecycle.insert(
        system,
        "Course Offering",
        {
            "course": COURSE,
            "session": "Other",
            "starts_on": start.isoformat(),
            "registration_opens": (today - dt.timedelta(days=3)).isoformat(),
            "registration_last_date": (today + dt.timedelta(days=3)).isoformat(),
        },
    ).name
    lifecycle.insert(
        system,
        "Officer",
        {
            "full_name": "Kavita Deshpande",
            "email": "kavita@power.gov.in",
            "service": "CSS",
            "group": "A",
            "mdo": POWER,
            "date_of_birth": f"{start.year - 35}-02-01",
            "year_of_allotment": 2012,
        },
    )
    auth.set_password(site, "kavita@power.gov.in", PASSWORD)
    for email, role in (
        ("trg.p@dopt.gov.in", "Training Division"),
        ("fin.p@dopt.gov.in", "Finance"),
        ("fin2.p@dopt.gov.in", "Finance"),
    ):
        add_user(site, email, [role])

    page = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB").new_page()
    visited = []
    page.on("request", lambda r: visited.append(r.url))
    page.goto(f"{base}/")
    page.fill("#email", "kavita@power.gov.in")
    page.fill("#password", PASSWORD)
    page.click("#sign-in-form button[type=submit]")
    page.wait_for_url(f"{base}/learning")

    menu(page, "#menu-programmes")
    page.wait_for_selector("#courses")
    height = page.evaluate("() => document.documentElement.scrollHeight")
    assert height < 4000, f"the Programmes page is {height}px tall on a phone"
    _no_sideways_scroll(page, "the programmes at 390px")
    shot(page, "programmes-list-390")
    page.click("#course-filters-box summary")
    page.fill("#search", "poverty")
    page.check("#open")
    page.click("#find-courses")
    page.wait_for_selector(f"#courses li[data-course='{COURSE}']")
    assert page.locator("#courses li.course").count() == 1
    shot(page, "programmes-filtered-390")
    page.click(f"#courses li[data-course='{COURSE}'] a.course-title")
    page.wait_for_selector("#course-title")
    page.click(".offering details summary")
    assert "length of service" in page.inner_text(".offering")
    _no_sideways_scroll(page, "the course page at 390px")
    shot(page, "programme-course-390")
    page.click(f"button[value='{offering}']")
    page.wait_for_selector("#eligibility-form")
    assert f"Enrolled in {COURSE}." in page.inner_text("main")
    enrolment = site.db.enrolment.find_one({"offering": offering})["_id"]

    page.click("#language-form button[value=hi]")  # the form in Hindi
    page.wait_for_selector("html[lang=hi]")
    page.click("#submit-form")  # nothing given: refused, field by field, in Hindi
    page.wait_for_selector(".notice.error")
    refused = page.inner_text("main")
    assert "पहले हस्ताक्षरित पात्रता पुष्टि फ़ॉर्म अपलोड करें।" in refused
    assert "पहले अपने संवर्ग नियंत्रण प्राधिकारी को सूचित करें और तिथि दें।" in refused
    shot(page, "programme-form-refused-hindi-390")
    form = tmp_path / "eligibility-form.pdf"
    form.write_bytes(b"%PDF-1.4 signed eligibility confirmation form")
    page.fill("#cadre_intimated_on", today.strftime("%d/%m/%Y"))
    page.set_input_files("#eligibility_form_file", str(form))
    _no_sideways_scroll(page, "the eligibility form in Hindi at 390px")
    shot(page, "programme-form-hindi-390")
    page.click("#submit-form")
    page.wait_for_selector("text=आपका पात्रता पुष्टि फ़ॉर्म जमा हो गया।")
    assert site.db.enrolment.find_one({"_id": enrolment})["workflow_state"] == "Form Submitted"
    page.click("#language-form button[value=en]")
    page.wait_for_selector("html[lang=en]")

    # the training division's steps, as its own user, by the same rules as its back office buttons
    trg = auth.context_for(site, "trg.p@dopt.gov.in")
    transitions.apply(trg, "Enrolment", enrolment, "Confirm")
    lifecycle.save(trg, "Enrolment", enrolment, {"final_grade": 72, "exam_result": "Passed"})
    from .test_programme import course_has_run

    course_has_run(site, site.db.enrolment.find_one({"_id": enrolment})["offering"])  # certified once it has run
    transitions.apply(trg, "Enrolment", enrolment, "Issue Certificate")

    menu(page, "#menu-programmes")
    page.click(f"#my-enrolments li[data-course='{COURSE}'] a.button")  # "Claim the course fee"
    page.wait_for_selector("#claim-form")
    receipt = tmp_path / "receipt.pdf"
    receipt.write_bytes(b"%PDF-1.4 MITx receipt USD 100")
    page.fill("#amount_paid", "100")
    page.set_input_files("#proof", str(receipt))
    _no_sideways_scroll(page, "the claim form at 390px")
    shot(page, "programme-claim-form-390")
    page.click("#file-claim")
    page.wait_for_selector("#claim-state")
    claim = site.db.reimbursement_claim.find_one({"enrolment": enrolment})
    assert claim["workflow_state"] == "Submitted" and claim["proof"]
    transitions.apply(trg, "Reimbursement Claim", claim["_id"], "Verify")
    page.reload()
    assert "Waiting for Finance to approve and pay it." in page.inner_text("#claim")
    shot(page, "programme-claim-waits-for-finance-390")
    assert [u for u in visited if "/admin" in u] == [], "the officer's journey reached the back office"

    fin = sign_in(browser, base, "fin.p@dopt.gov.in")  # Finance in the back office, as today
    fin.goto(f"{base}/admin/reimbursement_claim/details/?id={claim['_id']}")
    fin.click("#workflow-actions button[value='Approve']")
    fin.wait_for_selector("text=Approve: done.")
    fin2 = sign_in(browser, base, "fin2.p@dopt.gov.in")
    fin2.goto(f"{base}/admin/reimbursement_claim/details/?id={claim['_id']}")
    fin2.fill("#value-paid_on", today.strftime("%d/%m/%Y"))
    fin2.fill("#value-payment_reference", "SBIN426012345678")
    fin2.click("#workflow-actions button[value='Pay']")
    fin2.wait_for_selector("text=Pay: done.")

    menu(page, "#menu-programmes")
    mine = page.inner_text(f"#my-enrolments li[data-course='{COURSE}']")
    assert "Paid" in mine
    page.click(f"#my-enrolments li[data-course='{COURSE}'] a")
    assert page.inner_text("#claim-state") == "Paid" and "paid " + today.strftime("%d/%m/%Y") in page.inner_text("#claim")
    shot(page, "programme-claim-paid-390")
    assert [u for u in visited if "/admin" in u] == []
