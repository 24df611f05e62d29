"""E-mail: every mail the installation sends is a **Mail** record first (the outbox,
collection ``mail``), then delivered by the job queue.

- ``send(site, recipient, template, subject, values, kind=, reason=)`` renders the template
  (``app/templates/mail/<template>.txt`` and ``.html``, Jinja, on ``base.txt``/``base.html``:
  the installation's name, its public URL, the reason the recipient gets the mail and where to
  change what they are sent) and keeps it in the outbox.
- With ``IGOT_SMTP_URL`` (``smtp://user:pass@host:587?starttls=1``; ``smtps://`` for TLS from
  the start) the mail is Queued and a worker delivers it (``deliver``). A mail that fails is
  marked Failed with the server's answer and tried again later (``retry_due``, every minute:
  after 1, 5, 30, 120 and 360 minutes), then left Failed for a System Manager to send again.
- Without it, mail is "Kept in outbox": a fresh installation works, nothing is lost, and the
  System Manager reads it in the admin (Settings > Mail) or with ``igot mail list`` and
  ``igot mail show ID``.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import jinja2
import markupsafe

from app import jobs

TEMPLATES = Path(__file__).parent / "templates" / "mail"
COLLECTION = "mail"
BACKOFF_MINUTES = (1, 5, 30, 120, 360)  # after the 1st, 2nd... failure; then no more tries
SENDING_LEASE = dt.timedelta(minutes=10)  # a mail "Sending" longer than this lost its worker
log = logging.getLogger("igot.mail")

_envs: dict = {}


def _env(site, lang: str) -> jinja2.Environment:
    """The mail templates' environment for ``lang`` (its messages from the catalogues)."""
    from app import i18n

    key = (i18n.folders(site), lang)
    if key not in _envs:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(TEMPLATES)),
            autoescape=jinja2.select_autoescape(enabled_extensions=("html",), default_for_string=False),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            extensions=["jinja2.ext.i18n"],
        )
        env.install_gettext_translations(i18n.translations(site, lang), newstyle=True)
        _envs[key] = env
    return _envs[key]


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    user: str | None
    password: str | None
    starttls: bool
    tls: bool  # smtps: TLS from the first byte


def smtp_settings(config) -> SmtpSettings | None:
    """The SMTP server of ``IGOT_SMTP_URL``, or None (mail stays in the outbox)."""
    if not config.smtp_url:
        return None
    url = urlsplit(config.smtp_url)
    if url.scheme not in ("smtp", "smtps"):
        raise ValueError(f"IGOT_SMTP_URL must start with smtp:// or smtps://, not {url.scheme}://")
    query = {k: v[-1] for k, v in parse_qs(url.query).items()}
    tls = url.scheme == "smtps"
    return SmtpSettings(
        host=url.hostname or "localhost",
        port=url.port or (465 if tls else 25),
        user=unquote(url.username) if url.username else None,
        password=unquote(url.password) if url.password else None,
        starttls=not tls and query.get("starttls", "1" if url.port == 587 else "0").lower() in ("1", "true", "yes"),
        tls=tls,
    )


def sender(config) -> str:
    if config.mail_from:
        return config.mail_from
    host = urlsplit(config.public_url).hostname or "localhost"
    return formataddr((config.site_name, f"no-reply@{host}"))


def render(site, template: str, values: dict, *, reason, lang: str = "en", also: str | None = None) -> tuple[str, str]:
    """(text, html) of ``template`` in ``lang`` with the installation's name and public URL;
    ``reason`` and any value may be ``i18n.words(...)``, said in ``lang``. ``also``: a second
    language whose body and footer follow below (an invitation reaches someone whose choice
    of language nobody knows yet)."""
    from app import i18n

    def values_in(language: str, bare: bool) -> dict:
        return {
            "site_name": site.config.site_name,
            "public_url": site.config.public_url,
            "reason": i18n.say(site, reason, language),
            "preferences_url": f"{site.config.public_url}/profile",
            "lang": language,
            "bare": bare,
            "also_text": "",
            "also_html": "",
            "also_lang": also or "",
            **{k: i18n.say(site, v, language) if isinstance(v, dict) else v for k, v in values.items()},
        }

    common = values_in(lang, False)
    env = _env(site, lang)
    if also and also != lang:
        other_env, other = _env(site, also), values_in(also, True)
        common["also_text"] = other_env.get_template(f"{template}.txt").render(other).strip()
        common["also_html"] = markupsafe.Markup(other_env.get_template(f"{template}.html").render(other).strip())
    return env.get_template(f"{template}.txt").render(common), env.get_template(f"{template}.html").render(common)


def send(
    site,
    recipient: str,
    template: str,
    subject,
    values: dict,
    *,
    kind: str,
    reason,
    lang: str | None = None,
    bilingual: bool = False,
) -> str:
    """Keep a mail in the outbox and, with a mail server, queue its delivery; returns its id.
    The mail is in the recipient's language (``lang``, else their profile's); ``subject`` and
    ``reason`` may be ``i18n.words(...)``. ``bilingual``: the other language follows, the
    subject too. Never raises for a delivery problem: that is the mail's status."""
    from app import i18n
    from app.model import lifecycle

    lang = lang or i18n.language_of(site, recipient)
    other = next((code for code in i18n.LANGUAGES if code != lang), None) if bilingual else None
    text, html = render(site, template, values, reason=reason, lang=lang, also=other)
    said = i18n.say(site, subject, lang)
    if other and i18n.say(site, subject, other) != said:
        said = f"{said} / {i18n.say(site, subject, other)}"
    subject, reason = said, i18n.say(site, reason, lang)
    server = smtp_settings(site.config)
    doc = lifecycle.insert(
        site.context(),
        "Mail",
        {
            "recipient": recipient,
            "subject": subject[:300],
            "kind": kind,
            "reason": reason[:300],
            "body_text": text,
            "body_html": html,
            "status": "Queued" if server else "Kept in outbox",
            "attempts": 0,
        },
    )
    if server:
        jobs.enqueue_call(site, "app.mail:deliver", doc.name)
    else:
        log.info("mail %s to %s kept in the outbox (no IGOT_SMTP_URL): %s", doc.name, recipient, subject)
    return doc.name


