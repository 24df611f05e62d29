"""Task lists that can be trusted, in a real browser: a content creator's home starts a
module and lists their drafts, the module form shows the fields of its kind, a question's
correct answer is ticked among its options; a reviewer's and a publisher's "Waiting for me"
empties as they decide (Approve only once the rubric is scored, the review made when saved,
beside its module); the back office's home has no sideways scroll on a 390 px phone."""

import re

from . import test_browser
from .conftest import PASSWORD, add_user
from .test_browser import POWER, shot, sign_in

server, browser = test_browser.server, test_browser.browser  # the shared server and Chromium

TITLE = "Leave Rules in brief"


def users(site):
    for email, role in (
        ("writer@power.gov.in", "Content Creator"),
        ("checker@power.gov.in", "Content Reviewer"),
        ("releaser@power.gov.in", "Content Publisher"),
    ):
        if not site.db.user.find_one({"_id": email}):
            add_user(site, email, [role], [POWER])


def test_a_content_creator_starts_a_module_from_home(server, browser):
    base, site = server
    users(site)
    creator = sign_in(browser, base, "writer@power.gov.in")
    creator.goto(f"{base}/admin/")
    assert creator.inner_text("#no-drafts") == "No drafts of yours."
    shot(creator, "creator-home-empty")
    creator.click("#start-new a:has-text('New content module')")
    creator.wait_for_url(f"{base}/admin/content_module/new/*")
    creator.select_option("#kind", "Video Link")
    assert creator.is_visible("#url") and not creator.is_visible("#lesson_text") and not creator.is_visible("#attachment")
    creator.select_option("#kind", "Lesson Text")
    assert creator.is_visible("#lesson_text") and not creator.is_visible("#url")
    creator.fill("#title", TITLE)
    creator.fill("#lesson_text", "Earned leave: 30 days a year, credited in two instalments.")
    shot(creator, "creator-module-form-lesson-text")
    creator.click("input[type=submit][value=Save]")
    creator.wait_for_url(f"{base}/admin/content_module/")
    creator.goto(f"{base}/admin/")
    assert TITLE in creator.inner_text("#my-drafts")
    shot(creator, "creator-home-drafts")


def _options_typed_in_rows(page, prefix, options):
    """Type ``options`` into the question ``prefix``'s option rows, one a row, adding rows."""
    for i, option in enumerate(options):
        if i:
            page.click(f"#{prefix}-options-add")
        page.fill(f"#{prefix}-options-row-{i}", option)


def test_a_question_s_answer_is_ticked_among_its_options(server, browser):
    base, site = server
    users(site)
    creator = sign_in(browser, base, "writer@power.gov.in")
    creator.goto(f"{base}/admin/assessment/new/")
    creator.fill("#title", "Leave Rules: check yourself")
    test_browser.pick(creator, "competency", "Noting and Drafting")
    creator.select_option("#level", "1")
    creator.click("[data-inline-add]")
    creator.select_option("#questions-0-kind", "True/False")
    assert not creator.is_visible("#questions-0-options-rows")  # True or False: no options to type
    creator.select_option("#questions-0-kind", "Multiple choice")
    creator.fill("#questions-0-question", "Which leaves are credited in advance?")
    assert not creator.is_visible("#questions-0-options")  # rows, not one a line in a text box
    _options_typed_in_rows(creator, "questions-0", ["Earned leave", "Half pay leave", "Casual leave", "Special leave"])
    assert not creator.is_visible("#questions-0-answer")  # ticked, not retyped
    creator.check("#questions-0-answer-choice-0")
    creator.check("#questions-0-answer-choice-1")
    creator.check("#questions-0-answer-choice-3")
    creator.click("#questions-0-options-rows button[aria-label='Remove option 4']")  # its tick goes with it
    ticks = creator.locator("#questions-0-answer-choices label").all_inner_texts()
    assert [t.strip() for t in ticks] == ["Earned leave", "Half pay leave", "Casual leave"]
    creator.fill("#questions-0-options-row-1", "Half pay leave (HPL)")  # renamed: still ticked
    assert creator.is_checked("#questions-0-answer-choice-1")
    shot(creator, "assessment-options-in-rows")
    creator.set_viewport_size({"width": 390, "height": 844})
    rows_right = creator.evaluate(
        "() => Math.max(...[...document.querySelectorAll('#questions-0-options-rows .option-row-line > *')]"
        ".map(e => e.getBoundingClientRect().right))"
    )
    shot(creator, "assessment-options-in-rows-390")
    assert rows_right <= 390, f"option rows reach {rows_right} px on a 390 px phone"
    creator.set_viewport_size({"width": 1280, "height": 900})
    creator.click("input[type=submit][value=Save]")
    creator.wait_for_url(f"{base}/admin/assessment/")
    stored = site.db.assessment.find_one({"title": "Leave Rules: check yourself"})
    assert stored["questions"][0]["options"] == "Earned leave\nHalf pay leave (HPL)\nCasual leave"
    assert stored["questions"][0]["answer"] == "Earned leave\nHalf pay leave (HPL)"

    creator.goto(f"{base}/admin/assessment/edit/?id={stored['_id']}")  # the stored lines come back as rows
    assert creator.input_value("#questions-0-options-row-2") == "Casual leave"
    assert creator.is_checked("#questions-0-answer-choice-0") and not creator.is_checked("#questions-0-answer-choice-2")
    creator.click("#questions-0-options-rows button[aria-label='Remove option 3']")
    creator.click("input[type=submit][value=Save]")
    creator.wait_for_url(f"{base}/admin/assessment/")
    stored = site.db.assessment.find_one({"_id": stored["_id"]})
    assert stored["questions"][0]["options"] == "Earned leave\nHalf pay leave (HPL)"
    assert stored["questions"][0]["answer"] == "Earned leave\nHalf pay leave (HPL)"


