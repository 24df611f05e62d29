"""Dates in a Chromium set to US English: typed and picked as DD/MM/YYYY in the back office,
shown as DD/MM/YYYY, and kept as the day meant (4 December, not 12 April)."""

import datetime as dt
import re
import threading

import pytest

from app import install
from app.site import Site
from app.web import create_app

from .conftest import PASSWORD, add_user, make_config
from .test_browser import POWER, browser, pick, shot  # noqa: F401 - the browser fixture

pytestmark = pytest.mark.usefixtures("browser")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from waitress import create_server

    site = Site(make_config("embedded", tmp_path_factory.mktemp("dates") / "var"))
    install.init(site)
    add_user(site, "nodal@power.gov.in", ["MDO Admin"], [POWER])
    httpd = create_server(create_app(site=site), host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=httpd.run, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.effective_port}", site
    httpd.close()
    site.close()


def test_a_us_english_browser_enters_and_reads_dates_as_dd_mm_yyyy(server, browser):  # noqa: F811
    base, site = server
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/admin/officer/new/")
    page.fill("#email", "nodal@power.gov.in")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r".*/admin/officer/new/.*"))
    assert page.evaluate("navigator.language") == "en-US"
    dob = page.locator("#date_of_birth")
    assert dob.get_attribute("type") == "text" and dob.get_attribute("placeholder") == "DD/MM/YYYY"
    # the calendar opens on the field, in the same format whatever the browser's language
    dob.click()
    calendar = page.locator(".daterangepicker").filter(has=page.locator("td.available")).first
    calendar.wait_for()
    calendar.locator("td.available:not(.off)").filter(has_text=re.compile(r"^15$")).first.click()
    assert re.fullmatch(r"15/\d{2}/\d{4}", dob.input_value()), dob.input_value()
    shot(page, "dates-picker-en-US")
    # typed: 4 December 1985, which a US reader would write 12/04/1985
    dob.fill("04/12/1985")
    page.keyboard.press("Escape")
    page.fill("#full_name", "Asha Rao")
    page.fill("[name=email]", "asha@power.gov.in")
    pick(page, "service", "Central Secretariat Service")
    page.select_option("#group", "A")
    page.click("input[type=submit][value='Save']")
    page.wait_for_url(re.compile(r".*/admin/officer/.*"))
    stored = site.db["officer"].find_one({"email": "asha@power.gov.in"}, {"date_of_birth": 1})
    assert stored is not None, page.inner_text("body")[:2000]
    assert stored["date_of_birth"] == dt.date(1985, 12, 4).isoformat()
    page.goto(f"{base}/admin/officer/details/?id={stored['_id']}")
    text = page.inner_text("body")
    assert "04/12/1985" in text and "1985-12-04" not in text
    assert "Central Secretariat Service" in text  # the service by its name, not its code
    shot(page, "dates-officer-details-en-US")
    # the edit form shows the day as it was typed
    page.goto(f"{base}/admin/officer/edit/?id={stored['_id']}")
    assert page.locator("#date_of_birth").input_value() == "04/12/1985"
    context.close()
