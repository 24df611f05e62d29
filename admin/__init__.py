"""The admin under ``/admin``: screens generated from the doctypes (see ``views.py``)."""

from __future__ import annotations

from pathlib import Path

TEMPLATES = Path(__file__).parent / "templates"


# The menu's order; a module not listed comes after these.
MODULES = ("Organisation", "FRAC and Competencies", "Learning", "Programme", "Content", "Settings")


def init_admin(app, site):
    """Mount the admin on ``app``: one view per doctype, grouped by module, plus login,
    logout and home. CSRF protection covers every admin form; the JSON API has its own."""
    from flask_admin import Admin
    from flask_admin.theme import Bootstrap4Theme
    from flask_wtf.csrf import CSRFProtect
    from jinja2 import ChoiceLoader, FileSystemLoader

    from app.web.common import api

    from .account import AccountView, ForgotView, NotificationsView, PasswordLinkView, SetupView
    from .customize_form import CustomizeView
    from .data_import import ImportView
    from .home import HomeView, RecordsView
    from .link import LinkLookupView
    from .session import LoginView, LogoutView
    from .views import DocTypeView

    # the admin's templates, then each module's own (doctypes/<module>/templates)
    module_templates = [FileSystemLoader(str(folder / "templates")) for folder in site.modules.folders.values()]
    app.jinja_loader = ChoiceLoader([FileSystemLoader(str(TEMPLATES)), *module_templates, app.jinja_loader])
    from flask import Blueprint

    # Our own static files (the charting library), served from the project: no CDN.
    app.register_blueprint(Blueprint("igot_assets", __name__, static_folder="static", static_url_path="/admin/assets"))
    admin = Admin(
        app,
        name="iGOT Karmayogi",
        url="/admin",
        index_view=HomeView(name="Home", url="/admin"),
        theme=Bootstrap4Theme(base_template="igot/base.html", fluid=True),
    )
    order = {m: i for i, m in enumerate(MODULES)}
    for meta in sorted(site.registry, key=lambda m: (order.get(m.module, len(order)), m.module, m.name)):
        if not meta.is_child:
            admin.add_view(DocTypeView(meta))
    for page in site.modules.all("pages"):  # the modules' own pages
        admin.add_view(page.view(name=page.name, category=page.category, endpoint=page.endpoint, url=page.url))
    admin.add_view(RecordsView(name="Every kind of record", category="Settings", endpoint="records", url="records"))
    admin.add_view(CustomizeView(name="Customize Form", category="Settings", endpoint="customize", url="customize"))
    admin.add_view(ImportView(name="Data Import", category="Settings", endpoint="data_import", url="import"))
    admin.add_view(LinkLookupView(name="Link", endpoint="link", url="link"))
    admin.add_view(LoginView(name="Log in", endpoint="login", url="login"))
    admin.add_view(LogoutView(name="Log out", endpoint="logout", url="logout"))
    admin.add_view(PasswordLinkView(name="Set password", endpoint="password_link", url="password-link"))
    admin.add_view(ForgotView(name="Forgot password", endpoint="forgot", url="forgot"))
    admin.add_view(SetupView(name="Set up", endpoint="setup", url="setup"))
    admin.add_view(AccountView(name="My account", endpoint="account", url="account"))
    admin.add_view(NotificationsView(name="My notifications", endpoint="notifications", url="notifications"))

    @app.context_processor
    def igot_me_processor():
        def igot_me():
            """The signed-in user's name, unread notifications and tasks, for the navbar."""
            from flask import g

            if "igot_me" not in g:
                from app import auth, notifications, tasks

                from .common import user_ctx

                try:
                    ctx = user_ctx()
                    g.igot_me = {
                        "name": notifications.display_name(site, ctx.user),
                        "unread": notifications.unread_count(ctx),
                        "tasks": len(tasks.my_tasks(ctx, limit=1000)),
                    }
                except auth.Unauthenticated:
                    g.igot_me = {"name": "", "unread": 0, "tasks": 0}
            return g.igot_me

        def igot_grant_hint():
            """Who can give the signed-in user more access, in words: someone who manages
            users already needs the System Manager; others, their MDO's nodal officer."""
            from app import auth

            from .common import user_ctx

            try:
                manages_users = "write" in user_ctx().access.allowed_actions(site.meta("User"))
            except auth.Unauthenticated:
                manages_users = False
            if manages_users:
                return "the System Manager (DoPT), who grants the roles you cannot"
            return "your MDO's nodal officer (its MDO Admin), or the System Manager"

        def igot_person(email):
            """Who did something, by name (their full name; the address when the account has none)."""
            from flask import g

            names = g.setdefault("igot_people", {})
            if email not in names:
                from app import notifications

                names[email] = notifications.display_name(site, email)
            return names[email]

        return {"igot_me": igot_me, "igot_grant_hint": igot_grant_hint, "igot_person": igot_person}

    csrf = CSRFProtect(app)
    csrf.exempt(api)
    for view in app.extensions.get("igot_content_views", ()):  # the content origin's: no session, no form
        csrf.exempt(view)
    return admin