def _sent_for_review(site, title=TITLE):
    """The writer's module ``title`` (their draft if there is one), sent for review."""
    from app.auth import context_for
    from app.model import lifecycle, transitions

    writer = context_for(site, "writer@power.gov.in")
    draft = site.db.content_module.find_one({"title": title, "workflow_state": "Draft"})
    name = (
        draft["_id"]
        if draft
        else lifecycle.insert(
            writer, "Content Module", {"title": title, "kind": "Lesson Text", "mdo": POWER, "lesson_text": "x"}
        ).name
    )
    transitions.apply(writer, "Content Module", name, "Send for Review")
    return name


def test_waiting_for_me_empties_as_the_reviewer_and_publisher_decide(server, browser):
    base, site = server
    users(site)
    name = _sent_for_review(site)
    reviewer = sign_in(browser, base, "checker@power.gov.in")
    reviewer.goto(f"{base}/admin/")
    row = reviewer.locator("#waiting-for-me tr", has_text=TITLE)
    assert row.locator("button:has-text('Approve Review')").count() == 0  # bound to fail: not one click
    assert "Score the Quality Rubric first" in row.inner_text()
    shot(reviewer, "reviewer-waiting-before-rubric")
    row.locator("a", has_text=TITLE).click()
    reviewer.click("#document-actions button[value='score_quality']")
    reviewer.wait_for_url(re.compile(r".*/admin/content_review/new/\?content_module="))
    assert site.db.content_review.count_documents({"content_module": name}) == 0  # nothing made by opening it
    assert TITLE in reviewer.inner_text("#beside")
    for i, score in enumerate((5, 4, 4, 3, 4)):
        reviewer.fill(f"#scores-{i}-score", str(score))
    shot(reviewer, "reviewer-rubric-beside-module")
    reviewer.click("#save-and-submit")
    reviewer.wait_for_url(re.compile(r".*/admin/content_module/details/\?id="))
    reviewer.click("#workflow-actions button[value='Approve Review']")
    reviewer.wait_for_selector("text=Approve Review: done.")
    reviewer.goto(f"{base}/admin/")
    assert reviewer.locator("#nothing-waiting").is_visible()
    shot(reviewer, "reviewer-waiting-empty")

    publisher = sign_in(browser, base, "releaser@power.gov.in")
    publisher.goto(f"{base}/admin/")
    publisher.locator("#waiting-for-me tr", has_text=TITLE).locator("button:has-text('Publish')").click()
    publisher.wait_for_selector("text=Publish: done.")
    publisher.goto(f"{base}/admin/")
    assert publisher.locator("#nothing-waiting").is_visible()  # published: Retire waits for nobody
    publisher.goto(f"{base}/admin/content_module/details/?id={name}")
    asked = []
    publisher.on("dialog", lambda d: (asked.append(d.message), d.dismiss()))
    publisher.click("#workflow-actions button[value='Retire']")
    assert asked == [f"Retire: {TITLE}? This cannot be undone."]
    assert site.db.content_module.find_one({"_id": name})["workflow_state"] == "Published"  # dismissed: still live
    shot(publisher, "publisher-retire-asks")


def test_the_back_office_home_fits_a_phone(server, browser):
    """The homes with the most on them: the System Manager's checklist and charts, a
    reviewer's task table, a creator's drafts."""
    base, site = server
    users(site)
    if not site.db.user.find_one({"_id": "setup@gov.in"}):
        add_user(site, "setup@gov.in", ["System Manager"])
    if not site.db.content_module.find_one({"title": "Casual leave and restricted holidays"}):
        _sent_for_review(site, "Casual leave and restricted holidays")
    for email in ("setup@gov.in", "nodal@power.gov.in", "checker@power.gov.in", "writer@power.gov.in"):
        page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
        page.goto(f"{base}/admin/login/")
        page.fill("#email", email)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r".*/admin/$"))
        wide = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
        shot(page, f"admin-home-390-{email.split('@')[0]}")
        assert wide <= 0, f"{email}'s home scrolls {wide} px sideways at 390 px"
        overflowing = page.evaluate(
            "() => [...document.querySelectorAll('#waiting-for-me, #my-drafts, #first-run, #attention')]"
            ".filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth).map(e => e.id)"
        )
        assert overflowing == [], f"{email}: {overflowing} wider than the screen"
