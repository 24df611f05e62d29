"""The player in a real browser: SCORM packages shaped like real tools' exports find the run-time
by walking their windows, report through it, and complete the module with no completion
button: a certificate (its PDF downloads) and a Verified passbook entry that closes the gap.
Resume works (suspend_data, location, entry ``resume``), several SCOs each count, and the same
journey reads in Hindi. A lesson text and an external link are measured and reported."""

import io

import pytest

from app import auth, files
from app.auth import context_for
from app.model import lifecycle, transitions

from . import scorm_tools
from .conftest import PASSWORD, add_user
from .test_browser import POWER, browser, server, shot  # noqa: F401 - fixtures
from .test_browser_portal import _accessibility_problems

NOTING, PROCUREMENT, RTI, ETHICS = "Noting and Drafting", "Public Procurement", "Right to Information", "Ethics and Integrity"


def _package(site, data: bytes, filename: str) -> str:
    return files.store(site.context(), io.BytesIO(data), filename, accept=["scorm"])


def _module(site, title: str, kind: str, competency: str, **values) -> str:
    return lifecycle.insert(
        site.context(),
        "Content Module",
        {
            "title": title,
            "kind": kind,
            "mdo": POWER,
            "language": "English",
            "competencies": [{"competency": competency, "level": 2}],
            "workflow_state": "Published",
            **values,
        },
    ).name


@pytest.fixture(scope="module")
def world(server):  # noqa: F811 - the fixture's value
    """Kavya, whose role needs four competencies at 2, and a module for each: a Rise-like and
    an eXeLearning-like SCORM 1.2 package, a Captivate-like SCORM 2004 one, and an external link."""
    _, site = server
    for email, role in (("l1.scorm@power.gov.in", "FRAC Reviewer L1"), ("l2.scorm@power.gov.in", "FRAC Reviewer L2")):
        add_user(site, email, [role], [POWER])
    nodal = context_for(site, "nodal@power.gov.in")
    position = lifecycle.insert(nodal, "Position", {"position_name": "Section Officer (Coordination)", "mdo": POWER}).name
    role = lifecycle.insert(
        nodal,
        "FRAC Role",
        {
            "role_name": "Coordination section officer",
            "mdo": POWER,
            "activities": [{"activity": "Put up notes and drafts"}],
            "competencies": [{"competency": c, "required_level": 2} for c in (NOTING, PROCUREMENT, RTI, ETHICS)],
        },
    ).name
    rm = lifecycle.insert(nodal, "Role Map", {"position": position, "mdo": POWER, "roles": [{"frac_role": role}]}).name
    transitions.apply(nodal, "Role Map", rm, "Submit for Review")
    transitions.apply(context_for(site, "l1.scorm@power.gov.in"), "Role Map", rm, "Verify")
    transitions.apply(context_for(site, "l2.scorm@power.gov.in"), "Role Map", rm, "Verify")
    officer = lifecycle.insert(
        nodal,
        "Officer",
        {
            "full_name": "Kavya Nair",
            "email": "kavya@power.gov.in",
            "service": "CSSS",
            "group": "B",
            "mdo": POWER,
            "position": position,
        },
    ).name
    auth.set_password(site, "kavya@power.gov.in", PASSWORD)
    modules = {
        "rise": _module(
            site,
            "Noting and Drafting in the Secretariat",
            "SCORM Package",
            NOTING,
            attachment=_package(site, scorm_tools.rise_12(), "noting-rise.zip"),
        ),
        "captivate": _module(
            site,
            "Public Procurement on GeM",
            "SCORM Package",
            PROCUREMENT,
            attachment=_package(site, scorm_tools.captivate_2004(), "gem-captivate.zip"),
        ),
        "exe": _module(
            site,
            "RTI for Public Information Officers",
            "SCORM Package",
            RTI,
            attachment=_package(site, scorm_tools.exe_12(), "rti-exe.zip"),
        ),
        "link": _module(
            site, "Ethics in governance (external course)", "External Link", ETHICS, url="https://example.org/ethics"
        ),
    }
    return {"site": site, "officer": officer, "modules": modules}


