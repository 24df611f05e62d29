"""Settings, read from the environment once and passed explicitly from then on."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Config:
    """Where the data lives and where the doctypes and fixtures come from.

    ``mongodb_uri`` set: a real MongoDB (standalone, replica set or sharded cluster).
    Unset: the embedded on-disk store under ``data_dir``.
    ``store="mongomock"``: an in-memory store, for tests only.
    """

    mongodb_uri: str | None = None
    data_dir: Path = Path("var")
    db_name: str = "igot"
    store: str | None = None
    # The engine's own doctypes (users, roles, MDOs, custom fields, workflows, versions, jobs),
    # then the product's modules (doctypes/<module>/).
    doctype_paths: tuple[Path, ...] = (ROOT / "app" / "doctypes", ROOT / "doctypes")
    fixture_paths: tuple[Path, ...] = (ROOT / "fixtures",)
    secret_key: str | None = field(default=None, repr=False)
    # argon2 cost profile for passwords (argon2.profiles): RFC_9106_LOW_MEMORY in production;
    # the test suite uses CHEAPEST.
    password_profile: str = "RFC_9106_LOW_MEMORY"
    # The largest file (or SCORM package) an upload may be, in MB; shown on upload forms.
    max_upload_mb: int = 500
    # Where the installation is reached from outside: links in mails and certificates' QR
    # codes point here. Unset (IGOT_PUBLIC_URL), `igot serve` uses the address it serves on.
    public_url: str = "http://localhost:8000"
    # Where SCORM packages are served from: an origin of their own (another host name for
    # the same server, e.g. https://content.igot.example), so a package's frames may script
    # each other but never reach the platform's pages or session. Unset: the other loopback
    # name when the site is reached on localhost or 127.0.0.1, else the site's own address,
    # where packages run in an opaque sandbox (their frames cannot script each other).
    content_url: str | None = None
    # The job queue: unset for the embedded one (SQLite beside the data), redis://... for
    # Redis; "immediate" runs jobs at once, in the process (tests, single-user setups).
    queue_url: str | None = None
    # Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated
    # in IGOT_TRUSTED_PROXIES); without them the connection's address is the client's.
    trusted_proxies: tuple = ()
    # A browser session ends after this long without use, and this long after sign-in.
    session_idle_minutes: int = 120
    session_hours: int = 12
    # E-mail (app.mail): IGOT_SMTP_URL (smtp://user:pass@host:587?starttls=1, or smtps://...)
    # sends through that server; unset, mail is kept in the outbox. The installation's name
    # and sender address appear in every mail.
    smtp_url: str | None = field(default=None, repr=False)
    site_name: str = "iGOT Karmayogi"
    mail_from: str | None = None

    @property
    def proxy_networks(self) -> tuple:
        import ipaddress

        return tuple(ipaddress.ip_network(p, strict=False) for p in self.trusted_proxies)

    @property
    def store_kind(self) -> str:
        if self.store:
            return self.store
        return "mongodb" if self.mongodb_uri else "embedded"

    def serving_on(self, host: str, port: int) -> Config:
        """This configuration for a server listening on ``host:port`` when no public address
        is set: every absolute link the process makes (a mail's, a QR code's, the setup
        link) points where it is served, not to a port it does not listen on."""
        import dataclasses

        return dataclasses.replace(self, public_url=served_url(host, port))

    @classmethod
    def from_env(cls, **overrides) -> Config:
        env = os.environ
        values = dict(
            mongodb_uri=env.get("MONGODB_URI") or None,
            data_dir=Path(env.get("IGOT_DATA_DIR", "var")),
            db_name=env.get("IGOT_DB_NAME", "igot"),
            secret_key=env.get("IGOT_SECRET_KEY") or None,
            max_upload_mb=int(env.get("IGOT_MAX_UPLOAD_MB", "500")),
            public_url=(env.get("IGOT_PUBLIC_URL") or "http://localhost:8000").rstrip("/"),
            content_url=(env.get("IGOT_CONTENT_URL") or "").rstrip("/") or None,
            queue_url=env.get("IGOT_QUEUE") or None,
            session_idle_minutes=int(env.get("IGOT_SESSION_IDLE_MINUTES", "120")),
            session_hours=int(env.get("IGOT_SESSION_HOURS", "12")),
            smtp_url=env.get("IGOT_SMTP_URL") or None,
            site_name=env.get("IGOT_SITE_NAME", "iGOT Karmayogi"),
            mail_from=env.get("IGOT_MAIL_FROM") or None,
            trusted_proxies=tuple(p.strip() for p in env.get("IGOT_TRUSTED_PROXIES", "").split(",") if p.strip()),
        )
        values.update(overrides)
        return cls(**values)


def served_url(host: str, port: int) -> str:
    """The address a server listening on ``host:port`` is reached at: the host itself, or,
    listening on every address (``0.0.0.0``, ``::``), this machine's name."""
    import socket

    if host in ("", "0.0.0.0", "::", "[::]"):
        host = socket.gethostname() or "localhost"
    host = host.strip("[]")
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}" + ("" if port == 80 else f":{port}")
