"""Who is calling: accounts, passwords, API tokens, sessions, and login throttling.

- Passwords are hashed with argon2 and kept in ``user_credential``, never in the User record.
- API tokens are ``key:secret``; ``api_token`` keeps the key, the SHA-256 of the secret, the
  owner, when it was last used, and when it was revoked. The secret is shown once. (A token
  secret is 192 random bits, so a fast hash is as safe as a slow one and keeps every API call
  cheap; argon2's cost is for passwords people choose.)
- Browsers sign in with a session cookie (Flask-Login); programs send
  ``Authorization: token <key>:<secret>``. A session is a record on the server
  (``user_session``: the SHA-256 of a random 256-bit token, the user, when it began and was
  last used); the cookie carries only the token. It ends on logout, after
  ``Config.session_idle_minutes`` without use, ``Config.session_hours`` after sign-in,
  when the password changes or the account is disabled, and everywhere at once on "sign
  out everywhere"; a captured cookie is then worth nothing.
- Throttling: failed logins are counted per account and per address, each count one atomic
  ``$inc``. After ``LOCK_AFTER`` failures within ``WINDOW`` the **account** is locked for
  ``LOCK_FOR``. An **address** is never locked (a whole ministry may sit behind one NAT
  address): from its ``SLOW_AFTER``-th failure each failed answer from it is delayed, more
  each time, up to ``MAX_DELAY``; a correct password from the same address still signs in.
  Locks and slowed addresses are listed for the System Manager (``igot user locks``,
  ``GET /api/method/login_locks``) and lifted by ``igot user unlock EMAIL`` or
  ``igot user unlock --address IP``, or by a successful login after they expire.
- The client's address is the connection's, unless the connection comes from a proxy listed
  in ``IGOT_TRUSTED_PROXIES``: then it is the nearest untrusted address in
  ``X-Forwarded-For`` (``client_address``); a header from anyone else is ignored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import time

import argon2

from app.access import UserAccess
from app.errors import IgotError, ValidationError

CREDENTIALS = "user_credential"
TOKENS = "api_token"
ATTEMPTS = "login_attempt"
SESSIONS = "user_session"
TOUCH_EVERY = dt.timedelta(minutes=1)  # how often a session's last use is written
SLOW_AFTER = 3
LOCK_AFTER = 5
WINDOW = dt.timedelta(minutes=15)
LOCK_FOR = dt.timedelta(minutes=15)
MAX_DELAY = 3.0
MIN_PASSWORD = 10


def _hasher(site) -> argon2.PasswordHasher:
    """argon2 with the site's cost profile (``Config.password_profile``)."""
    profile = getattr(argon2.profiles, site.config.password_profile)
    return argon2.PasswordHasher.from_parameters(profile)


class Unauthenticated(IgotError):
    status = 401


class TooManyAttempts(IgotError):
    status = 429


# passwords ----------------------------------------------------------------------------------


