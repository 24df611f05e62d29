"""Getting in: invitations, setting and resetting passwords, the password policy, and the
first System Manager of a new installation.

- **Links.** An invitation (valid 7 days), a password reset (1 hour) and the first-run setup
  link (24 hours) are single-use links ``/password-link/<token>``, a page of the portal
  that signs the person in once the password is set (setup: ``/admin/setup/<token>``). The token is 256 random bits, signed with the installation's
  secret key (so a changed or made-up token is refused before any lookup), and kept only as
  its SHA-256 in ``account_link`` (user, purpose, created, expires, used, superseded). A link
  dies when it is used, when it expires, and when a newer link of the user replaces it; a
  password set any way ends every link of the user.
- **Invitations** go to every new account, however it is made (the admin, the API, staff
  onboarding, ``igot user add`` without ``--password``): the User controller's
  ``after_insert``. They can be sent again from the user's record, or in bulk
  (``POST /api/method/resend_invitations``).
- **Forgot password** answers the same whether or not the address has an account (nothing
  tells who has one), and sends at most ``RESETS_PER_HOUR`` reset mails an hour to one account.
- **Policy** (``policy_errors``): at least ``MIN_PASSWORD`` characters, not the e-mail address
  or its name part, not one of the 19,640 passwords most found in breaches
  (``app/data/common-passwords.txt.gz``), and hard enough to guess by zxcvbn's estimate
  (repeats, keyboard rows, sequences, dates and names are refused, with zxcvbn's advice).
  Every way of setting a password applies it.
- Setting a password ends all the user's sessions (``app.auth.set_password``) and mails them
  that it changed (unless they just chose it from a link in their own mailbox).
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import secrets
from functools import lru_cache
from pathlib import Path

import itsdangerous

from app import auth, i18n, mail
from app.errors import IgotError, ValidationError
from app.i18n import N_, words
from app.keys import site_secret

LINKS = "account_link"
LIFETIME = {"invite": dt.timedelta(days=7), "reset": dt.timedelta(hours=1), "setup": dt.timedelta(hours=24)}
WORDS = {"invite": "invitation", "reset": "password reset link", "setup": "setup link"}
RESETS_PER_HOUR = 3
MIN_PASSWORD = auth.MIN_PASSWORD
MAX_PASSWORD = 1024
COMMON = Path(__file__).parent / "data" / "common-passwords.txt.gz"
# zxcvbn's scores run 0 (too guessable) to 4; 3 is "safely unguessable" for an online
# attack, which sign-in throttling (app.auth) is all an attacker gets. zxcvbn reads at most
# 72 characters; a longer password is judged by its first 72.
MIN_STRENGTH = 3
STRENGTH_CHARS = 72


class LinkRefused(IgotError):
    """A link that is unknown, changed, used, expired or replaced by a newer one."""

    status = 410


def _now() -> dt.datetime:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def _signer(site) -> itsdangerous.URLSafeSerializer:
    return itsdangerous.URLSafeSerializer(site_secret(site), salt="igot-account-link")


# the policy ----------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def common_passwords() -> frozenset:
    with gzip.open(COMMON, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


def policy_errors(email: str, password: str) -> list[str]:
    """Why ``password`` may not be the password of ``email`` (empty: it may)."""
    password = password or ""
    lowered = password.lower()
    email = (email or "").strip().lower()
    local = email.split("@")[0]
    errors = []
    if len(password) < MIN_PASSWORD:
        errors.append(f"must be at least {MIN_PASSWORD} characters (a few words make a good one).")
    if len(password) > MAX_PASSWORD:
        errors.append(f"must be at most {MAX_PASSWORD} characters.")
    if email and (lowered in (email, local) or (len(local) >= 4 and local in lowered)):
        errors.append("must not contain your e-mail address or its name part.")
    if lowered in common_passwords() or lowered.rstrip("0123456789!@#$.") in common_passwords():
        errors.append("is one of the passwords most often found in breaches; choose another.")
    if password and len(set(password)) < 4:
        errors.append("uses too few different characters.")
    if not errors:
        errors += strength_errors(email, password)
    return errors


def strength_errors(email: str, password: str) -> list[str]:
    """zxcvbn's estimate, for what a list of breached passwords cannot see: repeats
    (``ab12ab12ab12``), keyboard rows, sequences, dates, names. Below ``MIN_STRENGTH`` the
    password is refused with zxcvbn's own advice, said in the reader's language (the page's
    locale in a request; English elsewhere, as on the command line)."""
    import zxcvbn
    from flask_babel import gettext

    local = email.split("@")[0]
    result = zxcvbn.zxcvbn(password[:STRENGTH_CHARS], user_inputs=[email, local])
    if result["score"] >= MIN_STRENGTH:
        return []
    feedback = result["feedback"]
    advice = [feedback.get("warning") or "", *feedback.get("suggestions", [])]
    return [" ".join([gettext("is too easy to guess."), *(gettext(text) for text in advice if text)])]


def check_policy(email: str, password: str) -> None:
    errors = policy_errors(email, password)
    if errors:
        raise ValidationError.for_fields("User", email, {"password": errors})


# links -----------------------------------------------------------------------------------------


def issue(site, email: str, purpose: str, *, now=None) -> str:
    """A new link of ``purpose`` for ``email``; the user's earlier unused links of the same
    purpose stop working. Returns the signed token (shown once, in the mail or the console)."""
    now = now or _now()
    token = secrets.token_urlsafe(32)
    coll = site.unguarded(LINKS)
    coll.update_many(
        {"user": email, "purpose": purpose, "used_at": None, "superseded_at": None}, {"$set": {"superseded_at": now}}
    )
    coll.insert_one(
        {
            "_id": _sha256(token),
            "user": email,
            "purpose": purpose,
            "created": now,
            "expires": now + LIFETIME[purpose],
            "used_at": None,
            "superseded_at": None,
        }
    )
    return _signer(site).dumps({"t": token, "p": purpose})


def url(site, token: str, purpose: str) -> str:
    if purpose == "setup":
        return f"{site.config.public_url}/admin/setup/{token}"
    return f"{site.config.public_url}/password-link/{token}"


def forgot_url(site) -> str:
    return f"{site.config.public_url}/forgot"


def _unsign(site, signed: str) -> tuple[str, str]:
    try:
        payload = _signer(site).loads(signed or "")
    except itsdangerous.BadData:
        raise LinkRefused("This link is not one we sent: it may have been cut short when copied. Ask for a new one.") from None
    return payload.get("t") or "", payload.get("p") or ""


def check(site, signed: str, purpose: str | tuple = ("invite", "reset"), *, now=None) -> dict:
    """The live link record of ``signed``; LinkRefused saying why not."""
    token, claimed = _unsign(site, signed)
    purposes = (purpose,) if isinstance(purpose, str) else purpose
    record = site.unguarded(LINKS).find_one({"_id": _sha256(token)})
    if record is None or claimed not in purposes or record["purpose"] != claimed:
        raise LinkRefused("This link is not one we sent, or it was for something else. Ask for a new one.")
    words = WORDS[record["purpose"]]
    if record.get("used_at"):
        raise LinkRefused(f"This {words} has already been used. Sign in, or ask for a password reset if you forgot it.")
    if record.get("superseded_at"):
        raise LinkRefused(f"A newer {words} was sent after this one: use the link in the most recent mail.")
    if record["expires"] <= (now or _now()):
        raise LinkRefused(f"This {words} has expired. Ask for a new one.")
    return record


def _use(site, record: dict, now) -> None:
    """Mark a link used, once: a second use at the same moment is refused."""
    done = site.unguarded(LINKS).update_one(
        {"_id": record["_id"], "used_at": None, "superseded_at": None, "expires": {"$gt": now}}, {"$set": {"used_at": now}}
    )
    if not done.modified_count:
        raise LinkRefused(f"This {WORDS[record['purpose']]} has already been used.")


def end_links(site, email: str, now=None) -> None:
    """Every unused link of the user stops working (their password was just set)."""
    site.unguarded(LINKS).update_many(
        {"user": email, "used_at": None, "superseded_at": None}, {"$set": {"superseded_at": now or _now()}}
    )


def set_password_with_link(site, signed: str, password: str, *, now=None) -> str:
    """Set the password of the link's user, which uses the link up; returns the e-mail."""
    now = now or _now()
    record = check(site, signed, now=now)
    email = record["user"]
    user = site.unguarded("user").find_one({"_id": email}, {"enabled": 1})
    if user is None or not user.get("enabled", True):
        raise LinkRefused("This account is disabled. Ask your MDO's nodal officer (MDO Admin) to enable it.")
    check_policy(email, password)
    _use(site, record, now)
    _set(site, email, password, now)
    return email


