"""Getting in and knowing what waits, in a real browser, with the mail read from a real SMTP
server on loopback: an imported officer's invitation, "Forgot password", links that are
used or expired, and a role map passed from the L1 to the L2 reviewers' "Waiting for me"."""

import re
import threading

import pytest

from app import install
from app.auth import context_for
from app.model import lifecycle, transitions
from app.site import Site
from app.web import create_app

from . import smtp_server
from .conftest import add_user, make_config
from .test_browser import POWER, browser, shot, sign_in  # noqa: F401 - browser is a fixture

NEW_PASSWORD = "monsoon paddy field lantern"


@pytest.fixture(scope="module")
def mailed(tmp_path_factory):
    """A server whose mail goes to an SMTP server on loopback, and that server's inbox."""
    from waitress import create_server

    controller, inbox = smtp_server.start()
    port = smtp_server.free_port()
    base = f"http://127.0.0.1:{port}"
    site = Site(
        make_config(
            "embedded",
            tmp_path_factory.mktemp("accounts") / "var",
            smtp_url=f"smtp://127.0.0.1:{controller.port}",
            public_url=base,
        )
    )
    install.init(site)
    add_user(site, "nodal@power.gov.in", ["MDO Admin"], [POWER])
    httpd = create_server(create_app(site=site), host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=httpd.run, daemon=True)
    thread.start()
    yield base, site, inbox
    httpd.close()
    site.close()
    controller.stop()


def _link(base, message) -> str:
    return re.search(re.escape(base) + r"/(?:admin/setup|password-link)/\S+", smtp_server.text_of(message)).group(0)


def _page(browser):  # noqa: F811 - the fixture's value
    return browser.new_context(viewport={"width": 1280, "height": 900}).new_page()


def _set_password(page, link, password):
    page.goto(link)
    page.fill("#password", password)
    page.fill("#confirm", password)
    page.click("#password-form button[type=submit]")


def _signed_in(page, base):
    """Setting the password from the link signs the officer in, on My learning."""
    page.wait_for_url(f"{base}/learning")
    page.wait_for_selector("text=Welcome")


def test_an_imported_officer_is_invited_sets_a_password_signs_in_and_can_reset_it(mailed, browser, tmp_path):  # noqa: F811
    base, site, inbox = mailed
    staff = tmp_path / "staff.csv"
    staff.write_text(
        "Name,Email,Service,Group,MDO\nAsha Rao,asha.rao@power.gov.in,IAS,A,Ministry of Power\n",
        encoding="utf-8",
    )
    nodal = sign_in(browser, base, "nodal@power.gov.in")
    nodal.goto(f"{base}/admin/import/?doctype=Officer")
    nodal.set_input_files("#file", str(staff))
    nodal.click("#import-button")
    nodal.wait_for_selector("#import-summary")
    assert nodal.inner_text("#import-summary").startswith("1 imported, 0 rejected")

    (invitation,) = inbox.wait_for("asha.rao@power.gov.in")
    assert invitation["Subject"].startswith("Your account on iGOT Karmayogi: set your password / ")
    assert "Dear Asha Rao" in smtp_server.text_of(invitation)
    link = _link(base, invitation)

    officer = _page(browser)
    officer.goto(link)
    assert officer.inner_text("#link-email") == "asha.rao@power.gov.in"
    officer.fill("#password", "password123")  # a password from the breach list
    officer.fill("#confirm", "password123")
    officer.click("#password-form button[type=submit]")
    officer.wait_for_selector("text=found in breaches")
    shot(officer, "invitation-password-refused")
    _set_password(officer, link, NEW_PASSWORD)
    _signed_in(officer, base)
    assert officer.url == f"{base}/learning"  # an officer lands on their learner portal
    assert officer.inner_text("h1") == "Welcome, Asha Rao"  # by name, not by e-mail address
    shot(officer, "invited-officer-home")

    stranger = _page(browser)
    stranger.goto(link)  # used once: refused, saying why
    assert stranger.inner_text("#link-refused").count("already been used") == 1

    # Forgot password, from the sign-in page
    stranger.goto(f"{base}/admin/login/")
    stranger.click("#forgot-link")
    stranger.fill("#email", "asha.rao@power.gov.in")
    stranger.click("#forgot-form button[type=submit]")
    stranger.wait_for_selector("text=If an account has this e-mail address")
    reset = inbox.wait_for("asha.rao@power.gov.in", count=2)[-1]
    assert reset["Subject"] == "Reset your iGOT Karmayogi password"
    _set_password(stranger, _link(base, reset), "a brand new lantern song")
    _signed_in(stranger, base)

    # an expired link is refused with a page that says so
    nobody = _page(browser)
    nobody.goto(f"{base}/forgot")
    nobody.fill("#email", "asha.rao@power.gov.in")
    nobody.click("#forgot-form button[type=submit]")
    nobody.wait_for_selector("text=If an account has this e-mail address")
    late = inbox.wait_for("asha.rao@power.gov.in", count=3)[-1]
    assert late["Subject"] == "Reset your iGOT Karmayogi password"
    import datetime as dt

    site.db["account_link"].update_many(
        {"user": "asha.rao@power.gov.in", "used_at": None}, {"$set": {"expires": dt.datetime(2020, 1, 1)}}
    )
    nobody.goto(_link(base, late))
    assert "has expired" in nobody.inner_text("#link-refused")
    shot(nobody, "link-expired")
    assert nobody.locator("#ask-again").is_visible()


