"""The admin in a real browser: Debian's chromium driven by Playwright (never downloaded).
Screenshots of the main screens go to artifacts/screenshots/ for a reviewer to look at."""
import os
import threading
from pathlib import Path

import pytest

from app import install, lifecycle
from app.auth import context_for
from app.config import ROOT
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
    lifecycle.insert(context_for(site, "nodal@steel.gov.in"), "Officer", {
        "full_name": "Sunita Steel", "email": "sunita@steel.gov.in", "service": "IAS", "group": "A", "mdo": STEEL})
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
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
            "--disable-background-networking", "--disable-component-update"])
        yield browser
        browser.close()


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


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
    assert page.inner_text("#signed-in-as") == "nodal@power.gov.in"
    assert "Sunita Steel" not in page.content()
    page.goto(f"{base}/admin/")
    shot(page, "home")
    page.goto(f"{base}/admin/officer/new/")
    page.fill("#full_name", "Ravi Power")
    page.fill("#email", "ravi@power.gov.in")
    page.select_option("#service", "CSS")
    page.select_option("#group", "B")
    page.select_option("#mdo", POWER)
    page.fill("#year_of_allotment", "1800")
    page.click("input[type=submit][value=Save]")
    page.wait_for_selector("text=greater than or equal to 1950")
    shot(page, "officer-form-error")
    assert site.db.officer.count_documents({"email": "ravi@power.gov.in"}) == 0
    page.fill("#year_of_allotment", "2015")
    page.click("input[type=submit][value=Save]")
    page.wait_for_url(f"{base}/admin/officer/")
    assert "Ravi Power" in page.content()
    shot(page, "officer-list")


def test_other_mdo_sees_neither_the_record_nor_the_link_choice(server, browser):
    base, site = server
    lifecycle.insert(context_for(site, "nodal@power.gov.in"), "Officer", {
        "full_name": "Meera Power", "email": "meera@power.gov.in", "service": "IAS", "group": "A", "mdo": POWER})
    page = sign_in(browser, base, "nodal@steel.gov.in")
    assert "Meera Power" not in page.content() and "Sunita Steel" in page.content()
    page.goto(f"{base}/admin/sanction/new/")
    options = page.eval_on_selector_all("#officer option", "els => els.map(e => e.textContent)")
    assert "Sunita Steel" in options and "Meera Power" not in options
    mdo_options = page.eval_on_selector_all("#mdo option", "els => els.map(e => e.value)")
    assert mdo_options == ["", STEEL]
    shot(page, "link-choices-other-mdo")