def _set(site, email: str, password: str, now) -> None:
    auth.set_password(site, email, password)
    end_links(site, email, now)
    site.unguarded("user").update_one({"_id": email}, {"$set": {"password_set": True}})


def set_password(site, email: str, password: str) -> None:
    """Set a password directly (a System Manager on the command line): the same policy, and
    every session and link of the user ends."""
    check_policy(email, password)
    _set(site, email, password, _now())


def change_password(site, email: str, current: str, new: str) -> None:
    """The signed-in user changes their password; they are told by mail."""
    if not auth.backend(site).verify(site, email, current):
        raise ValidationError.for_fields("User", email, {"current_password": ["is not your current password."]})
    if current == new:
        raise ValidationError.for_fields("User", email, {"new_password": ["is the same as the current one."]})
    check_policy(email, new)
    now = _now()
    _set(site, email, new, now)
    user = site.unguarded("user").find_one({"_id": email}) or {}
    mail.send(
        site,
        email,
        "password_changed",
        f"Your {site.config.site_name} password was changed",
        {
            "full_name": user.get("full_name") or email,
            "email": email,
            "when": f"{now:%d %b %Y %H:%M}",
            "forgot_url": forgot_url(site),
        },
        kind="password changed",
        reason=f"You get this mail because the password of your account {email} changed.",
    )


