"""The player in a real browser: SCORM packages whose drivers search for the run-time as their
tools ship them (``tests/scorm_tools.py``: Rustici's scan from ``window.parent``, pipwerks,
ADL's APIWrapper with its ``var API = null``, Captivate's scorm_support.js, Lectora's
parent-frame navigation) find it in the launcher at the content origin, report through it, and
complete the module with no completion button: a certificate (its PDF downloads) and a Verified
passbook entry that closes the gap. Each resumes after a reload where it left (suspend_data,
location, entry ``resume``), also when the package left its session open and the launcher
finished it as the page went; several SCOs each count; at 390 px and at desktop width, in
Hindi and English. Another website cannot drive the run-time. A lesson text and an external
link are measured and reported."""

import io

import pytest

from app import auth, files
from app.auth import context_for
from app.model import lifecycle, transitions

from . import scorm_tools
from .conftest import PASSWORD, add_user
from .test_browser import POWER, browser, menu, server, shot  # noqa: F401 - fixtures
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
        "reload": _module(
            site,
            "Manual of Office Procedure",
            "SCORM Package",
            NOTING,
            attachment=_package(site, scorm_tools.reload_12(), "mop-reload.zip"),
        ),
        "lectora": _module(
            site,
            "Cyber Hygiene for Government Employees",
            "SCORM Package",
            ETHICS,
            attachment=_package(site, scorm_tools.lectora_12(), "cyber-lectora.zip"),
        ),
        "link": _module(
            site, "Ethics in governance (external course)", "External Link", ETHICS, url="https://example.org/ethics"
        ),
    }
    return {"site": site, "officer": officer, "modules": modules}


def package(page):
    """The package's launch page: in the stage, in the launcher, in the portal's frame."""
    return page.frame_locator("#scorm-frame").frame_locator("#package-frame").frame_locator("iframe")


def staged(page):
    """A package page that its package moved into the stage by navigating its parent frame."""
    return page.frame_locator("#scorm-frame").frame_locator("#package-frame")


def _sign_in(browser, base, width=390, height=844, locale="en-GB"):  # noqa: F811
    page = browser.new_context(viewport={"width": width, "height": height}, locale=locale, accept_downloads=True).new_page()
    page.goto(f"{base}/")
    page.fill("#email", "kavya@power.gov.in")
    page.fill("#password", PASSWORD)
    page.click("#sign-in-form button[type=submit]")
    page.wait_for_url(f"{base}/learning")
    return page


def _eventually(found, seconds=10):
    """Wait until ``found()`` is truthy (a beacon the browser sends as a page goes arrives a
    moment later), and fail if it never is."""
    import time

    deadline = time.monotonic() + seconds
    while not found():
        assert time.monotonic() < deadline, "it never arrived"
        time.sleep(0.1)


def _levels(site, officer, wait_for=None):
    """The officer's passbook entries by (competency, state); with ``wait_for``, once that one
    is there (the page may show the certificate while the commit's request still writes them)."""
    import time

    deadline = time.monotonic() + 10
    while wait_for and time.monotonic() < deadline:
        if site.db["passbook_entry"].find_one({"officer": officer, "competency": wait_for[0], "workflow_state": wait_for[1]}):
            break
        time.sleep(0.1)
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
    menu(page, "#menu-catalogue")
    page.click("text=Noting and Drafting in the Secretariat")
    assert page.locator("#complete-module, #report-done").count() == 0  # no completion button for a package
    course = package(page).frame_locator("#content-frame")
    assert course.locator("#greeting").inner_text() == "Welcome, Nair, Kavya"  # read through the run-time
    assert course.locator("#where").inner_text() == "From the start"
    page.wait_for_timeout(300)
    page.reload()  # the bookmark was committed: the course opens where it was
    course = package(page).frame_locator("#content-frame")
    assert course.locator("#where").inner_text() == "Resumed at lesson-2"
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
    entry = _levels(site, world["officer"], (NOTING, "Verified"))[(NOTING, "Verified")]
    assert entry["certificate"] == cert["_id"]

    menu(page, "#menu-certificates")
    page.wait_for_selector(f"[data-certificate='{cert['_id']}']")
    assert cert["code"] in page.input_value(f"[data-certificate='{cert['_id']}'] input")
    with page.expect_download() as download:
        page.click(f"[data-certificate='{cert['_id']}'] a.pdf")
    assert download.value.path().read_bytes().startswith(b"%PDF")
    menu(page, "#menu-my_learning")
    assert NOTING not in page.locator("#recommended h3").all_inner_texts()  # the gap is closed


