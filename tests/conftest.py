from pathlib import Path

import pytest

from app.config import ROOT, Config
from app.site import Site

TEST_DOCTYPES = Path(__file__).parent / "doctypes"


def make_config(store="mongomock", data_dir=None, **kw):
    kw.setdefault("password_profile", "CHEAPEST")
    kw.setdefault("queue_url", "immediate")  # background jobs run at once, in the test's process
    return Config(store=store, data_dir=Path(data_dir or "var"),
                  doctype_paths=(ROOT / "doctypes", TEST_DOCTYPES), **kw)


@pytest.fixture(params=["mongomock", "embedded"])
def site(request, tmp_path):
    """A site with fixtures loaded, on each store the tests run on."""
    from app import install

    s = Site(make_config(request.param, tmp_path / "var"))
    install.init(s)
    yield s
    s.close()


@pytest.fixture
def mock_site():
    from app import install

    s = Site(make_config("mongomock"))
    install.init(s)
    yield s
    s.close()


@pytest.fixture
def ctx(site):
    return site.context("nodal.power@gov.in")


@pytest.fixture
def officer_data():
    return {"full_name": "Asha Rao", "email": "asha.rao@gov.in", "service": "IAS", "group": "A",
            "mdo": "Ministry of Power", "year_of_allotment": 2012, "date_of_birth": "1985-04-02"}


PASSWORD = "correct horse battery"


def add_user(site, email, roles, mdos=(), password=PASSWORD):
    from app import auth, lifecycle

    lifecycle.insert(site.context(), "User", {"email": email, "full_name": email.split("@")[0],
                                              "roles": [{"role": r} for r in roles],
                                              "mdos": [{"mdo": m} for m in mdos]})
    auth.set_password(site, email, password)
    return email


def token_client(site, email, app=None):
    from app import auth
    from app.web import create_app

    client = (app or create_app(site=site)).test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"token {auth.create_token(site, email)}"
    return client


# Every query on an index (tests/index_check.py) ----------------------------------------------
_RECORDER = None


def pytest_configure(config):
    global _RECORDER
    from .index_check import Recorder

    _RECORDER = Recorder()
    _RECORDER.install()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    from .index_check import violations

    if _RECORDER is None or not _RECORDER.shapes:
        return
    found = violations(_RECORDER)
    if found:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = [f"{len(found)} queries are not served by a declared index (declare one in the doctype's "
                 "\"indexes\", or add a documented exception in tests/index_check.py):", *found]
        if reporter:
            reporter.write_sep("=", "queries without an index", red=True)
            for line in lines:
                reporter.write_line(line)
        if session.exitstatus == 0:
            session.exitstatus = 1
