"""A record sent back by a reviewer says so, from the maker's side: its page opens with who
returned it, when and why, and its state reads "Returned: <reason>" there and on the maker's
home, not "Draft"; a module never reviewed is a "Draft"; once sent for review again, the old
reason is history, not its state."""

import html
import re

from app.model import workflow

from . import test_content
from .test_admin import signed_in
from .test_content import lesson

cw = test_content.cw  # the content world: Power's FRAC and content users

REASON = "Cite the circular's number"


def page_of(client, name: str, view: str = "details") -> str:
    return html.unescape(client.get(f"/admin/content_module/{view}/?id={name}").get_data(as_text=True))


def state_badge(page: str) -> str:
    return re.search(r'id="record-state">([^<]*)<', page).group(1)


def home_row(client, title: str) -> str:
    """The maker's "My drafts" row of the module titled ``title``."""
    page = html.unescape(client.get("/admin/").get_data(as_text=True))
    drafts = page[page.index('id="my-drafts"') :]
    drafts = drafts[: drafts.index("</ul>")]
    return next(row for row in re.findall(r"<li[^>]*>(.*?)</li>", drafts, re.S) if title in row)


def test_a_returned_module_shows_who_returned_it_when_and_why(cw, mock_site):
    mock_site.collection("User").update_one({"_id": "reviewer@power.gov.in"}, {"$set": {"full_name": "Meera Iyer"}})
    name = lesson(cw, "Sent and returned")
    cw.act("content", "Content Module", name, "Send for Review")
    cw.act("reviewer", "Content Module", name, "Reject", REASON)
    move = mock_site.db[workflow.LOG].find_one({"docname": name, "action": "Reject"})
    creator = signed_in(cw.app, "creator@power.gov.in")
    for view in ("details", "edit"):  # the maker opens it from the home's list on its form
        page = page_of(creator, name, view)
        notice = re.search(r'id="returned-reason">([^<]*)<', page).group(1)
        assert notice == f"Returned by Meera Iyer on {move['creation'].strftime('%d/%m/%Y')}: {REASON}"
        assert page.index('id="returned-reason"') < page.index('id="record-state"')  # the top of the record
        assert state_badge(page) == f"Returned: {REASON}"
    listed = html.unescape(creator.get("/admin/content_module/").get_data(as_text=True))
    assert f"Returned: {REASON}" in listed
    row = home_row(creator, "Sent and returned")
    assert "Returned" in row and REASON in row


def test_a_module_never_reviewed_is_a_draft(cw):
    name = lesson(cw, "Kept for later")
    creator = signed_in(cw.app, "creator@power.gov.in")
    page = page_of(creator, name)
    assert state_badge(page) == "Draft"
    assert 'id="returned-reason"' not in page
    assert "Returned" not in home_row(creator, "Kept for later")
    listed = creator.get("/admin/content_module/").get_data(as_text=True)
    assert "Kept for later" in listed and "Returned" not in listed


def test_once_sent_again_the_reason_is_no_longer_its_state(cw):
    name = lesson(cw, "Sent twice")
    cw.act("content", "Content Module", name, "Send for Review")
    cw.act("reviewer", "Content Module", name, "Reject", REASON)
    creator = signed_in(cw.app, "creator@power.gov.in")
    cw.act("content", "Content Module", name, "Send for Review")
    page = page_of(creator, name)
    assert state_badge(page) == "In Review"
    assert 'id="returned-reason"' not in page
    assert REASON in page[page.index('id="workflow-history"') :]  # still in its history
    # an edit while returned keeps the reason current: only a move on clears it
    name2 = lesson(cw, "Edited while returned")
    cw.act("content", "Content Module", name2, "Send for Review")
    cw.act("reviewer", "Content Module", name2, "Reject", REASON)
    cw.put("content", f"resource/Content Module/{name2}", {"lesson_text": "The circular is No. 12/2026."}, 200)
    assert state_badge(page_of(creator, name2)) == f"Returned: {REASON}"
