"""Each back-office role's home in a real browser: it opens on the user's work, and their next
task is one click away. Screenshots of each home at desktop width go to artifacts/screenshots/."""

import datetime as dt
import threading

import pytest

from app import install
from app.auth import context_for
from app.model import lifecycle, transitions
from app.site import Site
from app.web import create_app

from .conftest import PASSWORD, add_user, make_config
from .test_browser import CHROMIUM, POWER, browser, shot  # noqa: F401 (the browser fixture)

BUDGET = "Budgeting and Expenditure Management"


def serve(site):
    from waitress import create_server

    httpd = create_server(create_app(site=site), host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=httpd.run, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.effective_port}"


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """A new installation: its fixtures and one System Manager, nothing else."""
    site = Site(make_config("embedded", tmp_path_factory.mktemp("fresh") / "var"))
    install.init(site)
    add_user(site, "dopt@dopt.gov.in", ["System Manager"])
    httpd, base = serve(site)
    yield base, site
    httpd.close()
    site.close()


@pytest.fixture(scope="module")
def working(tmp_path_factory):
    """Ministry of Power at work: a role map being drafted, another with the L1 reviewers, a
    module in review, staff without positions, and a fee claim verified for finance."""
    site = Site(make_config("embedded", tmp_path_factory.mktemp("working") / "var"))
    install.init(site)
    for email, roles in (
        ("nodal@power.gov.in", ["MDO Admin"]),
        ("l1@power.gov.in", ["FRAC Reviewer L1"]),
        ("creator@power.gov.in", ["Content Creator"]),
        ("reviewer@power.gov.in", ["Content Reviewer"]),
    ):
        add_user(site, email, roles, [POWER])
    add_user(site, "finance@dopt.gov.in", ["Finance"])
    nodal = context_for(site, "nodal@power.gov.in")
    lifecycle.insert(
        nodal, "Officer", {"full_name": "Ravi Kumar", "email": "ravi@power.gov.in", "service": "CSS", "group": "B", "mdo": POWER}
    )
    role = lifecycle.insert(
        nodal,
        "FRAC Role",
        {
            "role_name": "Budget Officer",
            "mdo": POWER,
            "activities": [{"activity": "Prepare the budget file", "knowledge_resources": "General Financial Rules"}],
            "competencies": [{"competency": BUDGET, "required_level": 3}],
        },
    ).name
    maps = {}
    for position in ("Under Secretary (Budget)", "Section Officer (Budget)"):
        pos = lifecycle.insert(nodal, "Position", {"position_name": position, "mdo": POWER, "group": "A"}).name
        maps[position] = lifecycle.insert(nodal, "Role Map", {"position": pos, "mdo": POWER, "roles": [{"frac_role": role}]}).name
    transitions.apply(nodal, "Role Map", maps["Section Officer (Budget)"], "Submit for Review")
    creator = context_for(site, "creator@power.gov.in")
    module = lifecycle.insert(
        creator,
        "Content Module",
        {
            "title": "Budget Circular 2026: what changed",
            "kind": "Lesson Text",
            "mdo": POWER,
            "lesson_text": "# The circular\nWhat changed, line by line.",
            "competencies": [{"competency": BUDGET, "level": 3}],
        },
    ).name
    transitions.apply(creator, "Content Module", module, "Send for Review")
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    site.db.reimbursement_claim.insert_one(  # a claim the training division has verified
        {
            "_id": "RMB-2026-00001",
            "enrolment": "ENR-2026-00001",
            "officer_name": "Asha Rao",
            "officer_email": "asha@power.gov.in",
            "mdo": POWER,
            "course": "Supply Chain Fundamentals",
            "amount_paid": 150.0,
            "currency": "USD",
            "workflow_state": "Verified",
            "docstatus": 0,
            "owner": "asha@power.gov.in",
            "creation": now,
            "modified": now,
            "modified_by": "td@dopt.gov.in",
        }
    )
    httpd, base = serve(site)
    yield base, site, maps, module
    httpd.close()
    site.close()


def home(browser, base, email, name):  # noqa: F811
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{base}/admin/login/")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Welcome")
    assert page.url.rstrip("/") == f"{base}/admin"
    shot(page, f"home-{name}")
    return page


def test_system_manager_on_a_fresh_install_follows_the_checklist(fresh, browser):  # noqa: F811
    base, site = fresh
    page = home(browser, base, "dopt@dopt.gov.in", "system-manager")
    steps = page.locator("#first-run ol.checklist > li")
    assert steps.count() == 5  # with the FRAC reviewers of each MDO: none is being onboarded yet
    assert page.locator("#first-run li.done").all_inner_texts()[0].startswith("Done Check the MDOs")
    todo = page.locator("#first-run li.todo a")
    assert todo.all_inner_texts() == ["Create an MDO Admin for each MDO", "Load the staff", "Publish the first course"]
    # no bare empty charts: each says what fills it
    assert page.locator("canvas[data-chart]").count() == 0 and page.locator(".empty-chart").count() >= 3
    assert "Background Job" not in page.inner_text("body")  # the list of every record type has its own page
    todo.first.click()
    page.wait_for_url(f"{base}/admin/user/new/*")
    assert page.locator("#email").count() == 1