def _now() -> dt.datetime:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def deliver(site, mail_id: str) -> str:
    """Send one queued (or failed) mail now; returns its status afterwards."""
    coll = site.unguarded(COLLECTION)
    now = _now()
    claimed = coll.find_one_and_update(
        {"_id": mail_id, "status": {"$in": ["Queued", "Failed"]}},
        {"$set": {"status": "Sending", "sending_since": now, "modified": now}},
    )
    if claimed is None:
        record = coll.find_one({"_id": mail_id}, {"status": 1})
        return record["status"] if record else "missing"
    server = smtp_settings(site.config)
    attempts = int(claimed.get("attempts") or 0) + 1
    if server is None:
        coll.update_one({"_id": mail_id}, {"$set": {"status": "Kept in outbox", "modified": _now()}})
        return "Kept in outbox"
    try:
        _smtp_send(server, _message(site, claimed))
    except (OSError, smtplib.SMTPException) as exc:
        again = attempts <= len(BACKOFF_MINUTES)
        error = f"{type(exc).__name__}: {exc}"[:10000]
        coll.update_one(
            {"_id": mail_id},
            {
                "$set": {
                    "status": "Failed",
                    "attempts": attempts,
                    "error": error + ("" if again else " (no more automatic tries: use Send Again)"),
                    "next_attempt_at": _now() + dt.timedelta(minutes=BACKOFF_MINUTES[attempts - 1]) if again else None,
                    "modified": _now(),
                }
            },
        )
        log.warning("mail %s to %s failed (attempt %d): %s", mail_id, claimed["recipient"], attempts, error)
        return "Failed"
    coll.update_one(
        {"_id": mail_id},
        {
            "$set": {
                "status": "Sent",
                "attempts": attempts,
                "sent_at": _now(),
                "error": None,
                "next_attempt_at": None,
                "modified": _now(),
            }
        },
    )
    return "Sent"


def _message(site, record: dict) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender(site.config)
    msg["To"] = record["recipient"]
    msg["Subject"] = record["subject"]
    msg["Message-ID"] = make_msgid(idstring=record["_id"], domain=urlsplit(site.config.public_url).hostname or "localhost")
    msg["Auto-Submitted"] = "auto-generated"  # no out-of-office replies to a robot
    msg.set_content(record.get("body_text") or "")
    if record.get("body_html"):
        msg.add_alternative(record["body_html"], subtype="html")
    return msg


def _smtp_send(server: SmtpSettings, msg: EmailMessage) -> None:
    context = ssl.create_default_context()
    if server.tls:
        client = smtplib.SMTP_SSL(server.host, server.port, timeout=30, context=context)
    else:
        client = smtplib.SMTP(server.host, server.port, timeout=30)
    with client:
        if server.starttls:
            client.starttls(context=context)
        if server.user:
            client.login(server.user, server.password or "")
        client.send_message(msg)


def send_again(site, mail_id: str) -> str:
    """A System Manager's "Send Again": queue the mail now, whatever its tries so far."""
    coll = site.unguarded(COLLECTION)
    status = "Queued" if smtp_settings(site.config) else "Kept in outbox"
    coll.update_one(
        {"_id": mail_id, "status": {"$ne": "Sending"}},
        {"$set": {"status": status, "next_attempt_at": None, "error": None, "modified": _now()}},
    )
    if status == "Queued":
        jobs.enqueue_call(site, "app.mail:deliver", mail_id)
    return status


def retry_due(site, now: dt.datetime | None = None) -> list[str]:
    """Queue again the failed mails whose next try is due, and those whose sender stopped
    (Queued or Sending for longer than the lease); returns their ids."""
    if smtp_settings(site.config) is None:
        return []
    now = now or _now()
    coll = site.unguarded(COLLECTION)
    due = [m["_id"] for m in coll.find({"status": "Failed", "next_attempt_at": {"$lte": now}}, {"_id": 1})]
    stuck = [
        m["_id"]
        for m in coll.find({"status": {"$in": ["Queued", "Sending"]}, "modified": {"$lt": now - SENDING_LEASE}}, {"_id": 1})
    ]
    if stuck:
        coll.update_many({"_id": {"$in": stuck}, "status": "Sending"}, {"$set": {"status": "Queued", "modified": now}})
    for mail_id in due + stuck:
        jobs.enqueue_call(site, "app.mail:deliver", mail_id)
    return due + stuck


def outbox(site, status: str | None = None, limit: int = 50) -> list[dict]:
    """The newest mails (for ``igot mail list``)."""
    query = {"status": status} if status else {}
    fields = {"recipient": 1, "subject": 1, "kind": 1, "status": 1, "attempts": 1, "error": 1, "creation": 1}
    return list(site.unguarded(COLLECTION).find(query, fields).sort("creation", -1).limit(limit))