def _sign_in(browser, base, width=390, height=844, locale="en-GB"):  # noqa: F811
    page = browser.new_context(viewport={"width": width, "height": height}, locale=locale, accept_downloads=True).new_page()
    page.goto(f"{base}/")
    page.fill("#email", "kavya@power.gov.in")
    page.fill("#password", PASSWORD)
    page.click("#sign-in-form button[type=submit]")
    page.wait_for_url(f"{base}/learning")
    return page


def _levels(site, officer):
    rows = site.db["passbook_entry"].find(
        {"officer": officer}, {"competency": 1, "workflow_state": 1, "source": 1, "certificate": 1}
    )
    return {(r["competency"], r["workflow_state"]): r for r in rows}


def _no_sideways_scroll(page, where):
    wide = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert wide <= 0, f"{where} scrolls sideways by {wide}px"


def test_a_rise_scorm_12_package_reports_passed_and_the_module_completes_on_a_phone(server, browser, world):  # noqa: F811
    base, site = server
    page = _sign_in(browser, base)
    recommended = page.inner_text("#recommended")
    assert f"{NOTING}: you are at 0, your role needs 2" in recommended and "Noting and Drafting in the Secretariat" in recommended
    page.click("#menu-catalogue")
    page.click("text=Noting and Drafting in the Secretariat")
    assert page.locator("#complete-module, #report-done").count() == 0  # no completion button for a package
    course = page.frame_locator("#scorm-frame").frame_locator("#content-frame")
    assert course.locator("#greeting").inner_text() == "Welcome, Nair, Kavya"  # read through the run-time
    _no_sideways_scroll(page, "the player at 390px")
    assert _accessibility_problems(page) == []
    shot(page, "portal-scorm-rise")
    course.locator("#submit-quiz").click()
    page.wait_for_selector("#completed-module:not(.hidden)")
    assert "You completed this module" in page.inner_text("#completed-module")

    module = world["modules"]["rise"]
    attempt = site.db["module_attempt"].find_one({"module": module})
    assert (attempt["status"], attempt["score"], attempt["completion_status"]) == ("Completed", 90.0, "passed")
    assert attempt["cmi"]["cmi.suspend_data"] == "quiz=answered;lesson=2"
    assert attempt["cmi"]["cmi.core.lesson_location"] == "lesson-2"
    cert = site.db["certificate"].find_one({"content_module": module, "officer": world["officer"]})
    entry = _levels(site, world["officer"])[(NOTING, "Verified")]
    assert entry["certificate"] == cert["_id"]

    page.click("#menu-certificates")
    page.wait_for_selector(f"[data-certificate='{cert['_id']}']")
    assert cert["code"] in page.input_value(f"[data-certificate='{cert['_id']}'] input")
    with page.expect_download() as download:
        page.click(f"[data-certificate='{cert['_id']}'] a.pdf")
    assert download.value.path().read_bytes().startswith(b"%PDF")
    page.click("#menu-my_learning")
    assert NOTING not in page.locator("#recommended h3").all_inner_texts()  # the gap is closed


