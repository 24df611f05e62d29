"""Getting in through the portal: the invitation and reset mails open the portal's own pages,
in the reader's language, and setting the password signs the person in."""

import re

import pytest

from app import auth
from app.model import lifecycle

from . import frac_world
from .test_portal import text

POWER = frac_world.POWER
NEW_PASSWORD = "monsoon paddy field lantern"


@pytest.fixture
def world(mock_site):
    w = frac_world.build(mock_site)
    w.app.config["WTF_CSRF_ENABLED"] = False
    return w


def _invitation(site, email) -> dict:
    (sent,) = [m for m in site.db.mail.find({"recipient": email, "kind": "invitation"})]
    return sent


def _token(body: str) -> str:
    return re.search(r"/password-link/(\S+)", body).group(1)


def test_an_invitation_links_to_the_portal_in_the_readers_language_then_the_other(world):
    world.officer("asha@power.gov.in", name="Asha Rao")
    site = world.site
    sent = _invitation(site, "asha@power.gov.in")
    english, hindi = sent["body_text"].split("==========")
    assert "http://localhost:8000/password-link/" in english and "/admin/" not in sent["body_text"]
    assert "Dear Asha Rao" in english and "Set your password" in english and "/forgot" in english
    assert "अपना पासवर्ड सेट करें" in hindi and "आपका खाता बनाया गया" not in english
    assert sent["subject"] == "Your account on iGOT Karmayogi: set your password / iGOT Karmayogi पर आपका खाता: अपना पासवर्ड सेट करें"
    assert 'lang="hi"' in sent["body_html"]

    lifecycle.insert(
        site.context(),
        "User",
        {"email": "ravi@power.gov.in", "full_name": "Ravi", "language": "Hindi", "roles": [{"role": "Learner"}]},
    )
    ravi = _invitation(site, "ravi@power.gov.in")
    first, second = ravi["body_text"].split("==========")  # Hindi, his profile's, first
    assert "अपना पासवर्ड सेट करें" in first and "Set your password" not in first
    assert "Set your password" in second and ravi["subject"].startswith("iGOT Karmayogi पर आपका खाता")


def test_setting_the_password_signs_the_officer_in_on_my_learning_in_hindi(world):
    world.officer("asha@power.gov.in", name="Asha Rao")
    link = "/password-link/" + _token(_invitation(world.site, "asha@power.gov.in")["body_text"])
    browser = world.app.test_client()
    hindi = {"Accept-Language": "hi-IN,hi;q=0.9"}
    page = browser.get(link, headers=hindi)
    assert page.status_code == 200 and "स्वागत है! अपना पासवर्ड चुनें" in text(page)
    assert 'href="/portal-static/portal.css"' in page.get_data(as_text=True)  # the portal's look
    refused = browser.post(link, data={"password": "password123", "confirm": "password123"}, headers=hindi)
    assert refused.status_code == 400 and "डेटा लीक" in text(refused)
    differ = browser.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"}, headers=hindi)
    assert differ.status_code == 400 and "दोनों पासवर्ड एक जैसे नहीं हैं" in text(differ)
    done = browser.post(link, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}, headers=hindi)
    assert done.status_code == 302 and done.headers["Location"].endswith("/")
    learning = browser.get("/", follow_redirects=True, headers=hindi)
    assert learning.request.path == "/learning" and "Asha Rao" in text(learning)
    again = world.app.test_client().get(link, headers=hindi)
    assert again.status_code == 410 and "पहले ही इस्तेमाल हो चुका है" in text(again)


def test_a_back_office_user_lands_in_the_back_office(world):
    from app import accounts

    lifecycle.insert(
        world.site.context(), "User", {"email": "lata@power.gov.in", "full_name": "Lata", "roles": [{"role": "FRAC Reviewer L1"}]}
    )
    token = _token(_invitation(world.site, "lata@power.gov.in")["body_text"])
    assert accounts.check(world.site, token)["user"] == "lata@power.gov.in"
    done = world.app.test_client().post(f"/password-link/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"].endswith("/admin/")


def test_old_back_office_links_open_the_portal_pages(world):
    world.officer("asha@power.gov.in", name="Asha Rao")
    token = _token(_invitation(world.site, "asha@power.gov.in")["body_text"])
    browser = world.app.test_client()
    old = browser.get(f"/admin/password-link/{token}")
    assert old.status_code == 302 and old.headers["Location"] == f"/password-link/{token}"
    assert browser.get("/admin/forgot/").headers["Location"] == "/forgot"


def test_forgot_mails_a_portal_link_in_the_pages_language_and_says_the_same_for_anyone(world):
    world.officer("asha@power.gov.in", name="Asha Rao")
    auth.set_password(world.site, "asha@power.gov.in", NEW_PASSWORD)
    browser = world.app.test_client()
    hindi = {"Accept-Language": "hi"}
    known = browser.post("/forgot", data={"email": "asha@power.gov.in"}, headers=hindi)
    unknown = browser.post("/forgot", data={"email": "nobody@power.gov.in"}, headers=hindi)
    assert known.status_code == unknown.status_code == 200 and text(known) == text(unknown)
    (reset,) = world.site.db.mail.find({"recipient": "asha@power.gov.in", "kind": "password reset"})
    assert reset["subject"] == "अपना iGOT Karmayogi पासवर्ड रीसेट करें"
    assert "/password-link/" in reset["body_text"] and "/admin/" not in reset["body_text"]
    assert browser.post("/forgot", data={}).status_code == 400