# invitations and resets -------------------------------------------------------------------------


def invite(site, email: str, *, invited_by: str | None = None) -> str:
    """Mail the user a link to set their password; earlier invitations stop working. Returns
    the link (for a console that has no mail server)."""
    user = site.unguarded("user").find_one({"_id": email})
    if user is None:
        raise ValidationError.for_fields("User", email, {"email": [f"no user {email!r}"]})
    if not user.get("enabled", True):
        raise ValidationError.for_fields("User", email, {"enabled": ["the account is disabled: enable it before inviting."]})
    token = issue(site, email, "invite")
    link = url(site, token, "invite")
    inviter = None
    if invited_by and invited_by != "Administrator":
        record = site.unguarded("user").find_one({"_id": invited_by}, {"full_name": 1})
        inviter = (record or {}).get("full_name")
    mdos = [m.get("mdo") for m in user.get("mdos") or [] if m.get("mdo")]
    mail.send(
        site,
        email,
        "invitation",
        words(N_("Your account on %(site)s: set your password"), site=site.config.site_name),
        {
            "full_name": user.get("full_name") or email,
            "email": email,
            "invited_by": inviter,
            "mdo_names": ", ".join(mdos),
            "link": link,
            "expires": f"{_now() + LIFETIME['invite']:%d %b %Y %H:%M} UTC",
            "forgot_url": forgot_url(site),
        },
        kind="invitation",
        reason=words(N_("You get this mail because an account was made for %(email)s."), email=email),
        bilingual=True,
    )
    site.unguarded("user").update_one({"_id": email}, {"$set": {"invited_at": _now()}})
    return link


def invite_new(site, email: str, invited_by: str | None = None) -> None:
    """The invitation of a new account, once (run again after a crash, it sends none twice),
    and none for an account that already has a password."""
    if site.unguarded(LINKS).find_one({"user": email, "purpose": "invite"}, {"_id": 1}):
        return
    if site.unguarded(auth.CREDENTIALS).find_one({"_id": email}, {"_id": 1}):
        return
    invite(site, email, invited_by=invited_by)


