"""Getting in: invitations, password links, the policy, forgot/change password, first run,
and the mail that carries them, delivered to a real SMTP server on loopback."""

import datetime as dt
import re

import pytest

from app import accounts, auth, mail
from app.errors import ValidationError
from app.site import Site

from . import smtp_server
from .conftest import PASSWORD, add_user, make_config, token_client

POWER = "Ministry of Power"
NEW_PASSWORD = "monsoon paddy field lantern"


@pytest.fixture
def smtp():
    controller, inbox = smtp_server.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def site(smtp):
    from app import install

    controller, _ = smtp
    s = Site(make_config("mongomock", smtp_url=f"smtp://127.0.0.1:{controller.port}", public_url="https://igot.example.gov.in"))
    install.init(s)
    yield s
    s.close()


def _new_account(site, email):
    """An account made as the admin or an import makes one: without a password, so invited."""
    from app.model import lifecycle

    lifecycle.insert(site.context(), "User", {"email": email, "full_name": "Asha", "roles": [{"role": "Learner"}]})


def _link(message) -> str:
    return re.search(r"https://igot\.example\.gov\.in/(?:admin/setup|password-link)/(\S+)", smtp_server.text_of(message)).group(1)


def test_a_new_account_is_invited_by_mail_and_sets_its_password_once(site, smtp):
    _, inbox = smtp
    add_user(site, "nodal@power.gov.in", ["MDO Admin"], [POWER])
    nodal = token_client(site, "nodal@power.gov.in")
    r = nodal.post(
        "/api/resource/User", json={"email": "Asha.Rao@power.gov.in", "full_name": "Asha Rao", "mdos": [{"mdo": POWER}]}
    )
    assert r.status_code == 201, r.json
    (message,) = inbox.wait_for("asha.rao@power.gov.in")
    text = smtp_server.text_of(message)
    assert message["Subject"].startswith("Your account on iGOT Karmayogi: set your password / ")
    assert "Dear Asha Rao" in text and "nodal has given you an account" in text and "because an account was made" in text
    assert message.get_body(preferencelist=("html",)) is not None
    token = _link(message)
    stored = site.db["account_link"].find_one({"user": "asha.rao@power.gov.in"})
    assert token not in str(stored) and stored["_id"] != token  # kept hashed only
    anonymous = nodal.application.test_client()
    r = anonymous.post("/api/method/reset_password", json={"token": token, "password": "password123"})
    assert r.status_code == 400 and "breaches" in str(r.json["errors"]["password"])
    r = anonymous.post("/api/method/reset_password", json={"token": token, "password": "asha.rao rules"})
    assert r.status_code == 400 and "e-mail" in str(r.json["errors"]["password"])
    assert anonymous.post("/api/method/reset_password", json={"token": token, "password": NEW_PASSWORD}).status_code == 200
    assert auth.login(site, "asha.rao@power.gov.in", NEW_PASSWORD)["_id"] == "asha.rao@power.gov.in"
    r = anonymous.post("/api/method/reset_password", json={"token": token, "password": NEW_PASSWORD + "x"})
    assert r.status_code == 410 and "already been used" in r.json["message"]
    assert site.db["mail"].find_one({"recipient": "asha.rao@power.gov.in"})["status"] == "Sent"


def test_a_link_that_is_changed_expired_or_superseded_is_refused(site, smtp):
    add_user(site, "l1@power.gov.in", ["FRAC Reviewer L1"], [POWER])
    first = accounts.issue(site, "l1@power.gov.in", "invite")
    second = accounts.issue(site, "l1@power.gov.in", "invite")
    with pytest.raises(accounts.LinkRefused, match="newer invitation"):
        accounts.check(site, first)
    with pytest.raises(accounts.LinkRefused, match="not one we sent"):
        accounts.check(site, second[:-2] + ("AA" if not second.endswith("AA") else "BB"))
    later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=8)
    with pytest.raises(accounts.LinkRefused, match="expired"):
        accounts.check(site, second, now=later)
    reset = accounts.issue(site, "l1@power.gov.in", "reset")
    with pytest.raises(accounts.LinkRefused, match="expired"):
        accounts.check(site, reset, now=dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(hours=2))
    with pytest.raises(accounts.LinkRefused, match="something else"):
        accounts.check(site, reset, "setup")
    accounts.set_password(site, "l1@power.gov.in", NEW_PASSWORD)  # a password set any way ends every link
    with pytest.raises(accounts.LinkRefused):
        accounts.check(site, reset)


@pytest.mark.parametrize(
    "weak, warning",
    [
        ("ab12ab12ab12", 'Repeats like "abcabcabc"'),
        ("zxcvbnm,./as", "Straight rows of keys"),
        ("19/04/198712", "Dates are often easy to guess"),
    ],
)
def test_a_password_easy_to_guess_is_refused_with_advice(site, weak, warning):
    """Repeats, keyboard rows and dates are in no breach list; zxcvbn sees them."""
    add_user(site, "nodal@power.gov.in", ["MDO Admin"], [POWER])
    browser = token_client(site, "nodal@power.gov.in")
    r = browser.post("/api/method/change_password", json={"current_password": PASSWORD, "new_password": weak})
    (problem,) = r.json["errors"]["password"]
    assert r.status_code == 400 and "too easy to guess" in problem and warning in problem and "Add another word" in problem
    assert auth.login(site, "nodal@power.gov.in", PASSWORD)  # unchanged
    with pytest.raises(ValidationError, match="too easy to guess"):
        accounts.set_password(site, "nodal@power.gov.in", weak)