def test_nodal_officer_opens_the_role_map_waiting_for_them(working, browser):  # noqa: F811
    base, site, maps, module = working
    page = home(browser, base, "nodal@power.gov.in", "nodal-officer")
    attention = page.locator("#attention li").filter(has_text="Officers onboarded without a position")
    assert attention.locator(".badge").inner_text() == "1"
    page.locator("#waiting-for-me a").filter(has_text="Under Secretary (Budget)").click()
    page.wait_for_url(f"{base}/admin/role_map/details/*")
    assert page.inner_text("#record-state") == "Draft" and page.inner_text("#next-step") == "Waiting for you"
    assert page.locator("#workflow-actions button[value='Submit for Review']").count() == 1
    # the role map with the reviewers: one state, read-only, who acts next
    page.goto(f"{base}/admin/role_map/edit/?id={maps['Section Officer (Budget)']}")
    page.wait_for_url(f"{base}/admin/role_map/details/*")
    assert page.inner_text("#record-state") == "Submitted"
    assert page.inner_text("#next-step") == "With the L1 reviewers of Ministry of Power"
    shot(page, "role-map-with-reviewers")


def test_l1_reviewer_opens_the_role_map_to_verify(working, browser):  # noqa: F811
    base, site, maps, module = working
    page = home(browser, base, "l1@power.gov.in", "l1-reviewer")
    page.locator("#waiting-for-me a").filter(has_text="Section Officer (Budget)").click()
    page.wait_for_url(f"{base}/admin/role_map/details/*")
    assert page.locator("#workflow-actions button[value='Verify']").count() == 1
    assert page.get_attribute("#workflow-comment", "placeholder") == "Comment (needed to reject)"


def test_content_reviewer_opens_the_module_in_review(working, browser):  # noqa: F811
    base, site, maps, module = working
    page = home(browser, base, "reviewer@power.gov.in", "content-reviewer")
    line = page.locator("#attention li").filter(has_text="Modules in review")
    assert line.locator(".badge").inner_text() == "1"
    page.locator("#waiting-for-me a").filter(has_text="Budget Circular 2026").click()
    page.wait_for_url(f"{base}/admin/content_module/details/*")
    assert page.inner_text("#record-state") == "In Review"
    assert page.locator(".markdown h1").inner_text() == "The circular"  # the lesson keeps its shape
    page.locator("#related a").filter(has_text="Open the module").click()
    page.wait_for_url(f"{base}/admin/catalogue/module/{module}")
    assert "What changed, line by line." in page.inner_text("#lesson-text")


def test_finance_opens_the_claims_to_approve(working, browser):  # noqa: F811
    base, site, maps, module = working
    page = home(browser, base, "finance@dopt.gov.in", "finance")
    line = page.locator("#attention li").filter(has_text="Fee claims to approve")
    assert line.locator(".badge").inner_text() == "1"
    line.locator("a").click()
    page.wait_for_url(f"{base}/admin/reimbursement_claim/*")
    rows = page.locator("table.model-list tbody tr")
    assert rows.count() == 1 and "Supply Chain Fundamentals" in rows.first.inner_text()
    rows.first.locator("a.record-link").click()  # the title is the link
    page.wait_for_url(f"{base}/admin/reimbursement_claim/details/*")
    assert page.locator("#workflow-actions button[value='Approve']").count() == 1


@pytest.fixture(scope="module")
def everyday_browser(browser):  # noqa: F811
    """Chromium as people run it: with its back-forward cache, which Playwright turns off by
    default (Back then shows the page as it was left, typed values and all)."""
    launched = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"],
        ignore_default_args=["--disable-back-forward-cache"],
    )
    yield launched
    launched.close()


def test_back_then_save_again_makes_one_record(working, everyday_browser):
    base, site, maps, module = working
    page = everyday_browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{base}/admin/login/")
    page.fill("#email", "nodal@power.gov.in")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Welcome")
    page.goto(f"{base}/admin/position/new/")
    page.fill("#position_name", "Deputy Secretary (Budget)")
    page.select_option("#group", "A")
    page.click("input[type=submit][value=Save]")
    page.wait_for_url(f"{base}/admin/position/")
    assert site.db.position.count_documents({"position_name": "Deputy Secretary (Budget)"}) == 1
    page.go_back(wait_until="commit")  # restored from the cache: no new load
    page.wait_for_url(f"{base}/admin/position/new/*", wait_until="commit")
    page.wait_for_selector("#position_name")
    assert page.input_value("#position_name") == "Deputy Secretary (Budget)"  # the page as it was left
    page.click("input[type=submit][value=Save]")
    page.wait_for_selector("text=This form was saved before")
    assert site.db.position.count_documents({"position_name": "Deputy Secretary (Budget)"}) == 1
