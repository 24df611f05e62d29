"""The learner portal: the pages officers use, at the site's root, apart from the back office.

The engine gives the shell: signing in and out, the language (Hindi or English, with
flask-babel: the profile's choice, then the browser's), the layout (mobile first, no script
needed to read a page), the menu, and a Jinja filter for dates shown the Indian way. The
pages themselves are the modules' (``Module.portal_pages``: ``PortalPage``), each a Flask view
that reads through the access layer with ``portal.ctx()``.

Translations: every module may keep ``translations/<lang>/LC_MESSAGES/messages.po`` (and its
compiled ``.mo``) beside its ``module.py``; the engine's own are in ``app/translations``. A
doctype's, field's or option's label is translated with ``label()``, from the same catalogues.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import Babel, format_date, get_locale, gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import InputRequired

from app import auth, i18n

LANGUAGES = {"en": "English", "hi": "हिन्दी"}
PROFILE = i18n.PROFILE  # the User's ``language`` field, as stored
COOKIE = "igot_language"
ENGINE_TRANSLATIONS = i18n.ENGINE_TRANSLATIONS


def site():
    return current_app.extensions["igot_site"]


def ctx():
    """The signed-in user's Context (``auth.Unauthenticated`` when nobody is signed in)."""
    if not current_user.is_authenticated:
        raise auth.Unauthenticated("Sign in to continue.")
    if "igot_portal_ctx" not in g:
        g.igot_portal_ctx = auth.context_for(site(), current_user.email)
    return g.igot_portal_ctx


def allow_sources(response, *, frames: str | None = None, media: str | None = None):
    """The site's Content-Security-Policy on ``response``, also letting the page frame
    ``frames`` (the origin SCORM packages are served from) and play media from ``media``."""
    from app.web import CSP

    extra = ""
    if frames:
        extra += f"; frame-src 'self' {frames}"
    if media:
        extra += f"; media-src 'self' {media}"
    if extra:
        response.headers["Content-Security-Policy"] = CSP + extra
    return response


def _say(text) -> str:
    """A kept message (``app.i18n.words``) or plain text, in the page's language."""
    return i18n.say(site(), text, str(get_locale() or "en"))


def select_locale() -> str:
    """The profile's language, then the one chosen on this browser, then the browser's own."""
    if current_user and current_user.is_authenticated:
        record = site().unguarded("user").find_one({"_id": current_user.email}, {"language": 1}) or {}
        if record.get("language") in PROFILE:
            return PROFILE[record["language"]]
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(list(LANGUAGES)) or "en"


def label(text: str | None) -> str:
    """A label of the meta (doctype, field, option) in the reader's language."""
    return gettext(text) if text else ""


def indian_date(value) -> str:
    """A date as DD/MM/YYYY (the digits the reader's language writes)."""
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        value = value.date()
    return format_date(value, "dd/MM/yyyy")


class SignInForm(FlaskForm):
    email = EmailField(validators=[InputRequired()])
    password = PasswordField(validators=[InputRequired()])


class PasswordForm(FlaskForm):
    password = PasswordField(validators=[InputRequired()])
    confirm = PasswordField(validators=[InputRequired()])


class ForgotForm(FlaskForm):
    email = EmailField(validators=[InputRequired()])


def _messages(exc) -> list[str]:
    found = [m for msgs in (exc.errors or {}).values() if isinstance(msgs, list) for m in msgs]
    return found or [exc.message]


def _link_refused(exc):
    """A link that no longer works, said in the reader's language, with the way to a new one."""
    return render_template("portal/link_refused.html", message=gettext(exc.message)), exc.status


def _old_addresses():
    """Links mailed before the portal had these pages (``/admin/password-link/...``,
    ``/admin/forgot/``) open the portal's."""
    path = request.path
    if path.startswith("/admin/password-link/") and path.count("/") == 3 and path.rstrip("/") != "/admin/password-link":
        return redirect(url_for("portal.password_link", token=path.split("/")[3]), 308 if request.method == "POST" else 302)
    if path.rstrip("/") in ("/admin/forgot", "/admin/password-link"):
        return redirect(url_for("portal.forgot_page"))
    return None


def _menu():
    pages = sorted((p for p in site().modules.all("portal_pages") if p.menu), key=lambda p: p.order)
    return [(p, url_for(f"portal.{p.endpoint}")) for p in pages]


def _back_office() -> bool:
    """Whether the signed-in user also works in the back office (a link to it in the menu)."""
    try:
        return ctx().access.can("back_office")
    except auth.Unauthenticated:
        return False


def _unread() -> int:
    """The signed-in user's unread notifications (the bell's count)."""
    from app import notifications

    try:
        return notifications.unread_count(ctx())
    except auth.Unauthenticated:
        return 0


