"""Task lists that can be trusted: "Waiting for me" holds only what waits for the user's
decision (a published module or a live plan is not waiting for anyone to retire or archive
it), a destructive action asks first, an action bound to fail is not offered as a button, and
scoring the quality rubric makes no review until the reviewer saves one."""

import html
import logging
import re

from app import tasks
from app.auth import context_for

from . import test_content
from .frac_world import POWER
from .test_admin import said, signed_in
from .test_content import PASS, lesson, score

cw = test_content.cw  # the content world: Power's FRAC and content users


def waiting(client) -> str:
    """The "Waiting for me" table of the user's home ("" when nothing waits)."""
    page = client.get("/admin/").get_data(as_text=True)
    if 'id="waiting-for-me"' not in page:
        assert 'id="nothing-waiting"' in page
        return ""
    table = page[page.index('id="waiting-for-me"') :]
    return table[: table.index("</table>")]


def one_click(table: str) -> list[str]:
    """The actions offered as one-click buttons in a task table."""
    return re.findall(r'<input type="hidden" name="action" value="([^"]+)">', table)


def form_values(page: str) -> dict:
    """The record form of ``page`` as a browser sends it untouched, with the values it shows."""
    form = page[page.index('class="admin-form"') :]
    form = form[: form.index("</form>")]
    data = {}
    for attrs in re.findall(r"<(?:input|textarea)\b([^>]*)>", form):
        name = re.search(r'\bname="([^"]+)"', attrs)
        kind = re.search(r'\btype="([^"]+)"', attrs)
        if not name or (kind and kind.group(1) in ("checkbox", "submit", "file")):
            continue
        value = re.search(r'\bvalue="([^"]*)"', attrs)
        data[name.group(1)] = html.unescape(value.group(1)) if value else ""
    for name, body in re.findall(r'<select\b[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option[^>]*value="([^"]*)"[^>]*selected', body)
        data[name] = html.unescape(chosen.group(1)) if chosen else ""
    return data


def test_a_published_module_leaves_waiting_for_me_and_retire_asks_first(cw, mock_site):
    name = lesson(cw)
    cw.act("content", "Content Module", name, "Send for Review")
    score(cw, "reviewer", name)
    cw.act("reviewer", "Content Module", name, "Approve Review")
    publisher = signed_in(cw.app, "publisher@power.gov.in")
    assert one_click(waiting(publisher)) == ["Publish"]  # a decision: publish or send back
    cw.act("publisher", "Content Module", name, "Publish")
    # published: Retire is still theirs to take, on the module's page, but nothing waits for it
    assert waiting(publisher) == ""
    assert tasks.my_tasks(context_for(mock_site, "publisher@power.gov.in")) == []
    page = publisher.get(f"/admin/content_module/details/?id={name}").get_data(as_text=True)
    retire = re.search(r'<button[^>]*value="Retire"[^>]*>', page, re.S).group(0)
    assert 'data-confirm="Retire: Budget Circular 2026: what changed? This cannot be undone."' in retire


def test_a_live_plan_waits_for_nobody(cw, mock_site):
    plan = cw.create(
        "cbp",
        "Capacity Building Plan",
        {"plan_name": "Power CBP 2026-27", "mdo": POWER, "period_from": "2026-04-01", "period_to": "2027-03-31"},
    )
    cbp = context_for(mock_site, "cbp@power.gov.in")
    assert [t["name"] for t in tasks.my_tasks(cbp)] == [plan["name"]]  # a draft waits to go live
    cw.act("cbp", "Capacity Building Plan", plan["name"], "Go Live")
    assert tasks.my_tasks(cbp) == []  # live: Archive is possible any day, and no one's task


def test_approve_is_not_offered_before_the_rubric_is_scored(cw):
    name = lesson(cw)
    cw.act("content", "Content Module", name, "Send for Review")
    reviewer = signed_in(cw.app, "reviewer@power.gov.in")
    table = waiting(reviewer)
    assert "Approve Review" not in one_click(table) and "Score the Quality Rubric first" in table
    page = reviewer.get(f"/admin/content_module/details/?id={name}").get_data(as_text=True)
    workflow_form = page[page.index('id="workflow-actions"') :]
    workflow_form = workflow_form[: workflow_form.index("</form>")]
    assert 'value="Approve Review"' not in workflow_form and "Score the Quality Rubric first" in workflow_form
    score(cw, "reviewer", name)
    assert "Approve Review" in one_click(waiting(reviewer))  # now it can succeed: one click


def test_scoring_the_rubric_makes_a_review_only_when_it_is_saved(cw, mock_site):
    name = lesson(cw)
    cw.act("content", "Content Module", name, "Send for Review")
    reviewer = signed_in(cw.app, "reviewer@power.gov.in")
    page = reviewer.get(f"/admin/content_module/details/?id={name}").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    opened = reviewer.post(f"/admin/content_module/action/?id={name}", data={"csrf_token": token, "action": "score_quality"})
    assert opened.status_code == 302 and "/admin/content_review/new/" in opened.headers["Location"]
    form = reviewer.get(opened.headers["Location"]).get_data(as_text=True)
    assert mock_site.db.content_review.count_documents({}) == 0  # opening it made nothing
    assert 'id="scores-0-criterion-shown">Accuracy<' in form  # the rubric's rows, to score
    beside = form[form.index('id="beside"') :]
    assert "Budget Circular 2026: what changed" in beside and f"/admin/content_module/details/?id={name}" in beside
    assert 'id="save-and-submit"' in form
    data = form_values(form)
    assert data["content_module"] == name
    for i in range(len(PASS)):
        data[f"scores-{i}-score"] = str(list(PASS.values())[i])
    data["_then"] = "Save and submit"
    saved = reviewer.post(opened.headers["Location"], data=data)
    assert saved.status_code == 302, said(saved.get_data(as_text=True))
    assert saved.headers["Location"].endswith(f"/admin/content_module/details/?id={name}")  # back to approve it
    review = mock_site.db.content_review.find_one({"content_module": name})
    assert (review["docstatus"], review["result"]) == (1, "Passed")
    back = reviewer.get(saved.headers["Location"]).get_data(as_text=True)
    assert 'value="Approve Review"' in back