def test_a_captivate_scorm_2004_package_resumes_and_reports_passed_in_hindi(server, browser, world):  # noqa: F811
    base, site = server
    page = _sign_in(browser, base, 1280, 900)
    page.click("#language-form button[value=hi]")
    page.wait_for_selector("html[lang=hi]")
    menu(page, "#menu-catalogue")
    page.click("text=Public Procurement on GeM")
    sco = package(page)
    assert sco.locator("#where").inner_text() == "From the start"
    assert sco.locator("#language").inner_text() == "Language: en"  # the item's parameters
    page.wait_for_function("() => document.getElementById('module-status').textContent.includes('प्रगति')")
    page.reload()  # and back: the package resumes where it was
    sco = package(page)
    assert sco.locator("#where").inner_text() == "Resumed at slide-4"
    sco.locator("#submit-quiz").click()
    page.wait_for_selector("#completed-module:not(.hidden)")
    text = page.inner_text("main")
    assert "आपने यह मॉड्यूल पूरा कर लिया" in text and "You completed" not in text
    shot(page, "portal-scorm-2004-hindi")
    module = world["modules"]["captivate"]
    attempt = site.db["module_attempt"].find_one({"module": module})
    assert (attempt["status"], attempt["score"], attempt["success_status"]) == ("Completed", 85.0, "passed")
    assert _levels(site, world["officer"], (PROCUREMENT, "Verified"))[(PROCUREMENT, "Verified")]["source"] == "Course Completion"
    cert = site.db["certificate"].find_one({"content_module": module, "officer": world["officer"]})
    menu(page, "#menu-certificates")
    with page.expect_download() as download:
        page.click(f"[data-certificate='{cert['_id']}'] a.pdf")
    assert download.value.path().read_bytes().startswith(b"%PDF")
    menu(page, "#menu-my_learning")
    assert PROCUREMENT not in page.locator("#recommended h3").all_inner_texts()  # the gap is closed
    menu(page, "#menu-passbook")
    body = page.inner_text("main")
    assert PROCUREMENT in body and "Passbook" not in body
    page.click("#language-form button[value=en]")


def test_an_exe_package_with_two_scos_counts_each_and_resumes_suspend_data(server, browser, world):  # noqa: F811
    base, site = server
    module = world["modules"]["exe"]
    page = _sign_in(browser, base)
    page.goto(f"{base}/catalogue/{module}")
    part = package(page)
    assert part.locator("#api-found").inner_text() == "Connected"
    part.locator("#leave").click()
    part.locator("#left").wait_for()
    page.wait_for_timeout(300)
    page.reload()
    part = package(page)
    assert part.locator("#resume").inner_text() == "Welcome back: you were at section=3;viewed=1,2,3"
    part.locator("#finish").click()
    page.wait_for_function("() => document.getElementById('module-status').textContent.includes('50')")
    assert site.db["certificate"].count_documents({"content_module": module}) == 0  # one part of two
    page.click("#module-parts >> text=First appeals")
    part = package(page)
    assert part.locator("h1").inner_text() == "First appeals"
    part.locator("#finish").click()
    page.wait_for_selector("#completed-module:not(.hidden)")
    assert site.db["certificate"].count_documents({"content_module": module}) == 1
    assert (RTI, "Verified") in _levels(site, world["officer"], (RTI, "Verified"))


def test_an_adl_apiwrapper_package_resumes_what_it_left_uncommitted_when_the_learner_left_in_hindi(server, browser, world):  # noqa: F811
    """ADL's APIWrapper sets ``var API = null`` in its own window and walks up from there; it
    sets its suspend data without committing, and the launcher finishes the session as the page
    goes, so a reload resumes there."""
    base, site = server
    module = world["modules"]["reload"]
    page = _sign_in(browser, base, locale="hi-IN")
    page.click("#language-form button[value=hi]")
    page.wait_for_selector("html[lang=hi]")
    page.goto(f"{base}/catalogue/{module}")
    sco = package(page)
    assert sco.locator("#api-found").inner_text() == "Connected"
    assert sco.locator("#where").inner_text() == "From the start"
    sco.locator("#read-chapter").click()
    sco.locator("#done").wait_for()
    assert "cmi.suspend_data" not in (site.db["module_attempt"].find_one({"module": module}).get("cmi") or {})
    menu(page, "#menu-my_learning")  # the learner leaves: the launcher finishes the session as the page goes
    page.wait_for_function("() => location.pathname === '/learning'")
    _eventually(lambda: (site.db["module_attempt"].find_one({"module": module}).get("cmi") or {}).get("cmi.suspend_data"))
    attempt = site.db["module_attempt"].find_one({"module": module})
    assert attempt["cmi"]["cmi.core.exit"] == "suspend" and attempt["status"] == "In Progress"
    page.goto(f"{base}/catalogue/{module}")
    sco = package(page)
    assert sco.locator("#where").inner_text() == "Resumed: chapters=1,2 at chapter-3"
    _no_sideways_scroll(page, "the player at 390px in Hindi")
    shot(page, "portal-scorm-adl-hindi")
    sco.locator("#finish").click()
    page.wait_for_selector("#completed-module:not(.hidden)")
    assert "आपने यह मॉड्यूल पूरा कर लिया" in page.inner_text("main")
    assert site.db["certificate"].count_documents({"content_module": module}) == 1
    page.click("#language-form button[value=en]")


