"""Signing in and out of the admin."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import InputRequired

from app import auth

from .common import site


class LoginForm(FlaskForm):
    email = EmailField("E-mail", validators=[InputRequired()])
    password = PasswordField("Password", validators=[InputRequired()])


class LoginView(BaseView):
    def is_visible(self):
        return False

    @expose("/", methods=("GET", "POST"))
    def index(self):
        form = LoginForm()
        if request.method == "GET" and request.args.get("email"):
            form.email.data = request.args["email"]  # back from setting a password
        if form.validate_on_submit():
            from app.web.session import sign_in

            try:
                user = sign_in(site(), form.email.data, form.password.data)
            except (auth.Unauthenticated, auth.TooManyAttempts) as exc:
                flash(exc.message, "error")
                return self.render("igot/login.html", form=form), exc.status
            if not request.args.get("next") and not auth.context_for(site(), user["_id"]).access.can("back_office"):
                return redirect("/")  # a learner's place is the learner portal, unless they asked for a page here
            target = request.args.get("next") or url_for("admin.index")
            return redirect(target if target.startswith("/admin") else url_for("admin.index"))
        return self.render("igot/login.html", form=form)


class LogoutView(BaseView):
    def is_visible(self):
        return False

    @expose("/", methods=("POST",))
    def index(self):
        from app.web.session import sign_out

        sign_out()
        flash("Signed out.", "info")
        return redirect(url_for("login.index"))