def test_an_action_that_opens_a_form_is_refused_to_who_may_not_take_it(cw):
    name = lesson(cw)
    cw.act("content", "Content Module", name, "Send for Review")
    creator = signed_in(cw.app, "creator@power.gov.in")
    page = creator.get(f"/admin/content_module/details/?id={name}").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    refused = creator.post(
        f"/admin/content_module/action/?id={name}",
        data={"csrf_token": token, "action": "score_quality"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Score the Quality Rubric: not open to you" in " ".join(said(refused))


def test_the_console_says_a_queue_backlog_not_every_wait(mock_site, caplog):
    """Waitress logs "Task queue depth is N" whenever a request waits for a thread; only a
    real backlog is said, once a minute."""
    from waitress.task import ThreadedTaskDispatcher

    from app import logs
    from app.web import create_app

    create_app(site=mock_site)  # the app quiets waitress's queue logger
    dispatcher = ThreadedTaskDispatcher()  # no threads: every task added waits
    with caplog.at_level(logging.WARNING, logger="waitress.queue"):
        for _ in range(logs.QUEUE_WARN_DEPTH - 1):
            dispatcher.add_task(object())
        assert [r for r in caplog.records if r.name == "waitress.queue"] == []
        dispatcher.add_task(object())
        dispatcher.add_task(object())
        said_ = [r.getMessage() for r in caplog.records if r.name == "waitress.queue"]
    assert said_ == [f"Task queue depth is {logs.QUEUE_WARN_DEPTH}"]


def test_a_content_creators_home_starts_modules_and_lists_their_drafts(cw):
    creator = signed_in(cw.app, "creator@power.gov.in")
    page = creator.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/content_module/new/"' in page and "New content module" in page
    assert 'id="no-drafts"' in page
    kept, sent = lesson(cw, "Kept for later"), lesson(cw, "Sent and returned")
    cw.act("content", "Content Module", sent, "Send for Review")
    cw.act("reviewer", "Content Module", sent, "Reject", "Cite the circular's number")
    page = creator.get("/admin/").get_data(as_text=True)
    drafts = page[page.index('id="my-drafts"') :]
    drafts = drafts[: drafts.index("</ul>")]
    returned, draft = re.findall(r"<li[^>]*>(.*?)</li>", drafts, re.S)  # what was sent back comes first
    assert "Sent and returned" in returned and "Returned" in returned and "Cite the circular&#39;s number" in returned
    assert "Kept for later" in draft and "Returned" not in draft
    assert f"/admin/content_module/edit/?id={kept}" in drafts
    # a reviewer starts nothing and has no drafts
    assert 'id="my-drafts-heading"' not in signed_in(cw.app, "reviewer@power.gov.in").get("/admin/").get_data(as_text=True)


def test_the_module_form_shows_the_fields_of_its_kind(cw):
    page = signed_in(cw.app, "creator@power.gov.in").get("/admin/content_module/new/").get_data(as_text=True)
    lesson_text = re.search(r'<textarea[^>]*id="lesson_text"[^>]*>', page).group(0)
    assert 'data-depends-on="kind"' in lesson_text and "Lesson Text" in html.unescape(lesson_text)
    url = re.search(r'<input[^>]*id="url"[^>]*>', page).group(0)
    assert '["Video Link", "External Link"]' in html.unescape(url)
    assert "data-depends-on" not in re.search(r'<input[^>]*id="title"[^>]*>', page).group(0)


def test_a_published_module_is_corrected_through_a_new_version(cw, mock_site):
    name = lesson(cw)
    test_content.publish(cw, name)
    creator = signed_in(cw.app, "creator@power.gov.in")
    page = creator.get(f"/admin/content_module/details/?id={name}").get_data(as_text=True)
    assert 'value="new_version"' in page
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    made = creator.post(f"/admin/content_module/action/?id={name}", data={"csrf_token": token, "action": "new_version"})
    draft = mock_site.db.content_module.find_one({"previous_version": name})
    assert made.status_code == 302 and f"id={draft['_id']}" in made.headers["Location"]
    assert (draft["workflow_state"], draft["version"], draft["title"]) == ("Draft", 2, "Budget Circular 2026: what changed")
    assert mock_site.db.content_module.find_one({"_id": name})["workflow_state"] == "Published"  # live until replaced
    # the reviewer may not start one
    reviewer = signed_in(cw.app, "reviewer@power.gov.in")
    assert 'value="new_version"' not in reviewer.get(f"/admin/content_module/details/?id={name}").get_data(as_text=True)
    refused = cw.post("reviewer", f"resource/Content Module/{name}/action/new_version", {}, 403).json
    assert "only Content Creator or MDO Admin" in refused["message"]