def invite_batch(site, arg: dict) -> None:
    """The invitations of many new accounts (queued by ``User.after_insert_batch``): each
    sent once, as ``invite_new`` does, with the already-invited and those with a password
    found by one query each."""
    emails = list(arg.get("emails") or [])
    invited = {d["user"] for d in site.unguarded(LINKS).find({"user": {"$in": emails}, "purpose": "invite"}, {"user": 1})}
    with_password = {d["_id"] for d in site.unguarded(auth.CREDENTIALS).find({"_id": {"$in": emails}}, {"_id": 1})}
    for email in emails:
        if email not in invited and email not in with_password:
            try:
                invite(site, email, invited_by=arg.get("invited_by"))
            except ValidationError:
                pass  # the account was disabled or removed since: nothing to send


def forgot(site, email: str, *, lang: str | None = None) -> None:
    """Mail a reset link if ``email`` is an enabled account; says nothing either way. The mail
    is in the profile's language, else ``lang`` (the page's where it was asked)."""
    email = (email or "").strip().lower()
    user = site.unguarded("user").find_one({"_id": email})
    if user is None or not user.get("enabled", True):
        return
    now = _now()
    recent = site.unguarded(LINKS).count_documents(
        {"user": email, "purpose": "reset", "created": {"$gt": now - dt.timedelta(hours=1)}}
    )
    if recent >= RESETS_PER_HOUR:
        return  # a mailbox is not flooded by someone else asking again and again
    token = issue(site, email, "reset", now=now)
    mail.send(
        site,
        email,
        "password_reset",
        words(N_("Reset your %(site)s password"), site=site.config.site_name),
        {
            "full_name": user.get("full_name") or email,
            "email": email,
            "link": url(site, token, "reset"),
            "expires": f"{now + LIFETIME['reset']:%d %b %Y %H:%M} UTC",
        },
        kind="password reset",
        reason=words(N_("You get this mail because a password reset was asked for %(email)s."), email=email),
        lang=i18n.PROFILE.get(user.get("language")) or lang,
    )


# the first run -----------------------------------------------------------------------------------


def needs_setup(site) -> bool:
    """No enabled user holds a role that may grant every role: nobody runs the installation."""
    from app.access import roles_with

    managers = roles_with(site, "grant_any_role")
    return (
        bool(managers) and site.unguarded("user").find_one({"roles.role": {"$in": managers}, "enabled": True}, {"_id": 1}) is None
    )


def setup_link(site) -> str | None:
    """A one-time link to create the first System Manager (None once there is one). Each
    call replaces the previous link."""
    if not needs_setup(site):
        return None
    return url(site, issue(site, "", "setup"), "setup")


def create_first_manager(site, signed: str, email: str, full_name: str, password: str) -> str:
    """Use the setup link: the first System Manager, with their password; returns the e-mail."""
    from app.access import roles_with
    from app.model import lifecycle

    now = _now()
    record = check(site, signed, "setup", now=now)
    if not needs_setup(site):
        raise LinkRefused("This installation already has a System Manager: sign in instead.")
    email = (email or "").strip().lower()
    errors = {}
    if not (full_name or "").strip():
        errors["full_name"] = ["Missing data for required field."]
    password_problems = policy_errors(email, password)
    if password_problems:
        errors["password"] = password_problems
    if errors:
        raise ValidationError.for_fields("User", email or None, errors)
    manager = roles_with(site, "grant_any_role")[0]
    _use(site, record, now)
    auth.set_password(site, email, password)  # first: an account with its password gets no invitation
    try:
        lifecycle.insert(site.context(), "User", {"email": email, "full_name": full_name.strip(), "roles": [{"role": manager}]})
    except BaseException:
        site.unguarded(auth.CREDENTIALS).delete_one({"_id": email})
        site.unguarded(LINKS).update_one({"_id": record["_id"]}, {"$set": {"used_at": None}})
        raise
    _set(site, email, password, now)
    return email