def test_a_lectora_package_that_navigates_its_parent_frame_keeps_the_run_time(server, browser, world):  # noqa: F811
    base, site = server
    module = world["modules"]["lectora"]
    page = _sign_in(browser, base, 1280, 900)
    page.goto(f"{base}/catalogue/{module}")
    intro = package(page)
    assert intro.locator("#api-found").inner_text() == "Connected"
    assert intro.locator("#where").inner_text() == "From the start"
    intro.locator("#next").click()
    quiz = staged(page)
    assert quiz.locator("h1").inner_text() == "Quiz: spot the phishing mail"
    assert quiz.locator("#api-found").inner_text() == "Connected"
    page.wait_for_timeout(300)
    page.reload()
    assert package(page).locator("#where").inner_text() == "Resumed at a002_quiz.html"
    package(page).locator("#next").click()
    staged(page).locator("#submit-quiz").click()
    page.wait_for_selector("#completed-module:not(.hidden)")
    attempt = site.db["module_attempt"].find_one({"module": module})
    assert (attempt["status"], attempt["score"]) == ("Completed", 80.0)
    assert (ETHICS, "Verified") in _levels(site, world["officer"], (ETHICS, "Verified"))
    shot(page, "portal-scorm-lectora")


def _journey_rise(page, base, module):
    course = package(page).frame_locator("#content-frame")
    assert course.locator("#where").inner_text() == "From the start"
    page.wait_for_timeout(300)
    page.reload()
    course = package(page).frame_locator("#content-frame")
    assert course.locator("#where").inner_text() == "Resumed at lesson-2"
    course.locator("#submit-quiz").click()


def _journey_captivate(page, base, module):
    assert package(page).locator("#where").inner_text() == "From the start"
    page.wait_for_timeout(300)
    page.reload()
    assert package(page).locator("#where").inner_text() == "Resumed at slide-4"
    package(page).locator("#submit-quiz").click()


def _journey_exe(page, base, module):
    part = package(page)
    part.locator("#leave").click()
    part.locator("#left").wait_for()
    page.wait_for_timeout(300)
    page.reload()
    assert package(page).locator("#resume").inner_text() == "Welcome back: you were at section=3;viewed=1,2,3"
    package(page).locator("#finish").click()
    package(page).locator("#left").wait_for()
    page.wait_for_timeout(300)
    page.goto(f"{base}/catalogue/{module}?part=ITEM-2")
    assert package(page).locator("h1").inner_text() == "First appeals"
    package(page).locator("#finish").click()


def _journey_reload(page, base, module):
    package(page).locator("#read-chapter").click()
    package(page).locator("#done").wait_for()
    menu(page, "#menu-my_learning")
    page.wait_for_function("() => location.pathname === '/learning'")
    page.wait_for_timeout(800)  # the beacon
    page.goto(f"{base}/catalogue/{module}")
    assert package(page).locator("#where").inner_text() == "Resumed: chapters=1,2 at chapter-3"
    package(page).locator("#finish").click()


def _journey_lectora(page, base, module):
    package(page).locator("#next").click()
    assert staged(page).locator("#api-found").inner_text() == "Connected"
    page.wait_for_timeout(300)
    page.reload()
    assert package(page).locator("#where").inner_text() == "Resumed at a002_quiz.html"
    package(page).locator("#next").click()
    staged(page).locator("#submit-quiz").click()


DRIVERS = {
    "rise": (scorm_tools.rise_12, _journey_rise),
    "captivate": (scorm_tools.captivate_2004, _journey_captivate),
    "exe": (scorm_tools.exe_12, _journey_exe),
    "reload": (scorm_tools.reload_12, _journey_reload),
    "lectora": (scorm_tools.lectora_12, _journey_lectora),
}


