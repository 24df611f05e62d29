import os
import uuid
from pathlib import Path

import pytest

from app.config import ROOT, Config
from app.site import Site

TEST_DOCTYPES = Path(__file__).parent / "doctypes"
# A MongoDB wire-protocol server to run every store-parametrised test against as well
# ("wire"): FerretDB in CI (.ci/run), or any MongoDB.
WIRE = os.environ.get("TEST_MONGODB_URI") or None
STORES = ["mongomock", "embedded"] + (["wire"] if WIRE else [])


def make_config(store="mongomock", data_dir=None, **kw):
    kw.setdefault("password_profile", "CHEAPEST")
    kw.setdefault("queue_url", "immediate")  # background jobs run at once, in the test's process
    return Config(
        store=store,
        data_dir=Path(data_dir or "var"),
        doctype_paths=(ROOT / "app" / "doctypes", ROOT / "doctypes", TEST_DOCTYPES),
        **kw,
    )


def store_config(store: str, data_dir, **kw) -> Config:
    """The configuration of a test site on ``store``: over the wire, a database of its own."""
    if store == "wire":
        return make_config("mongodb", data_dir, mongodb_uri=WIRE, db_name=f"igot_test_{uuid.uuid4().hex[:12]}", **kw)
    return make_config(store, data_dir, **kw)


_TEMPLATE: dict = {}


def open_site(store: str, data_dir, **kw) -> Site:
    """A site on ``store`` with ``igot init`` done. Over the wire, where every round trip
    counts, the first site's initialised database is kept as a template (its documents and
    indexes) and copied into each new database in one bulk write per collection."""
    from app import install

    s = Site(store_config(store, data_dir, **kw))
    if store != "wire" or kw:
        install.init(s)
        return s
    if not _TEMPLATE:
        install.init(s)
        for name in s.db.list_collection_names():
            coll = s.db[name]
            _TEMPLATE[name] = (
                list(coll.find({})),
                [{**v, "name": k} for k, v in coll.index_information().items() if k != "_id_"],
            )
        return s
    from pymongo import IndexModel

    for name, (docs, indexes) in _TEMPLATE.items():
        coll = s.db[name]
        if indexes:
            coll.create_indexes(
                [IndexModel(ix["key"], **{k: v for k, v in ix.items() if k in ("unique", "sparse", "name")}) for ix in indexes]
            )
        if docs:
            coll.insert_many([dict(d) for d in docs], ordered=False)
    return s


def close_site(s: Site) -> None:
    if s.store.kind == "mongodb":
        s.store.client.drop_database(s.db.name)
    s.close()


def skip_unless_supported(request, s: Site) -> None:
    """A test marked ``needs(feature)`` is skipped, naming the feature, on a store without it."""
    from .features import missing

    for marker in request.node.iter_markers("needs"):
        lacking = [f for f in marker.args if f in missing(s)]
        if lacking:
            pytest.skip(f"needs {', '.join(lacking)}, which {missing.server_name(s)} does not implement")


@pytest.fixture(params=STORES)
def site(request, tmp_path):
    """A site with fixtures loaded, on each store the tests run on."""
    s = open_site(request.param, tmp_path / "var")
    try:
        skip_unless_supported(request, s)
        yield s
    finally:
        close_site(s)


@pytest.fixture
def mock_site(tmp_path):
    from app import install

    s = Site(make_config("mongomock", tmp_path / "var"))  # files it unpacks (SCORM packages) go there
    install.init(s)
    yield s
    s.close()


@pytest.fixture
def ctx(site):
    return site.context("nodal.power@gov.in")


@pytest.fixture
def officer_data():
    return {
        "full_name": "Asha Rao",
        "email": "asha.rao@gov.in",
        "service": "IAS",
        "group": "A",
        "mdo": "Ministry of Power",
        "year_of_allotment": 2012,
        "date_of_birth": "1985-04-02",
    }


PASSWORD = "correct horse battery"


def add_user(site, email, roles, mdos=(), password=PASSWORD):
    from app import auth
    from app.model import lifecycle

    auth.set_password(site, email, password)  # first: an account that has its password is not invited
    lifecycle.insert(
        site.context(),
        "User",
        {
            "email": email,
            "full_name": email.split("@")[0],
            "roles": [{"role": r} for r in roles],
            "mdos": [{"mdo": m} for m in mdos],
        },
    )
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
    import logging

    logging.getLogger("igot").setLevel(logging.WARNING)  # quiet: only what went wrong
    global _RECORDER
    from .index_check import Recorder

    _RECORDER = Recorder()
    _RECORDER.install()


def pytest_terminal_summary(terminalreporter):
    """How many tests ran on each store, and the MongoDB subset, feature by feature."""
    from .features import RESULTS, matrix

    counts: dict = {}
    for outcome in ("passed", "failed", "skipped", "error"):
        for report in terminalreporter.stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", "")
            store = next((s for s in STORES if f"[{s}" in nodeid or f"-{s}]" in nodeid or f"-{s}-" in nodeid), None)
            if store and getattr(report, "when", "call") in ("call", "setup"):
                if outcome == "passed" and report.when != "call":
                    continue
                counts.setdefault(store, {}).setdefault(outcome, 0)
                counts[store][outcome] += 1
    if counts:
        terminalreporter.write_sep("=", "tests by store")
        for store in STORES:
            figures = counts.get(store, {})
            terminalreporter.write_line(f"{store}: " + ", ".join(f"{n} {o}" for o, n in sorted(figures.items())))
    if RESULTS:
        terminalreporter.write_sep("=", "the MongoDB subset, by store")
        for line in matrix():
            terminalreporter.write_line(line)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    from .index_check import violations

    if _RECORDER is None or not _RECORDER.shapes:
        return
    found = violations(_RECORDER)
    if found:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        lines = [
            f"{len(found)} queries are not served by a declared index (declare one in the doctype's "
            '"indexes", or add a documented exception in tests/index_check.py):',
            *found,
        ]
        if reporter:
            reporter.write_sep("=", "queries without an index", red=True)
            for line in lines:
                reporter.write_line(line)
        if session.exitstatus == 0:
            session.exitstatus = 1
