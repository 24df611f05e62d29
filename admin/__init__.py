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

    from .customize_form import CustomizeView
    from .data_import import ImportView
    from .home import HomeView
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
    admin.add_view(CustomizeView(name="Customize Form", category="Settings", endpoint="customize", url="customize"))
    admin.add_view(ImportView(name="Data Import", category="Settings", endpoint="data_import", url="import"))
    admin.add_view(LinkLookupView(name="Link", endpoint="link", url="link"))
    admin.add_view(LoginView(name="Log in", endpoint="login", url="login"))
    admin.add_view(LogoutView(name="Log out", endpoint="logout", url="logout"))
    csrf = CSRFProtect(app)
    csrf.exempt(api)
    return admin
