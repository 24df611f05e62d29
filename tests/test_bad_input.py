"""No request ends in a server error, and none makes the server work without end: each bad
request gets a 4xx naming the parameter and the reason. The cases are the ones an outside
attack found, then a fuzz test of the filter and body parsers."""

import io
import json
import threading
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import inputs, query
from app.errors import IgotError

from . import scorm_packages as pkg
from .conftest import add_user, token_client

POWER = "Ministry of Power"


@pytest.fixture
def w(mock_site):
    from app.web import create_app

    app = create_app(site=mock_site)
    add_user(mock_site, "learner@power.gov.in", ["Learner"], [POWER])
    add_user(mock_site, "nodal@power.gov.in", ["MDO Admin", "Content Creator"], [POWER])
    return {
        "site": mock_site,
        "app": app,
        "learner": token_client(mock_site, "learner@power.gov.in", app),
        "admin": token_client(mock_site, "nodal@power.gov.in", app),
    }


def refused(response, *words):
    assert 400 <= response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:300])
    body = response.json
    assert body["error"] and body["message"]
    for word in words:
        assert word in body["message"], body["message"]
    return body


DEEP = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize(
    "params, words",
    [
        ({"filters": '[["name","in",5]]'}, ["'in' takes a list"]),
        ({"filters": '[["full_name","in",null]]'}, ["'in' takes a list"]),
        ({"filters": '[[1,"=","x"]]'}, ["field name"]),
        ({"filters": '[[null,"=","x"]]'}, ["field name"]),
        ({"filters": '[["modified",">","notadate"]]'}, ["modified", "not a date"]),
        ({"filters": '[["creation","between",["2020-01-01","bad"]]]'}, ["creation", "not a date"]),
        ({"filters": '[["modified","in",["bad"]]]'}, ["not a date"]),
        ({"filters": '[["full_name","=",{"$gt":""}]]'}, ["not a value to compare"]),
        ({"filters": '[["full_name","like",["a"]]]'}, ["text pattern"]),
        ({"filters": DEEP}, ["filters", "nested"]),
        ({"filters": '{"a": ' * 10 + "1" + "}" * 10}, ["filters", "nested"]),
        ({"filters": json.dumps([["full_name", "=", "x"]] * 60)}, ["at most 50"]),
        ({"filters": json.dumps([["name", "in", [str(i) for i in range(1001)]]])}, ["at most 1000 values"]),
        ({"filters": json.dumps([["full_name", "like", "%" + "a" * 300]])}, ["at most 200"]),
        ({"fields": "[not json"}, ["fields", "not valid JSON"]),
        ({"fields": '[{"a":1}]'}, ["fields", "list of field names"]),
        ({"fields": json.dumps([f"f{i}" for i in range(101)])}, ["at most 100"]),
        ({"search": "x" * 201}, ["search", "at most 200"]),
        ({"order_by": "full_name sideways"}, ["asc or desc"]),
        ({"limit": "many"}, ["whole number"]),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_bad_list_parameters_are_400(w, params, words):
    refused(w["learner"].get("/api/resource/Officer", query_string=params), *words)


def test_a_pathological_like_pattern_answers_at_once(w):
    """``%a%a%a...%b`` over a long run of a's took seconds, 7x more per %a: the pattern now
    matches in linear time, so twenty of them answer like one."""
    ctx = w["site"].context()
    from app.model import lifecycle

    lifecycle.insert(
        ctx, "Officer", {"full_name": "a" * 60, "email": "aaa@power.gov.in", "service": "IAS", "group": "A", "mdo": POWER}
    )
    pattern = "%a" * 20 + "%b"
    answers = []
    worker = threading.Thread(
        target=lambda: answers.append(
            w["admin"].get("/api/resource/Officer", query_string={"filters": json.dumps([["full_name", "like", pattern]])})
        ),
        daemon=True,
    )
    worker.start()
    worker.join(30)  # a backtracking regex would still be running in a thousand years
    assert answers and answers[0].status_code == 200 and answers[0].json["total"] == 0
    found = w["admin"].get("/api/resource/Officer", query_string={"filters": json.dumps([["full_name", "like", "%a%a%"]])})
    assert found.json["total"] == 1


@pytest.mark.parametrize(
    "pattern, value, matches",
    [
        ("%a%ab", "ab", False),
        ("%a%ab", "aab", True),
        ("a%", "abc", True),
        ("%c", "abc", True),
        ("%b%", "abc", True),
        ("a%c", "abc", True),
        ("a%c", "abcd", False),
        ("%x%", "abc", False),
        ("100%", "100% sure", True),
        ("a.b", "axb", False),
        ("%(%", "f(x)", True),
        ("ab%ba", "aba", False),
        ("%", "", True),
        ("", "", True),
        ("%Ab%", "xaBx", True),
        ("%%a", "ba", True),
        ("a%b%c", "a\nb\nc", True),
    ],
)
def test_like_patterns_mean_what_they_say(pattern, value, matches):
    import re

    for dialect in ("atomic", "re2"):
        assert bool(re.search(query.like_pattern(pattern, dialect), value, re.I | re.S)) is matches, (pattern, value, dialect)


@pytest.mark.parametrize(
    "body, words",
    [
        ('{"full_name": "\\ud800", "email": "x@power.gov.in"}', ["not valid Unicode"]),
        ("[" * 3000 + "]" * 3000, ["nested"]),
        ('{"a": ' * 3000 + "1" + "}" * 3000, ["nested"]),
        ("not json", ["not valid JSON"]),
        ("[1, 2]", ["expected a JSON object"]),
    ],
)
def test_bad_bodies_are_400(w, body, words):
    refused(w["admin"].post("/api/resource/Officer", data=body, content_type="application/json"), *words)


@pytest.mark.parametrize("mdos", [True, 7, "Ministry of Power", [3], [{"mdo": 5}]])
def test_a_child_table_that_is_not_a_list_of_rows_is_400(w, mdos):
    """A user's MDOs (the table that makes them a tenant record) sent as something else."""
    r = w["admin"].post("/api/resource/User", json={"email": "x@power.gov.in", "full_name": "X", "mdos": mdos})
    assert 400 <= r.status_code < 500 and "mdos" in r.get_data(as_text=True), (mdos, r.status_code, r.get_data(as_text=True))


@pytest.mark.parametrize("modified", [5, {"$gt": 1}, ["2026-01-01"], True])
def test_a_save_or_transition_with_a_bad_modified_is_400(w, modified):
    from app.model import lifecycle

    doc = lifecycle.insert(
        w["site"].context(),
        "Officer",
        {"full_name": "Asha", "email": "asha@power.gov.in", "service": "IAS", "group": "A", "mdo": POWER},
    )
    body = refused(
        w["admin"].put(f"/api/resource/Officer/{doc.name}", json={"designation": "x", "modified": modified}), "modified"
    )
    assert "modified" in body["errors"]


def test_job_arguments_and_export_filters_are_checked_before_queueing(w):
    refused(w["admin"].post("/api/method/run_job", json={"job": "export", "args": "x"}), "args")
    before = w["site"].db.background_job.count_documents({})
    refused(
        w["admin"].post("/api/method/run_job", json={"job": "export", "args": {"doctype": "Officer", "filters": [[1, "=", 2]]}}),
        "field name",
    )
    refused(
        w["admin"].post("/api/method/run_job", json={"job": "export", "args": {"doctype": "Officer", "format": "xls"}}),
        "csv or json",
    )
    assert w["site"].db.background_job.count_documents({}) == before
    refused(w["admin"].post("/api/resource/Officer/x/transition", json={"action": ["Approve"]}), "action")
    refused(w["admin"].get("/api/resource/Officer", query_string={"filters": "[]", "limit": "1e9"}), "whole number")


def test_the_admins_link_lookup_answers_400_not_500(w):
    client = w["app"].test_client()
    client.post("/api/method/login", json={"email": "nodal@power.gov.in", "password": "correct horse battery"})
    r = client.get("/admin/link/", query_string={"doctype": "Officer", "filters": '[["name","in",5]]'})
    assert r.status_code == 400
    r = client.get("/admin/link/", query_string={"doctype": "Officer", "filters": DEEP})
    assert r.status_code == 400


def _corrupt(data: bytes, entry: str) -> bytes:
    """The package with one byte of ``entry``'s stored data changed (its CRC no longer holds)."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        info = z.getinfo(entry)
    raw = bytearray(data)
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    raw[start + 5] ^= 0xFF
    return bytes(raw)


def test_a_damaged_package_is_refused_at_upload(w):
    from app import files
    from app.auth import context_for

    bad = _corrupt(
        pkg.build({"imsmanifest.xml": pkg.MANIFEST_12, "content/index.html": pkg.PAGE * 20, "content/appeals.html": pkg.PAGE}),
        "content/index.html",
    )
    with pytest.raises(IgotError, match="content/index.html' is damaged"):
        files.store(context_for(w["site"], "nodal@power.gov.in"), io.BytesIO(bad), "rti.zip", accept=["scorm"])


def test_packages_zipped_on_windows_or_with_dot_slash_are_read(w):
    from doctypes.content import scorm

    backslashes = pkg.build(
        {"imsmanifest.xml": pkg.MANIFEST_12, "content\\index.html": pkg.PAGE, "content\\appeals.html": pkg.PAGE}
    )
    dotted = pkg.build(
        {"./imsmanifest.xml": pkg.MANIFEST_12, "./content/index.html": pkg.PAGE, "./content/appeals.html": pkg.PAGE}
    )
    for data in (backslashes, dotted):
        described = scorm.inspect(io.BytesIO(data), limit_bytes=2**20)
        assert described["launch"] == "content/index.html" and described["version"] == "SCORM 1.2"
    for name in ("..\\..\\evil.html", "C:\\evil.html", "\\evil.html", "content/../../evil.html"):
        with pytest.raises(scorm.PackageError, match="zip-slip"):
            scorm.inspect(
                io.BytesIO(
                    pkg.build(
                        {
                            "imsmanifest.xml": pkg.MANIFEST_12,
                            "content/index.html": pkg.PAGE,
                            "content/appeals.html": pkg.PAGE,
                            name: b"x",
                        }
                    )
                ),
                limit_bytes=2**20,
            )
    with zipfile.ZipFile(io.BytesIO(backslashes)) as z:
        assert scorm.find_entry(z, "content/index.html").filename == "content\\index.html"


def test_cam_13_manifests_are_scorm_2004_second_edition():
    from doctypes.content import scorm

    manifest = pkg.MANIFEST_2004.replace("2004 4th Edition", "CAM 1.3")
    described = scorm.inspect(io.BytesIO(pkg.build({"imsmanifest.xml": manifest, "gem/start.html": pkg.PAGE})), limit_bytes=2**20)
    assert described["version"] == "SCORM 2004 2nd Edition"


# fuzz: any JSON-ish input to the parsers is either accepted or refused with our error ------

scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=30))
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=20
)
FIELDS = st.sampled_from(
    [
        "name",
        "full_name",
        "mdo",
        "modified",
        "creation",
        "year_of_allotment",
        "postings.designation",
        "postings",
        "mobile",
        "nope",
        "",
        "a.b.c",
    ]
)
OPS = st.sampled_from(list(query.OPERATORS) + ["~", "", "IN", "Like"])
triples = st.lists(st.tuples(st.one_of(FIELDS, values), st.one_of(OPS, values), values).map(list), max_size=5)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(filters=st.one_of(triples, values, st.dictionaries(FIELDS, values, max_size=4)))
def test_fuzz_the_filter_parser(mock_site, filters):
    ctx = mock_site.context("someone@gov.in")
    meta = ctx.registry.get("Officer")
    for value in (filters, json.dumps(filters)):
        try:
            query.build_query(ctx, meta, value)
        except IgotError as exc:
            assert 400 <= exc.status < 500 and exc.message


@settings(max_examples=300, deadline=None)
@given(
    raw=st.one_of(
        st.binary(max_size=60),
        values.map(lambda v: json.dumps(v).encode()),
        st.text(max_size=60).map(lambda t: t.encode("utf-8", "surrogatepass")),
    )
)
def test_fuzz_the_body_parser(raw):
    try:
        result = inputs.body(raw, required=False)
    except IgotError as exc:
        assert exc.status == 400 and "body" in exc.errors
    else:
        assert isinstance(result, dict)
