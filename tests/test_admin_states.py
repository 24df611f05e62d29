"""A record's page in the back office shows one state, in words, and a record the user may not
edit now opens read-only, saying who acts next."""

import html
import re

from . import test_content
from .conftest import add_user
from .frac_world import POWER
from .test_admin import said, signed_in
from .test_content import lesson, publish

cw = test_content.cw  # the content world: Power's FRAC and content users


def state_of(page: str) -> list[str]:
    """The states the record's panel shows (its history below may name earlier ones)."""
    panel = page[page.index('id="record-panel"') :]
    panel = panel[: panel.index("<table")] if "<table" in panel else panel
    return re.findall(r'class="badge[^"]*"[^>]*>([^<]+)<', panel)


def test_a_submitted_role_map_is_read_only_with_who_acts_next(cw):
    position = cw.position()
    role = cw.role("Budget Officer", {"Budgeting and Expenditure Management": 3})
    name = cw.role_map(position, [role])
    cw.act("admin", "Role Map", name, "Submit for Review")
    maker = signed_in(cw.app, "nodal@power.gov.in")
    edit = maker.get(f"/admin/role_map/edit/?id={name}")
    assert edit.status_code == 302 and "/admin/role_map/details/" in edit.headers["Location"]
    page = maker.get(edit.headers["Location"]).get_data(as_text=True)
    assert state_of(page) == ["Submitted"]
    assert "With the L1 reviewers of Ministry of Power" in page and 'id="read-only"' in page
    assert f"/admin/role_map/edit/?id={name}" not in page  # no Edit button
    # the L1 reviewer: their turn, the reject comment box, no edit either
    l1 = signed_in(cw.app, "l1@power.gov.in")
    reviewer = l1.get(f"/admin/role_map/details/?id={name}").get_data(as_text=True)
    assert "Waiting for you" in reviewer and 'id="workflow-comment"' in reviewer and "needed to reject" in reviewer
    # a rejection without its comment is refused, said once, by label
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', reviewer).group(1)
    refused = l1.post(
        f"/admin/role_map/transition/?id={name}", data={"csrf_token": token, "action": "Reject"}, follow_redirects=True
    ).get_data(as_text=True)
    assert said(refused) == ["Comment: Reject needs a comment saying why."]
    # a draft is the maker's to edit: no read-only note, and no comment box where no action needs one
    draft = cw.role_map(cw.position("Section Officer (Budget)"), [role])
    page = maker.get(f"/admin/role_map/edit/?id={draft}").get_data(as_text=True)
    assert state_of(page) == ["Draft"] and 'id="read-only"' not in page and 'id="workflow-comment"' not in page


def test_a_published_module_shows_published_only(cw, mock_site):
    name = lesson(cw)
    publish(cw, name)
    add_user(mock_site, "content.admin@power.gov.in", ["MDO Admin"], [POWER])
    page = signed_in(cw.app, "content.admin@power.gov.in").get(f"/admin/content_module/details/?id={name}").get_data(as_text=True)
    assert state_of(page) == ["Published"]
    creator = signed_in(cw.app, "creator@power.gov.in").get(f"/admin/content_module/edit/?id={name}")
    assert creator.status_code == 302  # published: read-only, a new version is made by its action


def sections(page: str) -> dict:
    """The record's sidebar: section title -> the texts of its items."""
    if 'id="related"' not in page:
        return {}
    aside = page[page.index('id="related"') : page.index("</aside>")]
    out = {}
    for block in aside.split('class="card mb-3 related-section"')[1:]:
        title = re.search(r"<strong>([^<]+)</strong>", block).group(1)
        items = re.findall(r'<li class="list-group-item py-2">\s*(?:<a href="[^"]*">)?([^<]+)', block)
        out[html.unescape(title)] = [html.unescape(i.strip()) for i in items]
    return out