@pytest.mark.parametrize("driver", sorted(DRIVERS))
@pytest.mark.parametrize("width,language", [(390, "en"), (1280, "hi")])
def test_every_driver_finds_the_run_time_resumes_and_completes(server, browser, world, driver, width, language):  # noqa: F811
    """Each tool's search for the run-time, on a phone and at desktop width, in English and in
    Hindi: found, resumed after a reload or a return, and completed to a certificate and a
    Verified passbook entry."""
    base, site = server
    build, journey = DRIVERS[driver]
    competency = "Digital Literacy and e-Office"
    module = _module(
        site,
        f"{driver} at {width} in {language}",
        "SCORM Package",
        competency,
        attachment=_package(site, build(), f"{driver}.zip"),
    )
    page = _sign_in(browser, base, width, 900)
    page.click(f"#language-form button[value={language}]")
    page.wait_for_selector(f"html[lang={language}]")
    try:
        page.goto(f"{base}/catalogue/{module}")
        journey(page, base, module)
        page.wait_for_selector("#completed-module:not(.hidden)")
        done = "आपने यह मॉड्यूल पूरा कर लिया" if language == "hi" else "You completed this module"
        assert done in page.inner_text("#completed-module")
        if width == 390:
            _no_sideways_scroll(page, f"{driver}'s player at 390px")
        cert = site.db["certificate"].find_one({"content_module": module, "officer": world["officer"]})
        assert cert is not None
        _eventually(lambda: site.db["passbook_entry"].find_one({"certificate": cert["_id"], "workflow_state": "Verified"}))
        shot(page, f"portal-scorm-{driver}-{width}-{language}")
    finally:
        page.click("#language-form button[value=en]")


def test_a_value_the_run_time_refuses_does_not_keep_it_from_the_package(server, browser, world):  # noqa: F811
    """Data kept from before that scorm-again's data model refuses (stored before the server
    checked it) is left out value by value; the package still finds its run-time and resumes."""
    base, site = server
    module = _module(
        site, "RTI refresher", "SCORM Package", RTI, attachment=_package(site, scorm_tools.exe_12(), "rti-refresher.zip")
    )
    page = _sign_in(browser, base, 1280, 900)
    page.goto(f"{base}/catalogue/{module}")
    package(page).locator("#api-found").wait_for()
    page.goto(f"{base}/learning")  # left: the launcher's last commit arrives
    _eventually(lambda: (site.db["module_attempt"].find_one({"module": module}) or {}).get("commits"))
    page.wait_for_timeout(500)
    site.db["module_attempt"].update_one(
        {"module": module, "sco": "ITEM-1"},
        {"$set": {"cmi": {"cmi.core.score.raw": "abc", "cmi.suspend_data": "section=2", "cmi.core.exit": "suspend"}}},
    )
    page.goto(f"{base}/catalogue/{module}")
    from playwright.sync_api import expect

    part = package(page)
    expect(part.locator("#api-found")).to_have_text("Connected")
    expect(part.locator("#resume")).to_have_text("Welcome back: you were at section=2")


def _attacker(html: str):
    """Another website: a page of its own origin (another port of this machine)."""
    import http.server
    import threading

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the library's name
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def test_another_website_cannot_drive_a_learners_run_time(server, browser, world):  # noqa: F811
    """A page of another origin opens the learner's module page and posts run-time calls and
    the launcher's messages to it: the portal page keeps no handle for it (Cross-Origin-Opener-
    Policy), listens only to its own package frame, and nothing is recorded."""
    base, site = server
    module = _module(
        site,
        "Noting and Drafting, second edition",
        "SCORM Package",
        NOTING,
        attachment=_package(site, scorm_tools.rise_12(), "noting-rise-2.zip"),
    )
    page = _sign_in(browser, base, 1280, 900)
    page.goto(f"{base}/catalogue/{module}")
    package(page).frame_locator("#content-frame").locator("#greeting").wait_for()
    attempt = site.db["module_attempt"].find_one({"module": module})
    evil = _attacker(
        f"""<!doctype html><title>Prize</title><p id="state">opening</p><script>
        var w = window.open("{base}/catalogue/{module}");
        var calls = [{{method: "LMSSetValue", params: ["cmi.core.lesson_status", "passed"]}}, {{method: "LMSCommit", params: [""]}},
                     {{igot: "scorm", event: "finished", detail: "continue"}}];
        var n = 0;
        var timer = setInterval(function () {{
          try {{ calls.forEach(function (c) {{ w.postMessage(c, "*"); }}); }} catch (e) {{}}
          document.getElementById("state").textContent = "sent " + (++n) + (w && w.closed ? " (closed)" : "");
        }}, 100);
        </script>"""
    )
    try:
        attacker = page.context.new_page()
        attacker.goto(f"http://127.0.0.1:{evil.server_address[1]}/")
        attacker.wait_for_function("() => document.getElementById('state').textContent.startsWith('sent 20')")
        assert "(closed)" in attacker.inner_text("#state")  # the portal's page gave no handle
    finally:
        evil.shutdown()
    after = site.db["module_attempt"].find_one({"_id": attempt["_id"]})
    assert after["status"] == "In Progress" and after["cmi"].get("cmi.core.lesson_status") != "passed"
    assert site.db["certificate"].count_documents({"content_module": module}) == 0
    # the portal page itself ignores a message that does not come from its package's frame
    page.evaluate("() => window.postMessage({igot: 'scorm', event: 'finished', detail: 'continue'}, '*')")
    page.wait_for_timeout(500)
    assert page.url.endswith(f"/catalogue/{module}")


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
