"""Getting in and one's own account, in the admin: the page an invitation or reset link opens,
"Forgot password", the first-run setup page, My Account (password, what I am e-mailed
about) and My Notifications."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import InputRequired

from app import accounts, notifications
from app.errors import IgotError, ValidationError
from app.model import lifecycle

from .common import Guarded, site, user_ctx


class PasswordForm(FlaskForm):
    password = PasswordField("New password", validators=[InputRequired()])
    confirm = PasswordField("The same password again", validators=[InputRequired()])


class ForgotForm(FlaskForm):
    email = EmailField("E-mail", validators=[InputRequired()])


class SetupForm(FlaskForm):
    full_name = StringField("Your full name", validators=[InputRequired()])
    email = EmailField("Your e-mail (your sign-in)", validators=[InputRequired()])
    password = PasswordField("Password", validators=[InputRequired()])
    confirm = PasswordField("The same password again", validators=[InputRequired()])


class ChangeForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[InputRequired()])
    new_password = PasswordField("New password", validators=[InputRequired()])
    confirm = PasswordField("The new password again", validators=[InputRequired()])


def _messages(exc: IgotError) -> list[str]:
    out = [m for msgs in (exc.errors or {}).values() if isinstance(msgs, list) for m in msgs]
    return out or [exc.message]


class _Public(BaseView):
    def is_visible(self):
        return False

    def _link_page(self, check, form, use, done: str, page, problem=str):
        """A page a single-use link opens: ``check()`` the link (its record), then on a valid
        post with two equal passwords ``use(form)`` it (the e-mail signed up for) and send the
        person to sign in; ``page(form, link, problems)`` draws the form, each refusal of the
        password put in words by ``problem``."""
        try:
            link = check()
        except accounts.LinkRefused as exc:
            return self.render("igot/link_refused.html", message=exc.message), 410
        problems: list[str] = []
        if form.validate_on_submit():
            if form.password.data != form.confirm.data:
                problems = ["The two passwords are not the same."]
            else:
                try:
                    email = use(form)
                    flash(done, "success")
                    return redirect(url_for("login.index", email=email))
                except accounts.LinkRefused as exc:
                    return self.render("igot/link_refused.html", message=exc.message), 410
                except ValidationError as exc:
                    problems = [problem(m) for m in _messages(exc)]
        return page(form, link, problems), (400 if problems else 200)


class PasswordLinkView(_Public):
    """``/admin/password-link/<token>``: set a password from an invitation or a reset."""

    @expose("/")
    def index(self):
        return redirect(url_for("forgot.index"))

    @expose("/<token>", methods=("GET", "POST"))
    def use(self, token):
        def page(form, link, problems):
            return self.render(
                "igot/password_link.html",
                form=form,
                email=link["user"],
                welcome="Welcome! Choose your password" if link["purpose"] == "invite" else "Choose a new password",
                problems=problems,
                minimum=accounts.MIN_PASSWORD,
            )

        return self._link_page(
            lambda: accounts.check(site(), token),
            PasswordForm(),
            lambda form: accounts.set_password_with_link(site(), token, form.password.data),
            "Your password is set. Sign in with your e-mail address and it.",
            page,
            lambda m: f"The password {m}",
        )


class ForgotView(_Public):
    @expose("/", methods=("GET", "POST"))
    def index(self):
        form = ForgotForm()
        if form.validate_on_submit():
            accounts.forgot(site(), form.email.data)
            from app.web.account import FORGOT_ANSWER

            flash(FORGOT_ANSWER, "info")
            return redirect(url_for("login.index"))
        return self.render("igot/forgot.html", form=form)


class SetupView(_Public):
    """``/admin/setup/<token>``: the first System Manager of a new installation."""

    @expose("/")
    def index(self):
        return redirect(url_for("login.index"))

    @expose("/<token>", methods=("GET", "POST"))
    def use(self, token):
        def check():
            link = accounts.check(site(), token, "setup")
            if not accounts.needs_setup(site()):
                raise accounts.LinkRefused("This installation already has a System Manager: sign in instead.")
            return link

        def use(form):
            accounts.create_first_manager(site(), token, form.email.data, form.full_name.data, form.password.data)
            return form.email.data.strip().lower()

        return self._link_page(
            check,
            SetupForm(),
            use,
            "Your account is ready: sign in to run the installation.",
            lambda form, link, problems: self.render(
                "igot/setup.html", form=form, problems=problems, minimum=accounts.MIN_PASSWORD
            ),
        )


class AccountView(Guarded, BaseView):
    """My account: change my password; choose what I am e-mailed about."""

    def is_visible(self):
        return False

    @expose("/", methods=("GET", "POST"))
    def index(self):
        ctx = user_ctx()
        form = ChangeForm(prefix="pw")
        problems: list[str] = []
        if request.method == "POST" and request.form.get("what") == "password" and form.validate_on_submit():
            if form.new_password.data != form.confirm.data:
                problems = ["The two new passwords are not the same."]
            else:
                try:
                    accounts.change_password(site(), ctx.user, form.current_password.data, form.new_password.data)
                    from app.web.session import sign_out

                    sign_out()
                    flash("Your password is changed and every session has ended: sign in with the new one.", "success")
                    return redirect(url_for("login.index"))
                except ValidationError as exc:
                    problems = _messages(exc)
        user = lifecycle.get(ctx, "User", ctx.user).as_dict()
        prefs = {row["kind"]: row["delivery"] for row in user.get("notification_preferences") or []}
        choices = PreferencesForm.build(prefs)
        if request.method == "POST" and request.form.get("what") == "preferences" and choices.validate_on_submit():
            rows = [{"kind": k, "delivery": getattr(choices, f"kind_{i}").data} for i, k in enumerate(notifications.KINDS)]
            lifecycle.save(ctx, "User", ctx.user, {"notification_preferences": rows})
            flash("Saved: you will be e-mailed as you chose.", "success")
            return redirect(url_for(".index"))
        return self.render(
            "igot/account.html",
            user=user,
            form=form,
            choices=choices,
            kinds=list(enumerate(notifications.KINDS)),
            about=KIND_WORDS,
            problems=problems,
            minimum=accounts.MIN_PASSWORD,
        ), (400 if problems else 200)


KIND_WORDS = notifications.KIND_WORDS


class PreferencesForm(FlaskForm):
    @classmethod
    def build(cls, prefs: dict):
        class Form(cls):
            pass

        for i, kind in enumerate(notifications.KINDS):
            setattr(
                Form,
                f"kind_{i}",
                SelectField(
                    KIND_WORDS[kind], choices=[(d, d) for d in notifications.DELIVERIES], default=prefs.get(kind, "Immediately")
                ),
            )
        return Form(prefix="prefs")


class NotificationsView(Guarded, BaseView):
    """My notifications, newest first; opening one marks it read."""

    def is_visible(self):
        return False

    @expose("/")
    def index(self):
        ctx = user_ctx()
        return self.render(
            "igot/notifications.html", items=notifications.recent(ctx, 100), unread=notifications.unread_count(ctx)
        )

    @expose("/open/<name>")
    def open(self, name):
        ctx = user_ctx()
        item = ctx.site.unguarded("notification").find_one({"_id": name, "for_user": ctx.user}, {"link": 1})
        if item is None:
            return self.render("igot/not_permitted.html", message="That notification is not yours."), 404
        notifications.mark_read(ctx, [name])
        link = item.get("link") or ""
        public = ctx.site.config.public_url
        target = link[len(public) :] if link.startswith(public) else url_for(".index")
        return redirect(target if target.startswith("/") and not target.startswith("//") else url_for(".index"))

    @expose("/read-all", methods=("POST",))
    def read_all(self):
        n = notifications.mark_read(user_ctx())
        flash(f"{n} marked read.", "info")
        return redirect(url_for(".index"))