def test_a_role_map_waits_for_l1_then_l2_and_its_maker_hears_the_decision(mailed, browser):  # noqa: F811
    base, site, inbox = mailed
    for email, role in (("l1@power.gov.in", "FRAC Reviewer L1"), ("l2@power.gov.in", "FRAC Reviewer L2")):
        add_user(site, email, [role], [POWER])
    nodal = context_for(site, "nodal@power.gov.in")
    position = lifecycle.insert(nodal, "Position", {"position_name": "Deputy Secretary (Coal)", "mdo": POWER, "group": "A"}).name
    role = lifecycle.insert(
        nodal,
        "FRAC Role",
        {
            "role_name": "Coal allocation",
            "mdo": POWER,
            "activities": [{"activity": "Examine coal linkage proposals"}],
            "competencies": [{"competency": "Noting and Drafting", "required_level": 3}],
        },
    ).name
    rm = lifecycle.insert(nodal, "Role Map", {"position": position, "mdo": POWER, "roles": [{"frac_role": role}]}).name
    transitions.apply(nodal, "Role Map", rm, "Submit for Review")

    (mail,) = inbox.wait_for("l1@power.gov.in")
    assert (
        mail["Subject"] == "nodal sent the role map for Deputy Secretary (Coal) for review. It waits for you: Verify or Reject."
    )
    assert f"{base}/admin/role_map/details/?id={rm}" in smtp_server.text_of(mail)

    l1 = sign_in(browser, base, "l1@power.gov.in")
    l1.goto(f"{base}/admin/")
    row = l1.locator("#waiting-for-me tr", has_text="Deputy Secretary (Coal)")
    assert "Submitted" in row.inner_text()
    assert l1.inner_text("#task-count .badge") == "1" and l1.inner_text("#unread-count") == "1"
    shot(l1, "l1-waiting-for-me")
    row.locator("button", has_text="Verify").click()
    l1.wait_for_selector("text=Verify: done.")
    l1.goto(f"{base}/admin/")
    assert l1.is_visible("#nothing-waiting") and l1.inner_text("#task-count .badge") == "0"

    l2 = sign_in(browser, base, "l2@power.gov.in")
    l2.goto(f"{base}/admin/")
    assert "Deputy Secretary (Coal)" in l2.inner_text("#waiting-for-me")
    assert inbox.wait_for("l2@power.gov.in")[0]["Subject"].startswith("l1 verified the role map for Deputy Secretary (Coal).")

    maker = sign_in(browser, base, "nodal@power.gov.in")
    maker.click("#bell")
    maker.wait_for_url(f"{base}/admin/notifications/*")
    told = maker.inner_text("main, body")
    assert "l1 verified the role map for Deputy Secretary (Coal)." in told
    shot(maker, "maker-notifications")
    assert any("l1 verified the role map" in m["Subject"] for m in inbox.to("nodal@power.gov.in"))