def set_password(site, email: str, password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError.for_fields("User", email, {"password": [f"must be at least {MIN_PASSWORD} characters."]})
    site.db[CREDENTIALS].replace_one(
        {"_id": email}, {"_id": email, "password_hash": _hasher(site).hash(password), "set_at": _now()}, upsert=True
    )
    end_sessions(site, email)  # a new password signs the user out everywhere


class PasswordBackend:
    """How a sign-in is checked: the built-in backend, an e-mail and a password hashed here.

    The seam for single sign-on: another backend (SAML, OpenID Connect, a ministry's LDAP)
    provides the same ``verify`` and says whether passwords are kept here at all
    (``manages_passwords``: without it the product offers no invitation links, resets or
    password changes); set it with ``use_backend(site, backend)``. Accounts, roles, MDOs and
    sessions stay the product's whatever the backend."""

    name = "password"
    manages_passwords = True

    def verify(self, site, email: str, password: str) -> bool:
        return _check_password(site, email, password)


def backend(site):
    """The installation's authentication backend (``PasswordBackend`` unless one was set)."""
    return site.__dict__.get("_auth_backend") or PasswordBackend()


def use_backend(site, chosen) -> None:
    site.__dict__["_auth_backend"] = chosen


def _check_password(site, email: str, password: str) -> bool:
    record = site.db[CREDENTIALS].find_one({"_id": email})
    if record is None:
        _hasher(site).hash(password or "")  # same cost as a real check: no timing hint that the account is unknown
        return False
    try:
        return _hasher(site).verify(record["password_hash"], password or "")
    except argon2.exceptions.VerifyMismatchError:
        return False


# throttling ---------------------------------------------------------------------------------


def _now() -> dt.datetime:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def _locked_until(site, key: str, now) -> dt.datetime | None:
    record = site.db[ATTEMPTS].find_one({"_id": key})
    if record and record.get("locked_until") and record["locked_until"] > now:
        return record["locked_until"]
    return None


def _record_failure(site, key: str, now, *, lock: bool) -> int:
    """Count one failure for ``key`` atomically; returns the failures in the current window.
    ``lock``: lock the key when they reach ``LOCK_AFTER`` (accounts; never addresses)."""
    from app.model.persistence import upsert

    coll = site.db[ATTEMPTS]
    # a window that has ended starts again (one conditional update: only one racer resets it)
    coll.update_one(
        {"_id": key, "first_failure": {"$lt": now - WINDOW}},
        {"$set": {"failures": 0, "first_failure": now}, "$unset": {"locked_until": ""}},
    )
    record = upsert(
        coll,
        {"_id": key},
        {"$inc": {"failures": 1}, "$set": {"last_failure": now}, "$setOnInsert": {"first_failure": now}},
        returning=True,
    )
    failures = record["failures"]
    if lock and failures >= LOCK_AFTER and not record.get("locked_until"):
        coll.update_one({"_id": key, "locked_until": {"$exists": False}}, {"$set": {"locked_until": now + LOCK_FOR}})
    return failures


def login_locks(site) -> list[dict]:
    """Locked accounts, and addresses being slowed, newest first."""
    now = _now()
    out = [
        {"key": r["_id"], "failures": r["failures"], "locked_until": r["locked_until"]}
        for r in site.db[ATTEMPTS].find({"locked_until": {"$gt": now}}).sort("locked_until", -1)
    ]
    out += [
        {"key": r["_id"], "failures": r["failures"], "slowed_since": r.get("first_failure")}
        for r in site.db[ATTEMPTS]
        .find({"failures": {"$gte": SLOW_AFTER}, "first_failure": {"$gt": now - WINDOW}})
        .sort("failures", -1)
        if r["_id"].startswith("ip:")
    ]
    return out


def unlock(site, email: str | None = None, *, address: str | None = None) -> bool:
    """Lift an account's lock, or stop slowing an address."""
    key = f"ip:{address}" if address else f"user:{(email or '').strip().lower()}"
    return site.db[ATTEMPTS].delete_one({"_id": key}).deleted_count > 0


def login(site, email: str, password: str, address: str = "-", *, delay=time.sleep) -> dict:
    """The User record of a successful login; raises Unauthenticated or TooManyAttempts."""
    email = (email or "").strip().lower()
    now = _now()
    account, origin = f"user:{email}", f"ip:{address}"
    until = _locked_until(site, account, now)
    if until:
        raise TooManyAttempts(
            f"too many failed logins for {email}; locked until {until.isoformat()} UTC "
            f"(a System Manager can lift it: igot user unlock {email})"
        )
    user = site.db["user"].find_one({"_id": email})
    valid = backend(site).verify(site, email, password)  # the same cost whether or not the account exists
    if user is None or not user.get("enabled", True) or not valid:
        _record_failure(site, account, now, lock=True)
        from_here = _record_failure(site, origin, now, lock=False)
        if from_here >= SLOW_AFTER:
            delay(min(0.5 * (from_here - SLOW_AFTER + 1), MAX_DELAY))
        raise Unauthenticated("wrong e-mail or password, or the account is disabled")
    site.db[ATTEMPTS].delete_one({"_id": account})
    site.db["user"].update_one({"_id": email}, {"$set": {"last_login": now}})
    return user


def client_address(request, trusted_proxies=()) -> str:
    """The caller's address: the connection's, or behind a trusted proxy (``IGOT_TRUSTED_PROXIES``,
    addresses or networks) the nearest address in X-Forwarded-For that is not a trusted proxy."""
    import ipaddress

    def trusted(addr: str) -> bool:
        try:
            ip = ipaddress.ip_address(addr.strip())
        except ValueError:
            return False
        return any(ip in net for net in trusted_proxies)

    remote = request.remote_addr or "-"
    if not trusted_proxies or not trusted(remote):
        return remote
    hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return remote  # a forged or broken header: the proxy itself is the caller
    return remote


# sessions -----------------------------------------------------------------------------------


def open_session(site, email: str, address: str = "-", agent: str = "") -> str:
    """A new session for a signed-in user; returns its token (for the cookie only)."""
    token = secrets.token_urlsafe(32)
    now = _now()
    site.db[SESSIONS].insert_one(
        {"_id": _sha256(token), "user": email, "created": now, "last_seen": now, "address": address, "agent": (agent or "")[:200]}
    )
    return token


def session_user(site, token: str | None) -> str | None:
    """The user of a live session, or None (ended, idle too long, too old, or disabled user)."""
    if not token or not isinstance(token, str):
        return None
    key = _sha256(token)
    record = site.db[SESSIONS].find_one({"_id": key})
    if record is None:
        return None
    now = _now()
    config = site.config
    if now - record["last_seen"] > dt.timedelta(minutes=config.session_idle_minutes) or now - record["created"] > dt.timedelta(
        hours=config.session_hours
    ):
        site.db[SESSIONS].delete_one({"_id": key})
        return None
    user = site.db["user"].find_one({"_id": record["user"]}, {"enabled": 1})
    if user is None or not user.get("enabled", True):
        return None
    if now - record["last_seen"] > TOUCH_EVERY:
        site.db[SESSIONS].update_one({"_id": key}, {"$set": {"last_seen": now}})
    return record["user"]


def end_session(site, token: str | None) -> None:
    if token and isinstance(token, str):
        site.db[SESSIONS].delete_one({"_id": _sha256(token)})


def end_sessions(site, email: str) -> int:
    """Sign a user out everywhere; returns how many sessions ended."""
    return site.db[SESSIONS].delete_many({"user": email}).deleted_count


def sessions_of(site, email: str) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "_id"} for r in site.db[SESSIONS].find({"user": email}).sort("created", -1)]