def test_an_officer_and_a_role_map_show_what_belongs_to_them(cw, mock_site):
    position = cw.position()
    role = cw.role("Budget Officer", {"Budgeting and Expenditure Management": 3})
    rm = cw.role_map(position, [role])
    cw.verify_map(rm)
    officer = cw.officer("asha@power.gov.in", position=position, name="Asha Rao")
    name = lesson(cw)
    publish(cw, name)
    admin = signed_in(cw.app, "nodal@power.gov.in")
    page = admin.get(f"/admin/officer/details/?id={officer}").get_data(as_text=True)
    side = sections(page)
    assert side["Position"] == ["Under Secretary (Budget)"]
    assert side["Gaps against the role"] == ["Budgeting and Expenditure Management: at 0, the role needs 3"]
    assert "Learn from: Budget Circular 2026: what changed" in page
    assert {"Passbook", "Enrolments", "Certificates"} <= set(side)
    assert f"/admin/position/details/?id={position}" in page
    # the nodal officer's home: where the gaps are, by position
    from admin import home

    from .test_admin import chart

    home._dashboards.clear()
    by_position = chart(admin.get("/admin/").get_data(as_text=True), "chart-gaps-by-position")
    assert by_position["labels"] == ["Under Secretary (Budget)"] and by_position["values"] == [1]
    # the role map: its position and the officers in it
    side = sections(admin.get(f"/admin/role_map/details/?id={rm}").get_data(as_text=True))
    assert side["Officers in this position"] == ["Asha Rao"]
    # another MDO's nodal officer opens neither the officer nor what belongs to them
    steel = signed_in(cw.app, "nodal@steel.gov.in").get(f"/admin/officer/details/?id={officer}", follow_redirects=True)
    assert "Asha Rao" not in steel.get_data(as_text=True) and "Gaps against the role" not in steel.get_data(as_text=True)
    # the module's page opens it as officers will see it
    module = admin.get(f"/admin/content_module/details/?id={name}").get_data(as_text=True)
    assert sections(module)["The module"] == ["Open the module as officers will see it"]
    assert f"/admin/catalogue/module/{name}" in module


def test_the_rubric_submits_the_scores_typed_on_the_page(cw):
    from .test_admin import blank_form

    name = lesson(cw)
    cw.act("content", "Content Module", name, "Send for Review")
    review = cw.post("reviewer", f"resource/Content Module/{name}/action/score_quality", {}, 201).json["data"]
    reviewer = signed_in(cw.app, "reviewer@power.gov.in")
    url = f"/admin/content_review/edit/?id={review['name']}"
    page = reviewer.get(url).get_data(as_text=True)
    # the criterion and its maximum are shown, not offered as inputs; Submit saves what is typed
    assert 'id="scores-0-criterion-shown">Accuracy<' in page and 'type="text" name="scores-0-criterion"' not in page
    assert 'id="save-and-submit"' in page and 'id="docstatus-actions"' not in page
    data = blank_form(page)
    for i, row in enumerate(review["scores"]):
        data[f"scores-{i}-score"] = str({"Accuracy": 5, "Accessibility": 3}.get(row["criterion"], 4))
    data["_then"] = "Save and submit"
    done = reviewer.post(url, data=data)
    assert done.status_code == 302, said(done.get_data(as_text=True))
    saved = cw.get("reviewer", f"resource/Content Review/{review['name']}", 200).json["data"]
    assert (saved["docstatus"], saved["total_percent"], saved["result"]) == (1, 80.0, "Passed")
    assert saved["scores"][0]["criterion"] == "Accuracy"


def test_lesson_text_keeps_its_shape_and_runs_nothing(cw, mock_site):
    from app import markdown

    text = "# What changed\nFirst line\nsecond line\n\n- one\n- two\n\n<script>window.bad=1</script>[x](javascript:alert(1))"
    shown = str(markdown.render(text))
    assert "<h1>What changed</h1>" in shown and "First line<br" in shown and "<li>one</li>" in shown
    assert "<script" not in shown and "javascript:" not in shown.replace("[x](javascript:alert(1))", "")
    assert 'href="javascript' not in shown
    name = cw.create(
        "content",
        "Content Module",
        {"title": "Shaped", "kind": "Lesson Text", "mdo": POWER, "lesson_text": text, "competencies": []},
    )["name"]
    page = signed_in(cw.app, "creator@power.gov.in").get(f"/admin/content_module/details/?id={name}").get_data(as_text=True)
    assert (
        '<div class="markdown"><h1>What changed</h1>' in page and "<li>two</li>" in page and "window.bad=1</script>" not in page
    )


def test_a_records_links_read_as_titles(cw, mock_site):
    position = cw.position()
    role = cw.role("Budget Officer", {"Budgeting and Expenditure Management": 3})
    rm = cw.role_map(position, [role])
    page = signed_in(cw.app, "nodal@power.gov.in").get(f"/admin/role_map/details/?id={rm}").get_data(as_text=True)
    table = page[page.index('id="record-panel"') : page.index('id="workflow-history"') if 'id="workflow-history"' in page else -1]
    assert f'<a href="/admin/position/details/?id={position}">Under Secretary (Budget)</a>' in table
    assert f'<a href="/admin/frac_role/details/?id={role}">Budget Officer</a>' in table  # in its child table too
    assert f">{position}<" not in table and f">{role}<" not in table