def test_every_piece_of_zxcvbn_advice_has_its_hindi():
    """zxcvbn's feedback is a fixed set of English sentences (its feedback.py): each is in the
    engine's Hindi catalogue, so a learner reading Hindi is told why in Hindi."""
    import inspect
    import io

    import zxcvbn.feedback
    from babel.messages.extract import extract_python
    from babel.messages.pofile import read_po

    from app.web.portal import ENGINE_TRANSLATIONS

    source = inspect.getsource(zxcvbn.feedback).encode()
    advice = {message for _line, _func, message, _comments in extract_python(io.BytesIO(source), ["_"], [], {})}
    assert len(advice) > 20 and 'Repeats like "abcabcabc" are only slightly harder to guess than "abc".' in advice
    with open(ENGINE_TRANSLATIONS / "hi" / "LC_MESSAGES" / "messages.po", "rb") as handle:
        hindi = {m.id: m.string for m in read_po(handle) if m.id and m.string}
    assert sorted(advice - hindi.keys()) == []
    assert "is too easy to guess." in hindi


def test_the_password_link_and_setup_pages_are_kept_by_no_browser(site):
    """A link's page names whose account it opens; the next person at a shared computer
    must not find it in the history's cache."""
    from app.web import create_app

    _new_account(site, "asha@power.gov.in")
    client = create_app(site=site).test_client()
    pages = [
        "/" + accounts.url(site, accounts.issue(site, "asha@power.gov.in", "reset"), "reset").split("/", 3)[3],
        "/" + accounts.setup_link(site).split("/", 3)[3],
    ]
    for path in pages:
        r = client.get(path)
        assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store", path


def test_forgot_password_answers_the_same_and_does_not_flood_a_mailbox(site, smtp):
    _, inbox = smtp
    add_user(site, "asha@power.gov.in", ["Learner"], [POWER])
    client = token_client(site, "asha@power.gov.in").application.test_client()
    known = client.post("/api/method/forgot_password", json={"email": "asha@power.gov.in"})
    unknown = client.post("/api/method/forgot_password", json={"email": "nobody@power.gov.in"})
    assert known.status_code == unknown.status_code == 200 and known.json == unknown.json
    (reset,) = [m for m in inbox.wait_for("asha@power.gov.in") if "Reset" in m["Subject"]]
    for _ in range(5):
        client.post("/api/method/forgot_password", json={"email": "asha@power.gov.in"})
    assert site.db["account_link"].count_documents({"user": "asha@power.gov.in", "purpose": "reset"}) == accounts.RESETS_PER_HOUR
    assert client.post("/api/method/forgot_password", json={"email": 5}).status_code == 400