def test_a_captivate_scorm_2004_package_resumes_and_reports_passed_in_hindi(server, browser, world):  # noqa: F811
    base, site = server
    page = _sign_in(browser, base, 1280, 900)
    page.click("#language-form button[value=hi]")
    page.wait_for_selector("html[lang=hi]")
    page.click("#menu-catalogue")
    page.click("text=Public Procurement on GeM")
    package = page.frame_locator("#scorm-frame")
    assert package.locator("#where").inner_text() == "From the start"
    assert package.locator("#language").inner_text() == "Language: en"  # the item's parameters
    page.wait_for_function("() => document.getElementById('module-status').textContent.includes('प्रगति')")
    page.reload()  # and back: the package resumes where it was
    package = page.frame_locator("#scorm-frame")
    assert package.locator("#where").inner_text() == "Resumed at slide-4"
    package.locator("#submit-quiz").click()
    page.wait_for_selector("#completed-module:not(.hidden)")
    text = page.inner_text("main")
    assert "आपने यह मॉड्यूल पूरा कर लिया" in text and "You completed" not in text
    shot(page, "portal-scorm-2004-hindi")
    module = world["modules"]["captivate"]
    attempt = site.db["module_attempt"].find_one({"module": module})
    assert (attempt["status"], attempt["score"], attempt["success_status"]) == ("Completed", 85.0, "passed")
    assert _levels(site, world["officer"])[(PROCUREMENT, "Verified")]["source"] == "Course Completion"
    cert = site.db["certificate"].find_one({"content_module": module, "officer": world["officer"]})
    page.click("#menu-certificates")
    with page.expect_download() as download:
        page.click(f"[data-certificate='{cert['_id']}'] a.pdf")
    assert download.value.path().read_bytes().startswith(b"%PDF")
    page.click("#menu-my_learning")
    assert PROCUREMENT not in page.locator("#recommended h3").all_inner_texts()  # the gap is closed
    page.click("#menu-passbook")
    body = page.inner_text("main")
    assert PROCUREMENT in body and "Passbook" not in body
    page.click("#language-form button[value=en]")


def test_an_exe_package_with_two_scos_counts_each_and_resumes_suspend_data(server, browser, world):  # noqa: F811
    base, site = server
    module = world["modules"]["exe"]
    page = _sign_in(browser, base)
    page.goto(f"{base}/catalogue/{module}")
    part = page.frame_locator("#scorm-frame")
    assert part.locator("#api-found").inner_text() == "Connected"
    part.locator("#leave").click()
    part.locator("#left").wait_for()
    page.wait_for_timeout(300)
    page.reload()
    part = page.frame_locator("#scorm-frame")
    assert part.locator("#resume").inner_text() == "Welcome back: you were at section=3;viewed=1,2,3"
    part.locator("#finish").click()
    page.wait_for_function("() => document.getElementById('module-status').textContent.includes('50')")
    assert site.db["certificate"].count_documents({"content_module": module}) == 0  # one part of two
    page.click("#module-parts >> text=First appeals")
    part = page.frame_locator("#scorm-frame")
    assert part.locator("h1").inner_text() == "First appeals"
    part.locator("#finish").click()
    page.wait_for_selector("#completed-module:not(.hidden)")
    assert site.db["certificate"].count_documents({"content_module": module}) == 1
    assert (RTI, "Verified") in _levels(site, world["officer"])


def test_a_pdf_is_drawn_in_the_player_and_completes_when_every_page_was_shown(server, browser, world):  # noqa: F811
    from .test_progress import _pdf

    base, site = server
    attachment = files.store(site.context(), io.BytesIO(_pdf(4)), "gfr.pdf", accept=["pdf"])
    module = _module(site, "General Financial Rules, 2017", "PDF", "Budgeting and Expenditure Management", attachment=attachment)
    page = _sign_in(browser, base)
    page.goto(f"{base}/catalogue/{module}")
    page.wait_for_selector("#pdf-pages canvas[data-page='4']")
    _no_sideways_scroll(page, "a PDF at 390px")
    assert site.db["certificate"].count_documents({"content_module": module}) == 0  # the first page only, so far
    for n in range(1, 5):
        page.locator(f"#pdf-pages canvas[data-page='{n}']").scroll_into_view_if_needed()
        page.wait_for_timeout(400)
    page.wait_for_selector("#completed-module:not(.hidden)")
    attempt = site.db["module_attempt"].find_one({"module": module})
    assert attempt["measure"]["seen"] == [1, 2, 3, 4] and attempt["status"] == "Completed"


def test_an_external_link_is_reported_and_waits_for_the_mdo(server, browser, world):  # noqa: F811
    base, site = server
    module = world["modules"]["link"]
    page = _sign_in(browser, base)
    page.goto(f"{base}/catalogue/{module}")
    page.click("#report-done")
    page.wait_for_selector("#reported")
    assert (ETHICS, "Pending") in _levels(site, world["officer"])
    assert site.db["certificate"].count_documents({"content_module": module}) == 0
