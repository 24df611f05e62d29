"""An officer's first contact and what the portal tells them, in a real browser on a 390 px
phone in Hindi: from the invitation (read from the outbox) to a password set on a portal
page and signed in, the collapsed menu, a lesson text's reading time left, and a
certificate revoked by the MDO, explained, with the module taken again."""

import datetime as dt
import re

from app.auth import context_for
from app.model import actions, lifecycle

from .test_browser import POWER, browser, server, shot  # noqa: F401 - fixtures

NEW_PASSWORD = "monsoon paddy field lantern"
BUDGET = "Budgeting and Expenditure Management"


def test_an_invited_officer_sets_a_password_reads_and_hears_of_a_revocation_in_hindi(server, browser):  # noqa: F811
    base, site = server
    nodal = context_for(site, "nodal@power.gov.in")
    lifecycle.insert(
        nodal,
        "Officer",
        {"full_name": "Kavita Menon", "email": "kavita@power.gov.in", "service": "CSS", "group": "A", "mdo": POWER},
    )
    (invitation,) = site.db.mail.find({"recipient": "kavita@power.gov.in", "kind": "invitation"})
    path = re.search(r"/password-link/\S+", invitation["body_text"]).group(0)

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="hi-IN", extra_http_headers={"Accept-Language": "hi-IN,hi"}
    )
    page = phone.new_page()
    page.goto(base + path)
    assert page.inner_text("h1") == "स्वागत है! अपना पासवर्ड चुनें"
    shot(page, "first-contact-set-password-hi-390")
    page.fill("#password", NEW_PASSWORD)
    page.fill("#confirm", NEW_PASSWORD)
    page.click("#set-password")
    page.wait_for_url(f"{base}/learning")  # signed in, on My learning
    assert page.locator("#menu-button").is_visible() and not page.locator("#menu-catalogue").is_visible()
    nav_height = page.locator("nav.menu").bounding_box()["height"]
    assert nav_height < 70, nav_height  # one row, not a quarter of the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "first-contact-my-learning-menu-closed-hi-390")
    page.click("#menu-button")
    assert page.locator("#menu-catalogue").is_visible()
    shot(page, "first-contact-menu-open-hi-390")

    module = lifecycle.insert(
        site.context(),
        "Content Module",
        {
            "title": "Outcome budgeting",
            "kind": "Lesson Text",
            "mdo": POWER,
            "lesson_text": " ".join(["word"] * 600),  # two minutes of reading
            "competencies": [{"competency": BUDGET, "level": 2}],
            "workflow_state": "Published",
        },
    ).name
    page.goto(f"{base}/catalogue/{module}")
    page.wait_for_selector("#module-status:has-text('पढ़ने का बचा समय')")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")  # the end, early
    page.wait_for_selector("#module-toast:has-text('आप अंत तक पहुँच गए')")
    shot(page, "lesson-reading-time-left-hi-390")

    site.db.module_attempt.update_many(  # the reading time passes
        {"module": module}, {"$set": {"started_at": dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=5)}}
    )
    page.reload()
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    page.wait_for_selector("#module-toast:has-text('आपने यह मॉड्यूल पूरा कर लिया')")
    shot(page, "lesson-completed-toast-hi-390")
    (cert,) = site.db.certificate.find({"content_module": module})

    actions.run(nodal, "Certificate", cert["_id"], "revoke", {"reason": "Completed on another officer's account"})
    page.goto(f"{base}/notifications")
    assert "रद्द" in page.inner_text("#main")
    page.goto(f"{base}/catalogue/{module}")
    assert "Completed on another officer's account" in page.inner_text("#revoked-certificate")
    assert page.locator("#module-status").is_visible() and not page.locator("#completed-module").is_visible()
    shot(page, "revoked-certificate-retake-hi-390")
    page.goto(f"{base}/certificates")
    assert "Completed on another officer's account" in page.inner_text("#main")
    phone.close()