# tokens -------------------------------------------------------------------------------------


def create_token(site, email: str) -> str:
    if site.db["user"].find_one({"_id": email}) is None:
        raise ValidationError.for_fields("User", email, {"email": [f"no user {email!r}"]})
    key, secret = secrets.token_hex(8), secrets.token_urlsafe(24)
    site.db[TOKENS].insert_one(
        {"_id": key, "user": email, "secret_hash": _sha256(secret), "created": _now(), "last_used": None, "revoked_at": None}
    )
    return f"{key}:{secret}"


def _sha256(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def revoke_token(site, key: str) -> bool:
    return site.db[TOKENS].update_one({"_id": key, "revoked_at": None}, {"$set": {"revoked_at": _now()}}).modified_count > 0


def tokens_of(site, email: str) -> list[dict]:
    return [{k: v for k, v in t.items() if k != "secret_hash"} for t in site.db[TOKENS].find({"user": email}).sort("created", 1)]


def _token_user(site, header: str) -> str:
    credentials = header[len("token ") :].strip()
    key, _, secret = credentials.partition(":")
    # kept until any token changes (issued, revoked, used), in this process or another
    token = site.kept_one(TOKENS, {"_id": key})
    if token is None or token.get("revoked_at") or not secret:
        raise Unauthenticated("unknown or revoked API token")
    if not hmac.compare_digest(token["secret_hash"], _sha256(secret)):
        raise Unauthenticated("unknown or revoked API token")
    now = _now()
    if token.get("last_used") is None or now - token["last_used"] > TOUCH_EVERY:
        # to the minute, as a session's last_seen: a read does not become a write every time
        site.db[TOKENS].update_one({"_id": key}, {"$set": {"last_used": now}})
    return token["user"]


# contexts -----------------------------------------------------------------------------------


def context_for(site, email: str):
    """The Context of an enabled user: their roles and MDOs, from their User record."""
    # kept until any account changes (roles, MDOs, disabled), in this process or another
    user = site.kept_one("user", {"_id": email})
    if user is None or not user.get("enabled", True):
        raise Unauthenticated(f"no enabled user {email!r}")
    roles = {r["role"] for r in user.get("roles", [])}
    mdos = {m["mdo"] for m in user.get("mdos", [])}
    return site.context(email, UserAccess(site, email, roles, mdos))


def authenticate(site, request):
    """A request's Context: from an API token, else from the session; 401 otherwise."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("token "):
        return context_for(site, _token_user(site, header))
    from flask_login import current_user

    if current_user and current_user.is_authenticated:
        return context_for(site, current_user.email)
    raise Unauthenticated("sign in (POST /api/method/login) or send 'Authorization: token <key>:<secret>'")