def _safe_next(target: str | None) -> str | None:
    """Only a path of this site (no other host, no scheme) may follow a sign-in."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def signed_in_only(view):
    """A portal page: strangers are sent to sign in, and come back."""
    from functools import wraps

    @wraps(view)
    def wrapper(**kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("portal.sign_in_page", next=request.full_path.rstrip("?")))
        return view(**kwargs)

    return wrapper


def _blueprint(site_) -> Blueprint:
    """The portal's routes for one application (a Blueprint takes no routes once registered)."""
    bp = Blueprint(
        "portal",
        __name__,
        template_folder="templates",
        static_folder="portal_static",
        static_url_path="/portal-static",
    )

    @bp.app_context_processor
    def _portal_globals():
        return {
            "portal_menu": _menu if request and request.blueprint == "portal" else list,
            "portal_languages": LANGUAGES,
            "current_language": lambda: str(get_locale() or "en"),
            "label": label,
            "say": lambda text: _say(text),
            "back_office": _back_office,
            "portal_unread": _unread,
        }

    @bp.get("/")
    def home():
        if not current_user.is_authenticated:
            return sign_in_page()
        menu = _menu()
        if menu:
            return redirect(menu[0][1])
        return redirect(url_for("admin.index"))

    @bp.route("/sign-in", methods=("GET", "POST"))
    def sign_in_page():
        from .session import sign_in

        form = SignInForm()
        error = None
        if form.validate_on_submit():
            try:
                sign_in(site(), form.email.data, form.password.data)
            except (auth.Unauthenticated, auth.TooManyAttempts) as exc:
                error = gettext("That e-mail address and password do not match an account.") if exc.status == 401 else exc.message
                return render_template("portal/sign_in.html", form=form, error=error), exc.status
            return redirect(_safe_next(request.args.get("next")) or url_for("portal.home"))
        return render_template("portal/sign_in.html", form=form, error=error)

    @bp.route("/password-link/<token>", methods=("GET", "POST"))
    def password_link(token):
        """An invitation's or a reset's link: choose a password, in the portal's look and the
        reader's language, and be signed in with it (an officer lands on My learning)."""
        from app import accounts
        from app.errors import ValidationError

        from .session import sign_in

        try:
            link = accounts.check(site(), token)
        except accounts.LinkRefused as exc:
            return _link_refused(exc)
        problems: list[str] = []
        if request.method == "POST":
            form = PasswordForm()
            if not form.validate_on_submit():
                problems = [gettext("Type the password twice.")]
            elif form.password.data != form.confirm.data:
                problems = [gettext("The two passwords are not the same.")]
            else:
                try:
                    email = accounts.set_password_with_link(site(), token, form.password.data)
                except accounts.LinkRefused as exc:
                    return _link_refused(exc)
                except ValidationError as exc:
                    problems = [gettext("The password %(problem)s", problem=gettext(m)) for m in _messages(exc)]
                else:
                    try:
                        sign_in(site(), email, form.password.data)
                    except (auth.Unauthenticated, auth.TooManyAttempts):
                        return redirect(url_for("portal.sign_in_page"))
                    if site().unguarded("officer").find_one({"email": email}, {"_id": 1}) is None:
                        return redirect(url_for("admin.index"))  # a back-office user: their work is there
                    return redirect(url_for("portal.home"))
        return render_template(
            "portal/password_link.html",
            form=PasswordForm(formdata=None),
            email=link["user"],
            invitation=link["purpose"] == "invite",
            problems=problems,
            minimum=accounts.MIN_PASSWORD,
        ), (400 if problems else 200)

    @bp.route("/forgot", methods=("GET", "POST"))
    def forgot_page():
        """Forgot password: the same answer whether or not the address has an account; the
        mail is in the profile's language, else this page's."""
        from app import accounts

        form = ForgotForm()
        if form.validate_on_submit():
            accounts.forgot(site(), form.email.data, lang=str(get_locale() or "en"))
            return render_template("portal/forgot.html", form=form, sent=True)
        return render_template("portal/forgot.html", form=form, sent=False), (400 if request.method == "POST" else 200)

    @bp.post("/sign-out")
    def sign_out_page():
        from .session import sign_out

        sign_out()
        return redirect(url_for("portal.home"))

    @bp.post("/language")
    def choose_language():
        """Switch the language: kept on the profile of a signed-in user, and on this browser."""
        code = request.form.get("language")
        target = _safe_next(request.form.get("next")) or url_for("portal.home")
        response = redirect(target)
        if code in LANGUAGES:
            response.set_cookie(COOKIE, code, max_age=365 * 86400, samesite="Lax", httponly=True)
            if current_user.is_authenticated:
                stored = {v: k for k, v in PROFILE.items()}[code]
                site().unguarded("user").update_one({"_id": current_user.email}, {"$set": {"language": stored}})
        return response

    @bp.get("/notifications")
    @signed_in_only
    def my_notifications():
        """The user's own notifications, newest first (the bell)."""
        from app import notifications

        return render_template("portal/notifications.html", items=notifications.recent(ctx(), 100))

    @bp.get("/notifications/<name>")
    @signed_in_only
    def open_notification(name):
        """Open one of the user's notifications: it is read, and its record opens."""
        from app import notifications

        c = ctx()
        item = site().unguarded("notification").find_one({"_id": name, "for_user": c.user}, {"link": 1})
        if item is None:
            abort(404)  # not theirs, or gone: the same answer
        notifications.mark_read(c, [name])
        link, public = item.get("link") or "", site().config.public_url
        target = link[len(public) :] if link.startswith(public) else None
        return redirect(_safe_next(target) or url_for("portal.my_notifications"))

    @bp.post("/notifications/read-all")
    @signed_in_only
    def read_all_notifications():
        from app import notifications

        notifications.mark_read(ctx())
        return redirect(url_for("portal.my_notifications"))

    for page in site_.modules.all("portal_pages"):
        bp.add_url_rule(
            page.url,
            page.endpoint,
            signed_in_only(page.view),
            methods=list(page.methods),
        )
    return bp


def init_portal(app, site_):
    """Register the portal and its pages, and the languages (flask-babel)."""
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(i18n.folders(site_))
    app.config["BABEL_DEFAULT_LOCALE"] = "en"
    Babel(app, locale_selector=select_locale)
    app.jinja_env.filters["indian_date"] = indian_date
    app.jinja_env.filters["label"] = label
    app.register_blueprint(_blueprint(site_))
    app.before_request(_old_addresses)