def test_changing_a_password_needs_the_current_one_and_ends_every_session(site, smtp):
    _, inbox = smtp
    add_user(site, "asha@power.gov.in", ["Learner"], [POWER])
    from app.web import create_app

    app = create_app(site=site)
    browser = app.test_client()
    assert browser.post("/api/method/login", json={"email": "asha@power.gov.in", "password": PASSWORD}).status_code == 200
    other = app.test_client()
    other.post("/api/method/login", json={"email": "asha@power.gov.in", "password": PASSWORD})
    wrong = browser.post("/api/method/change_password", json={"current_password": "not it at all", "new_password": NEW_PASSWORD})
    assert wrong.status_code == 400 and "current_password" in wrong.json["errors"]
    r = browser.post("/api/method/change_password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert r.status_code == 200
    assert other.get("/api/method/me").status_code == 401 and browser.get("/api/method/me").status_code == 401
    assert any("was changed" in m["Subject"] for m in inbox.wait_for("asha@power.gov.in"))


def test_the_first_run_link_makes_the_first_system_manager_once(site):
    assert accounts.needs_setup(site)
    link = accounts.setup_link(site)
    token = link.rsplit("/", 1)[1]
    from app.web import create_app

    client = create_app(site=site).test_client()
    page = client.get(f"/admin/setup/{token}")
    assert page.status_code == 200 and "Set up this installation" in page.get_data(as_text=True)
    with pytest.raises(Exception, match="breaches"):
        accounts.create_first_manager(site, token, "dg@dopt.gov.in", "Director General", "qwerty12345")
    accounts.create_first_manager(site, token, "dg@dopt.gov.in", "Director General", NEW_PASSWORD)
    assert auth.login(site, "dg@dopt.gov.in", NEW_PASSWORD)
    assert not accounts.needs_setup(site) and accounts.setup_link(site) is None
    assert site.db["mail"].count_documents({"recipient": "dg@dopt.gov.in", "kind": "invitation"}) == 0
    again = client.get(f"/admin/setup/{token}")
    assert again.status_code == 410 and "cannot be used" in again.get_data(as_text=True)


def test_an_mdo_admin_may_not_resend_invitations_outside_their_mdo(site, smtp):
    add_user(site, "nodal@power.gov.in", ["MDO Admin"], [POWER])
    add_user(site, "nodal@steel.gov.in", ["MDO Admin"], ["Ministry of Steel"])
    add_user(site, "asha@power.gov.in", ["Learner"], [POWER])
    steel = token_client(site, "nodal@steel.gov.in")
    r = steel.post("/api/method/resend_invitations", json={"users": ["asha@power.gov.in"]})
    assert r.status_code == 200 and r.json["sent"] == [] and "asha@power.gov.in" in r.json["refused"]
    power = token_client(site, "nodal@power.gov.in")
    r = power.post("/api/method/resend_invitations", json={"users": ["asha@power.gov.in"]})
    assert r.json["sent"] == ["asha@power.gov.in"]
    learner = token_client(site, "asha@power.gov.in")
    assert learner.post("/api/method/resend_invitations", json={"users": ["asha@power.gov.in"]}).json["sent"] == []


def test_without_a_mail_server_mail_stays_in_the_outbox_and_a_failure_is_retried():
    from app import install

    s = Site(make_config("mongomock"))
    install.init(s)
    _new_account(s, "asha@power.gov.in")
    kept = s.db["mail"].find_one({"recipient": "asha@power.gov.in"})
    assert kept["status"] == "Kept in outbox" and "password-link" in kept["body_text"]
    s.close()
    port = smtp_server.free_port()  # nothing listens there
    s = Site(make_config("mongomock", smtp_url=f"smtp://127.0.0.1:{port}"))
    install.init(s)
    _new_account(s, "asha@power.gov.in")
    failed = s.db["mail"].find_one({"recipient": "asha@power.gov.in"})
    assert failed["status"] == "Failed" and failed["attempts"] == 1 and "Connection" in failed["error"]
    assert mail.retry_due(s) == []  # not yet due
    controller, inbox = smtp_server.start()
    try:
        object.__setattr__(s.config, "smtp_url", f"smtp://127.0.0.1:{controller.port}")
        later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(minutes=2)
        assert mail.retry_due(s, later) == [failed["_id"]]
        inbox.wait_for("asha@power.gov.in")
        assert s.db["mail"].find_one({"_id": failed["_id"]})["status"] == "Sent"
    finally:
        controller.stop()
        s.close()


def test_the_mail_settings_are_read_from_the_url():
    from app.config import Config

    server = mail.smtp_settings(Config(smtp_url="smtp://relay%40dopt:s3cret@mail.gov.in:587"))
    assert (server.host, server.port, server.user, server.password, server.starttls) == (
        "mail.gov.in",
        587,
        "relay@dopt",
        "s3cret",
        True,
    )
    assert mail.smtp_settings(Config(smtp_url="smtps://mail.gov.in")).port == 465
    assert "s3cret" not in repr(Config(smtp_url="smtp://a:s3cret@b"))


def test_the_user_list_sends_invitations_again_to_the_selected_and_only_within_reach(site, smtp):
    """The admin's "With selected: Send Invitation Again" on the user list: the nodal officer's
    own MDO's users get a new link (the earlier one stops working); a user of another MDO
    named in the same request is refused and gets nothing; a learner is not offered it."""
    from app.web import create_app

    from .test_admin import csrf, signed_in

    _, inbox = smtp
    add_user(site, "nodal@power.gov.in", ["MDO Admin"], [POWER])
    for email, mdo in (("ravi@power.gov.in", POWER), ("meena@steel.gov.in", "Ministry of Steel")):
        site.db["user"].insert_one({"_id": email, "email": email, "full_name": email, "mdos": [{"mdo": mdo}], "enabled": True})
    first = accounts.issue(site, "ravi@power.gov.in", "invite")
    app = create_app(site=site)
    nodal = signed_in(app, "nodal@power.gov.in")
    page = nodal.get("/admin/user/").get_data(as_text=True)
    assert "Send Invitation Again" in page
    r = nodal.post(
        "/admin/user/action/",
        data={
            "action": "doc:resend_invitation",
            "rowid": ["ravi@power.gov.in", "meena@steel.gov.in"],
            "csrf_token": csrf(nodal, "/admin/user/"),
        },
        follow_redirects=True,
    )
    text = r.get_data(as_text=True)
    flashes = re.findall(r"alert-(?:success|danger|error)[^>]*>(.*?)</div>", text, re.S)
    assert "Send Invitation Again: done for 1 record." in text and "meena@steel.gov.in" in text, flashes
    inbox.wait_for("ravi@power.gov.in")
    assert inbox.to("meena@steel.gov.in") == []
    with pytest.raises(accounts.LinkRefused, match="newer"):
        accounts.check(site, first)
    add_user(site, "asha@power.gov.in", ["Learner"], [POWER])
    assert "Send Invitation Again" not in signed_in(app, "asha@power.gov.in").get("/admin/user/").get_data(as_text=True)
