"""Every HTML page is sent with a Content-Security-Policy that runs no inline script, with
framing refused, and no page of ours carries inline script for that policy to block."""

import re

import pytest

from app.config import ROOT
from app.web import create_app

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.I)


@pytest.fixture
def client(mock_site):
    return create_app(site=mock_site).test_client()


@pytest.mark.parametrize("path", ["/admin/login/", "/api/docs", "/verify/AAAA-BBBB-CCCC"])
def test_html_pages_carry_the_policy(client, path):
    r = client.get(path)
    assert r.mimetype == "text/html", path
    csp = r.headers["Content-Security-Policy"]
    scripts = csp.split("script-src", 1)[1].split(";")[0]
    assert scripts.strip() == "'self'" and "frame-ancestors 'none'" in csp
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff" and r.headers["Referrer-Policy"] == "same-origin"
    page = r.get_data(as_text=True)
    assert not INLINE_SCRIPT.search(page) and not HANDLER.search(page), path


def test_json_answers_are_not_sniffed(client):
    r = client.get("/api/method/me")
    assert r.status_code == 401 and r.headers["X-Content-Type-Options"] == "nosniff"


def test_no_template_of_ours_has_inline_script_or_handlers():
    found = []
    for path in sorted((ROOT / "admin" / "templates").rglob("*.html")):
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, HANDLER):
            found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert found == []
