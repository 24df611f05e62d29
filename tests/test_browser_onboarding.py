"""A nodal officer onboards her ministry in a real browser, from an empty MDO to a verified
role map and officers with positions: her home's checklist, the staff list imported after the
misnamed column it named, positions given in bulk, reviewers appointed, and the role map
verified by them. Screenshots go to artifacts/screenshots/onboarding-*.png."""

import threading

import pytest

from app import install
from app.auth import context_for
from app.model import lifecycle
from app.site import Site
from app.web import create_app

from .conftest import PASSWORD, add_user, make_config
from .test_browser import POWER, browser, pick, shot  # noqa: F401 (the browser fixture)

BUDGET = "Budgeting and Expenditure Management"
STAFF = [
    ("Asha Rao", "asha@power.gov.in", "A", "Under Secretary", "2012"),
    ("Vikram Singh", "vikram@power.gov.in", "B", "Section Officer", "2016"),
    ("Meera Iyer", "meera@power.gov.in", "B", "Section Officer", "2018"),
]


@pytest.fixture(scope="module")
def empty_mdo(tmp_path_factory):
    """A new installation: the System Manager and Ministry of Power's nodal officer, no staff."""
    from waitress import create_server

    site = Site(make_config("embedded", tmp_path_factory.mktemp("onboarding") / "var"))
    install.init(site)
    add_user(site, "dopt@dopt.gov.in", ["System Manager"])
    add_user(site, "nodal@power.gov.in", ["MDO Admin"], [POWER])
    httpd = create_server(create_app(site=site), host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=httpd.run, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.effective_port}", site
    httpd.close()
    site.close()


def sign_in(browser, base, email):  # noqa: F811
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{base}/admin/login/")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Welcome")
    return page


def staff_file(path, year_heading):
    lines = [f"Name,Email,Group,Designation,{year_heading}"] + [",".join(row) for row in STAFF]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def checklist(page) -> dict:
    items = page.locator("#checklist-lead_an_mdo > li")
    out = {}
    for i in range(items.count()):
        item = items.nth(i)
        words = item.locator("a, span.badge-success").first
        done = "done" in (item.get_attribute("class") or "")
        text = item.inner_text().split("\n")[0].replace("Done ", "").replace("To do ", "").strip()
        out[text] = done
        assert words.count() == 1
    return out


def test_a_nodal_officer_onboards_her_ministry(empty_mdo, browser, tmp_path):  # noqa: F811
    base, site = empty_mdo
    page = sign_in(browser, base, "nodal@power.gov.in")
    steps = checklist(page)
    assert list(steps) == [
        "Load your staff",
        "Give every officer a position",
        "Describe the FRAC roles",
        "Build the role map of a position",
        "Have your reviewers appointed",
        "Have a role map verified",
        "Choose the content: a capacity building plan",
    ]
    assert not any(steps.values())
    shot(page, "onboarding-1-checklist-empty")

    # the staff list, with a column named as her spreadsheet names it
    page.locator("#checklist-lead_an_mdo a").filter(has_text="Load your staff").click()
    page.wait_for_url(f"{base}/admin/import/*")
    page.set_input_files("#file", str(staff_file(tmp_path / "staff.csv", "Year of Allotment")))
    page.click("#import-button")
    page.wait_for_selector('text=did you mean "Year of Allotment / Joining"?')
    assert page.locator("#import-summary").count() == 0 and site.db.officer.count_documents({}) == 0
    shot(page, "onboarding-2-import-misnamed-column")
    page.set_input_files("#file", str(staff_file(tmp_path / "staff.csv", "Year of Allotment / Joining")))
    page.click("#import-button")
    page.wait_for_selector("#import-summary")
    assert page.inner_text("#import-summary").startswith("3 imported, 0 rejected of 3 rows")
    shot(page, "onboarding-3-import-done")

    # a position, then given to every officer at once from the list
    page.goto(f"{base}/admin/position/new/")
    page.fill("#position_name", "Section Officer (Budget)")
    page.select_option("#mdo", POWER)
    page.click("input[type=submit][value=Save]")
    page.wait_for_url(f"{base}/admin/position/*")
    position = site.db.position.find_one({"position_name": "Section Officer (Budget)"})["_id"]
    page.goto(f"{base}/admin/officer/")
    for box in page.locator("input.action-checkbox").all():
        box.check()
    page.locator("a[data-toggle=dropdown]").filter(has_text="With selected").click()
    page.locator("[data-model-action='set:position']").click()
    page.wait_for_selector("#bulk-set-form")
    assert page.locator("#bulk-set-records li").count() == 3
    pick(page, "value", "Section Officer (Budget)")
    shot(page, "onboarding-4-set-position")
    page.click("#bulk-set-button")
    page.wait_for_selector("text=Position set to Section Officer (Budget) for 3 records.")
    assert site.db.officer.count_documents({"position": position}) == 3

    # the FRAC role and the role map (their forms are walked elsewhere), drafted as her
    nodal = context_for(site, "nodal@power.gov.in")
    role = lifecycle.insert(
        nodal,
        "FRAC Role",
        {"role_name": "Budget Officer", "mdo": POWER, "competencies": [{"competency": BUDGET, "required_level": 3}]},
    ).name
    role_map = lifecycle.insert(nodal, "Role Map", {"position": position, "mdo": POWER, "roles": [{"frac_role": role}]}).name
    page.goto(f"{base}/admin/role_map/details/?id={role_map}")
    warning = page.locator("#related section[role=alert]")
    assert "Nobody holds FRAC Reviewer L1 or FRAC Reviewer L2 in Ministry of Power" in warning.inner_text()
    shot(page, "onboarding-5-role-map-without-reviewers")

    # the System Manager sees the MDO without reviewers, and appoints them
    manager = sign_in(browser, base, "dopt@dopt.gov.in")
    assert "Nobody holds FRAC Reviewer L1 or FRAC Reviewer L2 in Ministry of Power." in manager.inner_text("#first-run")
    shot(manager, "onboarding-6-system-manager-mdos-without-reviewers")
    add_user(site, "l1@power.gov.in", ["FRAC Reviewer L1"], [POWER])
    add_user(site, "l2@power.gov.in", ["FRAC Reviewer L2"], [POWER])

    page.reload()
    assert page.locator("#related section[role=alert]").count() == 0
    page.locator("#workflow-actions button[value='Submit for Review']").click()
    page.wait_for_selector("#record-state")
    assert page.inner_text("#record-state") == "Submitted"
    for reviewer in ("l1@power.gov.in", "l2@power.gov.in"):
        review = sign_in(browser, base, reviewer)
        review.goto(f"{base}/admin/role_map/details/?id={role_map}")
        review.locator("#workflow-actions button[value='Verify']").click()
        review.wait_for_selector("#record-state")
    assert site.db.role_map.find_one({"_id": role_map})["workflow_state"] == "Verified"

    page.goto(f"{base}/admin/")
    steps = checklist(page)
    assert [words for words, done in steps.items() if not done] == ["Choose the content: a capacity building plan"]
    shot(page, "onboarding-7-checklist-nearly-done")
