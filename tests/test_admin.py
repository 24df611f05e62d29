"""The admin under /admin: generated from the meta, behind login and CSRF, and through the
same access layer as the API."""

import html
import re

import pytest

from app.auth import context_for
from app.model import lifecycle
from app.web import create_app

from .conftest import PASSWORD, add_user

POWER, STEEL = "Ministry of Power", "Ministry of Steel"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def app(site):
    add_user(site, "nodal@power.gov.in", ["MDO Admin"], [POWER])
    add_user(site, "nodal@steel.gov.in", ["MDO Admin"], [STEEL])
    add_user(site, "ravi@power.gov.in", ["Learner"], [POWER])
    lifecycle.insert(
        context_for(site, "nodal@steel.gov.in"),
        "Officer",
        {"full_name": "Sunita Steel", "email": "sunita@steel.gov.in", "service": "IAS", "group": "A", "mdo": STEEL},
    )
    from admin import home

    home._dashboards.clear()
    return create_app(site=site)


def said(page: str, *, flashed_only: bool = False) -> list[str]:
    """What the admin says on ``page``: its flashed messages and the errors under fields."""
    flashed = re.findall(r'<div class="alert[^"]*">\s*<button[^>]*>[^<]*</button>(.*?)</div>', page, re.S)
    under = re.findall(r'<ul class="form-text text-danger[^"]*">(.*?)</ul>', page, re.S)
    texts = flashed + ([] if flashed_only else [li for block in under for li in re.findall(r"<li>(.*?)</li>", block, re.S)])
    return [html.unescape(re.sub(r"\s+", " ", t)).strip() for t in texts]


def blank_form(page: str) -> dict:
    """The record form of ``page`` as a browser sends it untouched: its inputs, blank (or as
    they stand, hidden ones), checkboxes left out."""
    form = page[page.index('class="admin-form"') :]
    form = form[: form.index("</form>")]
    data = {}
    for _tag, attrs in re.findall(r"<(input|select|textarea)\b([^>]*)>", form):
        name = re.search(r'\bname="([^"]+)"', attrs)
        kind = re.search(r'\btype="([^"]+)"', attrs)
        if not name or (kind and kind.group(1) in ("checkbox", "submit", "file")):
            continue
        value = re.search(r'\bvalue="([^"]*)"', attrs)
        hidden = kind and kind.group(1) == "hidden"
        data[name.group(1)] = html.unescape(value.group(1)) if hidden and value else ""
    return data


def upload(client, text: str, filename: str = "staff.csv", doctype: str = "Officer", **extra) -> str:
    """Data Import: ``text`` uploaded as ``filename`` (``extra``: the form's other fields); the result page."""
    import io

    return client.post(
        "/admin/import/",
        data={
            "csrf_token": csrf(client, "/admin/import/"),
            "doctype": doctype,
            "file": (io.BytesIO(text.encode()), filename),
            **extra,
        },
        content_type="multipart/form-data",
    ).get_data(as_text=True)


def csrf(client, url):
    return TOKEN.search(client.get(url).get_data(as_text=True)).group(1)


def signed_in(app, email):
    client = app.test_client()
    client.post("/admin/login/", data={"email": email, "password": PASSWORD, "csrf_token": csrf(client, "/admin/login/")})
    return client


def test_anonymous_is_sent_to_login(app):
    response = app.test_client().get("/admin/officer/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/admin/login/")


def test_a_learner_signing_in_to_the_back_office_lands_on_the_learner_portal(app):
    from app.auth import context_for
    from app.model import lifecycle

    site = app.extensions["igot_site"]
    lifecycle.insert(
        context_for(site, "nodal@power.gov.in"),
        "Officer",
        {"full_name": "Meena", "email": "meena@power.gov.in", "service": "CSS", "group": "B", "mdo": POWER},
    )
    from app import auth

    auth.set_password(site, "meena@power.gov.in", PASSWORD)
    client = app.test_client()
    r = client.post(
        "/admin/login/", data={"email": "meena@power.gov.in", "password": PASSWORD, "csrf_token": csrf(client, "/admin/login/")}
    )
    assert r.status_code == 302 and r.headers["Location"] == "/"
    assert client.get("/admin/").headers["Location"] == "/"  # the back office's home is not a learner's
    assert signed_in(app, "nodal@power.gov.in").get("/admin/").status_code == 200


def test_wrong_password_shows_an_error(app):
    client = app.test_client()
    response = client.post(
        "/admin/login/", data={"email": "nodal@power.gov.in", "password": "nope", "csrf_token": csrf(client, "/admin/login/")}
    )
    assert response.status_code == 401 and "wrong e-mail or password" in response.get_data(as_text=True)


def test_every_doctype_has_a_screen_grouped_by_module(app):
    page = signed_in(app, "nodal@power.gov.in").get("/admin/").get_data(as_text=True)
    for name in ("Organisation", "Settings", "Officer", "MDO", "Custom Field"):
        assert name in page


def test_list_shows_only_own_mdo(app, site):
    client = signed_in(app, "nodal@power.gov.in")
    lifecycle.insert(
        context_for(site, "nodal@power.gov.in"),
        "Officer",
        {"full_name": "Ravi Power", "email": "ravi@power.gov.in", "service": "CSS", "group": "B", "mdo": POWER},
    )
    page = client.get("/admin/officer/").get_data(as_text=True)
    assert "Ravi Power" in page and "Sunita Steel" not in page
    steel_name = site.db.officer.find_one({"mdo": STEEL})["_id"]
    assert "Sunita" not in client.get(f"/admin/officer/details/?id={steel_name}", follow_redirects=True).get_data(as_text=True)


def test_create_with_validation_error_then_success(app, site):
    client = signed_in(app, "nodal@power.gov.in")
    form = client.get("/admin/officer/new/").get_data(as_text=True)
    assert 'name="full_name"' in form and f'<option value="{STEEL}"' not in form.split('name="mdo"')[1].split("</select>")[0]
    data = {
        "csrf_token": TOKEN.search(form).group(1),
        "full_name": "Ravi",
        "email": "ravi@power.gov.in",
        "service": "CSS",
        "group": "B",
        "mdo": POWER,
        "year_of_allotment": "1800",
    }
    bad = client.post("/admin/officer/new/", data=data)
    assert bad.status_code == 200 and "greater than or equal to 1950" in bad.get_data(as_text=True)
    assert site.db.officer.count_documents({"email": "ravi@power.gov.in"}) == 0
    good = client.post("/admin/officer/new/", data=data | {"year_of_allotment": "2015"})
    assert good.status_code == 302
    assert site.db.officer.find_one({"email": "ravi@power.gov.in"})["owner"] == "nodal@power.gov.in"


def test_edit_saves_through_the_lifecycle_and_refuses_stale_forms(app, site):
    client = signed_in(app, "nodal@steel.gov.in")
    name = site.db.officer.find_one({"mdo": STEEL})["_id"]
    form = client.get(f"/admin/officer/edit/?id={name}").get_data(as_text=True)
    modified = re.search(r'id="modified" name="modified" type="hidden" value="([^"]+)"', form).group(1)
    data = {
        "csrf_token": TOKEN.search(form).group(1),
        "full_name": "Sunita S.",
        "email": "sunita@steel.gov.in",
        "service": "IAS",
        "group": "A",
        "mdo": STEEL,
        "modified": modified,
    }
    assert client.post(f"/admin/officer/edit/?id={name}", data=data).status_code == 302
    assert site.db.officer.find_one({"_id": name})["full_name"] == "Sunita S."
    stale = client.post(f"/admin/officer/edit/?id={name}", data=data | {"full_name": "Overwritten"})
    assert "was changed at" in stale.get_data(as_text=True)
    assert site.db.officer.find_one({"_id": name})["full_name"] == "Sunita S."
    versions = site.db.version.find_one({"docname": name})
    assert versions["owner"] == "nodal@steel.gov.in"


def test_custom_field_appears_in_own_mdo_form_only(app, site):
    lifecycle.insert(
        site.context(),
        "Custom Field",
        {"ref_doctype": "Officer", "mdo": POWER, "fieldname": "pay_level", "label": "Pay Level", "fieldtype": "Int"},
    )
    assert 'name="pay_level"' in signed_in(app, "nodal@power.gov.in").get("/admin/officer/new/").get_data(as_text=True)
    assert 'name="pay_level"' not in signed_in(app, "nodal@steel.gov.in").get("/admin/officer/new/").get_data(as_text=True)


def test_not_permitted_page(app):
    response = signed_in(app, "ravi@power.gov.in").get("/admin/custom_field/")
    assert response.status_code == 403 and "Not permitted" in response.get_data(as_text=True)


def test_forms_need_csrf(app, site):
    client = signed_in(app, "nodal@power.gov.in")
    response = client.post(
        "/admin/officer/new/", data={"full_name": "X", "email": "x@power.gov.in", "service": "IAS", "group": "A", "mdo": POWER}
    )
    assert response.status_code == 400 and site.db.officer.count_documents({"email": "x@power.gov.in"}) == 0


def test_logout(app):
    client = signed_in(app, "nodal@power.gov.in")
    client.post("/admin/logout/", data={"csrf_token": csrf(client, "/admin/")})
    assert client.get("/admin/officer/").status_code == 302


def _post(client, url, data):
    return client.post(url, data=data | {"csrf_token": csrf(client, "/admin/")}, follow_redirects=True)


def test_workflow_buttons_comments_and_history(app, site):
    from .test_workflow import APPROVAL

    lifecycle.insert(site.context(), "Workflow", APPROVAL)
    add_user(site, "finance@power.gov.in", ["Finance"], [POWER])
    maker, checker = signed_in(app, "nodal@power.gov.in"), signed_in(app, "finance@power.gov.in")
    doc = lifecycle.insert(
        context_for(site, "nodal@power.gov.in"), "Sanction", {"purpose": "MITx fee", "amount": 100, "mdo": POWER}
    )
    page = maker.get(f"/admin/sanction/edit/?id={doc.name}").get_data(as_text=True)
    assert 'id="record-state">Draft<' in page and 'value="Send for Approval"' in page and 'value="Approve"' not in page
    _post(maker, f"/admin/sanction/transition/?id={doc.name}", {"action": "Send for Approval"})
    page = checker.get(f"/admin/sanction/details/?id={doc.name}").get_data(as_text=True)
    assert 'value="Approve"' in page and 'value="Reject"' in page
    refused = _post(checker, f"/admin/sanction/transition/?id={doc.name}", {"action": "Reject", "comment": ""}).get_data(
        as_text=True
    )
    assert "needs a comment" in refused
    assert site.db.sanction.find_one({"_id": doc.name})["workflow_state"] == "Pending Approval"
    done = _post(checker, f"/admin/sanction/transition/?id={doc.name}", {"action": "Reject", "comment": "no receipt"}).get_data(
        as_text=True
    )
    assert 'id="record-state">Rejected<' in done and "no receipt" in done.split('id="workflow-history"')[1]


def test_submit_cancel_amend_buttons_and_read_only_submitted(app, site):
    client = signed_in(app, "nodal@power.gov.in")
    doc = lifecycle.insert(context_for(site, "nodal@power.gov.in"), "Sanction", {"purpose": "fee", "amount": 100, "mdo": POWER})
    # on the form, Submit saves what was typed first; on the record's page, it submits
    assert 'id="save-and-submit"' in client.get(f"/admin/sanction/edit/?id={doc.name}").get_data(as_text=True)
    assert 'value="submit"' in client.get(f"/admin/sanction/details/?id={doc.name}").get_data(as_text=True)
    page = _post(client, f"/admin/sanction/docstatus/?id={doc.name}", {"action": "submit"}).get_data(as_text=True)
    assert 'id="record-state">Submitted<' in page and 'value="cancel"' in page
    edit = client.get(f"/admin/sanction/edit/?id={doc.name}")
    assert edit.status_code == 302 and "/admin/sanction/details/" in edit.headers["Location"]
    _post(client, f"/admin/sanction/docstatus/?id={doc.name}", {"action": "cancel"})
    page = _post(client, f"/admin/sanction/docstatus/?id={doc.name}", {"action": "amend"}).get_data(as_text=True)
    assert f"{doc.name}-1: amend done" in page
    assert site.db.sanction.find_one({"_id": f"{doc.name}-1"})["amended_from"] == doc.name


def test_version_history_on_the_record(app, site):
    ctx = context_for(site, "nodal@steel.gov.in")
    name = site.db.officer.find_one({"mdo": STEEL})["_id"]
    lifecycle.save(ctx, "Officer", name, {"designation": "Director"})
    page = signed_in(app, "nodal@steel.gov.in").get(f"/admin/officer/edit/?id={name}").get_data(as_text=True)
    history = page.split('id="version-history"')[1]
    assert (
        ">nodal</td>" in history and "<td>Designation</td>" in history and "Director" in history
    )  # who, by name; the field by its label


def test_customize_form_add_place_hide_remove(app, site):
    client = signed_in(app, "nodal@power.gov.in")
    url = "/admin/customize/?doctype=Officer&mdo=Ministry%20of%20Power"
    base = {"doctype": "Officer", "mdo": POWER}
    page = _post(
        client, url, base | {"op": "add", "label": "Pay Level", "fieldtype": "Int", "insert_after": "designation", "reqd": "on"}
    ).get_data(as_text=True)
    assert "Added Pay Level (pay_level)" in page and 'name="pay_level"' in page.split('id="preview"')[1]
    field = site.db.custom_field.find_one({"fieldname": "pay_level"})
    assert field["mdo"] == POWER and field["reqd"] is True and field["owner"] == "nodal@power.gov.in"
    assert '<option value="full_name" >Full Name</option>' in page or '<option value="full_name">Full Name</option>' in page
    _post(client, url, base | {"op": "place", "name": field["_id"], "insert_after": "full_name"})
    assert site.db.custom_field.find_one({"_id": field["_id"]})["insert_after"] == "full_name"
    # shown in the list and offered as its filter, by the MDO's choice
    _post(client, url, base | {"op": "list", "name": field["_id"], "in_list_view": "on", "in_filter": "on"})
    saved = site.db.custom_field.find_one({"_id": field["_id"]})
    assert saved["in_list_view"] is True and saved["in_filter"] is True
    officer = lifecycle.insert(
        context_for(site, "nodal@power.gov.in"),
        "Officer",
        {
            "full_name": "Ravi Pay",
            "email": "ravi.pay@power.gov.in",
            "service": "CSS",
            "group": "B",
            "mdo": POWER,
            "pay_level": 11,
        },
    )
    listed = client.get("/admin/officer/?flt0_pay_level_equals=11").get_data(as_text=True)
    assert "Pay Level" in listed and "Ravi Pay" in listed
    # the record's page shows the MDO's field with its value, by label, in its place
    details = client.get(f"/admin/officer/details/?id={officer.name}").get_data(as_text=True)
    shown = details[: details.index('id="version-history"')] if 'id="version-history"' in details else details
    assert re.search(r"<b>Pay Level</b>\s*</td>\s*<td>\s*11\s*</td>", shown), shown[-3000:]
    assert shown.index("Pay Level") < shown.index("Email")
    lifecycle.delete(context_for(site, "nodal@power.gov.in"), "Officer", officer.name)
    page = _post(client, url, base | {"op": "hide", "name": field["_id"]}).get_data(as_text=True)
    assert 'name="pay_level"' not in page.split('id="preview"')[1]
    _post(client, url, base | {"op": "remove", "name": field["_id"]})
    assert site.db.custom_field.count_documents({}) == 0


def test_customize_form_refuses_shadowing_and_other_mdos(app):
    client = signed_in(app, "nodal@power.gov.in")
    page = _post(
        client,
        "/admin/customize/",
        {"doctype": "Officer", "mdo": POWER, "op": "add", "label": "Name", "fieldname": "full_name", "fieldtype": "Data"},
    ).get_data(as_text=True)
    assert "Officer already has a field &#39;full_name&#39;" in page or "already has a field" in page
    assert client.get("/admin/customize/?doctype=Officer&mdo=Ministry%20of%20Steel").status_code == 403
    assert signed_in(app, "ravi@power.gov.in").get("/admin/customize/").status_code == 403


def test_details_page_shows_every_field(app, site):
    name = site.db.officer.find_one({"mdo": STEEL})["_id"]
    page = signed_in(app, "nodal@steel.gov.in").get(f"/admin/officer/details/?id={name}").get_data(as_text=True)
    for text in ("Sunita Steel", "sunita@steel.gov.in", "IAS"):
        assert text in page
    # who made it, by name (the account's full name; here the name part of the address)
    assert re.search(r"<b>Owner</b>\s*</td>\s*<td>\s*nodal\s*</td>", page)


def test_dates_read_the_indian_way_and_times_without_microseconds(app, site):
    import re

    name = site.db.officer.find_one({"mdo": STEEL})["_id"]
    lifecycle.save(context_for(site, "nodal@steel.gov.in"), "Officer", name, {"date_of_birth": "1984-03-09"})
    client = signed_in(app, "nodal@steel.gov.in")
    page = client.get(f"/admin/officer/details/?id={name}").get_data(as_text=True)
    assert "09/03/1984" in page and "1984-03-09" not in page  # on the record and in its changes
    assert "<td>Date of Birth</td>" in page  # a change names the field by its label
    modified = site.db.officer.find_one({"_id": name})["modified"]
    assert modified.strftime("%d/%m/%Y %H:%M:%S") in page
    assert not re.search(r"\d\d:\d\d:\d\d\.\d{3,6}", page)  # no microseconds anywhere


def test_list_filters_come_from_the_meta(app, site):
    ctx = context_for(site, "nodal@power.gov.in")
    for i, (service, group, year) in enumerate([("IAS", "A", 2010), ("CSS", "B", 2016), ("IAS", "A", 2018)]):
        lifecycle.insert(
            ctx,
            "Officer",
            {
                "full_name": f"Officer {i}",
                "email": f"o{i}@power.gov.in",
                "service": service,
                "group": group,
                "mdo": POWER,
                "year_of_allotment": year,
            },
        )
    client = signed_in(app, "nodal@power.gov.in")
    page = client.get("/admin/officer/").get_data(as_text=True)
    assert "Year of Allotment / Joining" in page and "Group" in page  # filter choices offered
    view = app.extensions["admin"][0]._views
    officer_view = next(v for v in view if getattr(v, "endpoint", "") == "officer")
    keys = {flt.key_name: officer_view.get_filter_arg(i, flt) for i, flt in enumerate(officer_view._filters)}
    group_eq = keys["group_equals"]
    year_from = keys["year_of_allotment_from"]
    filtered = client.get(f"/admin/officer/?flt0_{group_eq}=A&flt1_{year_from}=2015").get_data(as_text=True)
    assert "Officer 2" in filtered and "Officer 0" not in filtered and "Officer 1" not in filtered
    other = signed_in(app, "nodal@steel.gov.in").get(f"/admin/officer/?flt0_{group_eq}=A").get_data(as_text=True)
    assert "Officer 2" not in other and "Sunita Steel" in other


def test_import_screen_template_upload_results_and_rejected_rows(app, site):
    import io

    lifecycle.insert(
        site.context(),
        "Custom Field",
        {"ref_doctype": "Officer", "mdo": POWER, "fieldname": "pay_level", "label": "Pay Level", "fieldtype": "Int"},
    )
    client = signed_in(app, "nodal@power.gov.in")
    # the page opens on the staff list; the template by label, required marked, an example row
    assert 'value="Officer" selected' in client.get("/admin/import/").get_data(as_text=True)
    template = client.get("/admin/import/template/?doctype=Officer&format=csv").get_data(as_text=True).splitlines()
    assert template[0].startswith("MDO *,Full Name *,Email *") and "Pay Level" in template[0]
    assert template[1].startswith("(example) ") and len(template) == 2
    xlsx = client.get("/admin/import/template/?doctype=Officer&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    import openpyxl

    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.data)).active
    headings = [c.value for c in sheet[1]]
    group = headings.index("Group *") + 1
    rules = {str(r.sqref): r.formula1 for r in sheet.data_validations.dataValidation}
    column = openpyxl.utils.get_column_letter(group)
    assert rules[f"{column}3:{column}5000"] == f"='Allowed values'!${column}$1:${column}$3"
    assert [sheet.parent["Allowed values"].cell(row=r, column=group).value for r in range(1, 4)] == ["A", "B", "C"]
    # the example row, uploaded as it came, imports nothing
    page = upload(client, "\n".join(template), "t.csv")
    assert "0 imported, 0 rejected of 0 rows" in page
    staff = (
        "mdo,full_name,email,service,group,pay_level\n"
        f"{POWER},Ravi Power,ravi@power.gov.in,CSS,B,11\n"
        f"{STEEL},Spy,spy@steel.gov.in,IAS,A,\n"
        f"{POWER},Bad Pay,bad@power.gov.in,IAS,A,eleven\n"
    )
    page = upload(client, staff, "officers.csv")
    assert "1 imported, 2 rejected of 3 rows" in page
    errors = page.split('id="import-errors"')[1]
    assert "not one of your MDOs" in errors and "Not a valid integer" in errors
    assert site.db.officer.find_one({"email": "ravi@power.gov.in"})["pay_level"] == 11
    link = re.search(r'href="([^"]+)" id="rejected-download"', page).group(1)
    rejected = client.get(link).get_data(as_text=True).splitlines()
    assert rejected[0].startswith("line,errors,mdo") and len(rejected) == 3 and "eleven" in rejected[2]
    assert "Pay Level: Not a valid integer" in rejected[2]  # by label
    assert signed_in(app, "nodal@steel.gov.in").get(link).status_code == 302  # not theirs
    # corrected (Bad Pay's pay level; the spy's row dropped), the same file goes up again as it is
    corrected = "\n".join([rejected[0], rejected[2].replace(",eleven", ",12")]) + "\n"
    page = upload(client, corrected, "again.csv")
    assert "1 imported, 0 rejected of 1 rows" in page
    assert site.db.officer.find_one({"email": "bad@power.gov.in"})["pay_level"] == 12


def test_import_takes_indian_dates_and_says_which_are_not_dates(app, site):

    client = signed_in(app, "nodal@power.gov.in")
    staff = (
        "Full Name,Email,Service,Group,Date of Birth\n"
        "Asha Rao,asha.rao@power.gov.in,CSS,B,15/08/1987\n"
        "Bad Day,bad.day@power.gov.in,CSS,B,1987-02-30\n"
    )
    page = upload(client, staff)
    assert "1 imported, 1 rejected of 2 rows" in page
    assert str(site.db.officer.find_one({"email": "asha.rao@power.gov.in"})["date_of_birth"])[:10] == "1987-08-15"
    errors = html.unescape(page.split('id="import-errors"')[1])
    assert "<td>Date of Birth</td>" in errors and "1987-02-30 is not a date" in errors


def test_import_screen_names_a_misnamed_column_once_and_updates_when_asked(app, site):
    client = signed_in(app, "nodal@power.gov.in")
    page = html.unescape(upload(client, "Full Name,Email,Group,Year of Allotment\nAsha Rao,asha@power.gov.in,A,2012\n"))
    assert page.count('Column "Year of Allotment" is not known: did you mean "Year of Allotment / Joining"?') == 1
    assert 'id="import-summary"' not in page and site.db.officer.count_documents({"email": "asha@power.gov.in"}) == 0
    staff = "Full Name,Email,Group,Year of Allotment / Joining\nAsha Rao,asha@power.gov.in,A,2012\n"
    assert "1 imported, 0 rejected of 1 rows" in upload(client, staff)
    again = staff.replace("2012", "2013")
    assert "Update the records that already exist" in client.get("/admin/import/").get_data(as_text=True)
    refused = html.unescape(upload(client, again))
    assert "0 imported, 1 rejected of 1 rows" in refused and "choose to update existing records" in refused
    assert "0 imported, 1 updated, 0 rejected of 1 rows" in upload(client, again, update_existing="1")
    assert site.db.officer.find_one({"email": "asha@power.gov.in"})["year_of_allotment"] == 2013


def test_import_screen_refused_without_import_permission(app):
    assert signed_in(app, "ravi@power.gov.in").get("/admin/import/").status_code == 403


def chart(page, chart_id):
    import html
    import json

    raw = re.search(rf'<canvas id="{chart_id}"[^>]*data-chart="([^"]+)"', page).group(1)
    return json.loads(html.unescape(raw))


def test_home_dashboard_charts_follow_tenancy(app, site):
    ctx = context_for(site, "nodal@power.gov.in")
    lifecycle.insert(
        ctx, "Officer", {"full_name": "Ravi", "email": "ravi@power.gov.in", "service": "CSS", "group": "B", "mdo": POWER}
    )
    add_user(site, "dopt@dopt.gov.in", ["System Manager"])
    power = signed_in(app, "nodal@power.gov.in").get("/admin/").get_data(as_text=True)
    by_service = chart(power, "chart-by")
    assert by_service["title"] == "Officers by service" and by_service["labels"] == ["CSS"] and by_service["values"] == [1]
    assert sum(chart(power, "chart-onboarded")["values"]) == 1
    assert "/admin/assets/vendor/chart.js-4.6.1/chart.umd.min.js" in power and "cdn" not in power.lower()
    dopt = signed_in(app, "dopt@dopt.gov.in").get("/admin/").get_data(as_text=True)
    by_mdo = chart(dopt, "chart-by")
    assert by_mdo["title"] == "Officers by MDO (top 10)" and sorted(by_mdo["labels"]) == [POWER, STEEL]
    asset = app.test_client().get("/admin/assets/vendor/chart.js-4.6.1/chart.umd.min.js")
    assert asset.status_code == 200 and b"Chart" in asset.data[:2000]


def test_aggregate_is_scoped_to_the_callers_mdos(app, site):
    from app import query

    rows = query.aggregate(context_for(site, "nodal@power.gov.in"), "Officer", [{"$group": {"_id": "$mdo", "n": {"$sum": 1}}}])
    assert rows == []  # only Steel has an officer here
    rows = query.aggregate(context_for(site, "nodal@steel.gov.in"), "Officer", [{"$group": {"_id": "$mdo", "n": {"$sum": 1}}}])
    assert rows == [{"_id": STEEL, "n": 1}]


def test_the_role_picker_offers_an_mdo_admin_only_the_roles_she_may_grant(app, site):
    add_user(site, "dopt@dopt.gov.in", ["System Manager"])
    offered = {name for name, _ in signed_in(app, "nodal@power.gov.in").get("/admin/link/?doctype=Role&limit=50").json}
    assert "FRAC Reviewer L1" not in offered and "System Manager" not in offered
    assert {"Learner", "Content Creator", "MDO Admin"} <= offered
    searched = signed_in(app, "nodal@power.gov.in").get("/admin/link/?doctype=Role&query=FRAC&limit=50").json
    assert searched == []
    everything = {name for name, _ in signed_in(app, "dopt@dopt.gov.in").get("/admin/link/?doctype=Role&limit=50").json}
    assert {"FRAC Reviewer L1", "System Manager"} <= everything


def test_link_lookup_offers_only_what_the_user_may_read(app, site):
    lifecycle.insert(
        context_for(site, "nodal@power.gov.in"),
        "Officer",
        {"full_name": "Ravi Power", "email": "ravi@power.gov.in", "service": "CSS", "group": "B", "mdo": POWER},
    )
    power = signed_in(app, "nodal@power.gov.in")
    assert [label for _, label in power.get("/admin/link/?doctype=Officer&query=").json] == ["Ravi Power"]
    assert power.get("/admin/link/?doctype=Officer&query=Sunita").json == []
    assert len(power.get("/admin/link/?doctype=MDO&query=Ministry&limit=5").json) == 5
    assert signed_in(app, "ravi@power.gov.in").get("/admin/link/?doctype=Custom%20Field").status_code == 403
    assert app.test_client().get("/admin/link/?doctype=Officer").status_code in (302, 403)
    form = power.get("/admin/sanction/new/").get_data(as_text=True)
    assert 'data-role="select2-ajax"' in form and "Ravi Power" not in form  # choices are fetched, not embedded


def test_custom_fields_in_list_columns_of_their_mdo_only(app, site):
    lifecycle.insert(
        site.context(),
        "Custom Field",
        {
            "ref_doctype": "Officer",
            "mdo": STEEL,
            "fieldname": "plant_code",
            "label": "Plant Code",
            "fieldtype": "Data",
            "in_list_view": True,
        },
    )
    name = site.db.officer.find_one({"mdo": STEEL})["_id"]
    lifecycle.save(context_for(site, "nodal@steel.gov.in"), "Officer", name, {"plant_code": "BSP-7"})
    steel = signed_in(app, "nodal@steel.gov.in").get("/admin/officer/").get_data(as_text=True)
    assert "Plant Code" in steel and "BSP-7" in steel
    assert "Plant Code" not in signed_in(app, "nodal@power.gov.in").get("/admin/officer/").get_data(as_text=True)


def test_child_table_rows_edit_inline(app, site):
    client = signed_in(app, "nodal@power.gov.in")
    token = csrf(client, "/admin/officer/new/")
    base = {
        "csrf_token": token,
        "full_name": "Ravi Power",
        "email": "ravi@power.gov.in",
        "service": "CSS",
        "group": "B",
        "mdo": POWER,
    }
    created = client.post(
        "/admin/officer/new/",
        data=base
        | {
            "postings-0-designation": "Section Officer",
            "postings-0-from_date": "2016-07-01",
            "postings-1-designation": "Under Secretary",
            "postings-1-from_date": "2021-01-01",
        },
    )
    assert created.status_code == 302
    stored = site.db.officer.find_one({"email": "ravi@power.gov.in"})
    assert [p["designation"] for p in stored["postings"]] == ["Section Officer", "Under Secretary"]
    first, second = stored["postings"]
    form = client.get(f"/admin/officer/edit/?id={stored['_id']}").get_data(as_text=True)
    assert 'value="Section Officer"' in form and f'value="{first["name"]}"' in form
    modified = re.search(r'id="modified" name="modified" type="hidden" value="([^"]+)"', form).group(1)
    saved = client.post(
        f"/admin/officer/edit/?id={stored['_id']}",
        data=base
        | {
            "csrf_token": TOKEN.search(form).group(1),
            "modified": modified,
            "postings-0-name": first["name"],
            "postings-0-designation": "Section Officer (Trg)",
            "postings-0-from_date": "2016-07-01",
            "postings-1-name": second["name"],
            "postings-1-designation": "Under Secretary",
            "postings-1-from_date": "2021-01-01",
            "del-postings-1": "on",
            "postings-2-designation": "Deputy Secretary",
            "postings-2-from_date": "2024-04-01",
        },
    )
    assert saved.status_code == 302
    rows = site.db.officer.find_one({"_id": stored["_id"]})["postings"]
    assert [(r["designation"], r["idx"]) for r in rows] == [("Section Officer (Trg)", 1), ("Deputy Secretary", 2)]
    assert rows[0]["name"] == first["name"]
    change = site.db.version.find_one({"docname": stored["_id"]})["data"]
    assert change["row_changed"][0]["changes"] == [
        {"field": "designation", "old": "Section Officer", "new": "Section Officer (Trg)"}
    ]
    assert [r["row"]["name"] for r in change["removed"]] == [second["name"]]
    assert [a["row"]["designation"] for a in change["added"]] == ["Deputy Secretary"]


def test_child_row_errors_are_reported(app, site):
    client = signed_in(app, "nodal@power.gov.in")
    page = client.post(
        "/admin/officer/new/",
        data={
            "csrf_token": csrf(client, "/admin/officer/new/"),
            "full_name": "Ravi",
            "email": "ravi@power.gov.in",
            "service": "CSS",
            "group": "B",
            "mdo": POWER,
            "postings-0-designation": "SO",
        },
    ).get_data(as_text=True)
    # by labels: the table, the row, the field
    assert said(page) == ["Postings, row 1, From Date: Missing data for required field."]
    assert site.db.officer.count_documents({"email": "ravi@power.gov.in"}) == 0


def test_custom_fields_in_list_filters_of_their_mdo_only(app, site):
    lifecycle.insert(
        site.context(),
        "Custom Field",
        {
            "ref_doctype": "Officer",
            "mdo": STEEL,
            "fieldname": "pay_level",
            "label": "Pay Level",
            "fieldtype": "Int",
            "in_filter": True,
        },
    )
    ctx = context_for(site, "nodal@steel.gov.in")
    for i, level in enumerate([10, 13]):
        lifecycle.insert(
            ctx,
            "Officer",
            {
                "full_name": f"Steel {i}",
                "email": f"s{i}@steel.gov.in",
                "service": "IAS",
                "group": "A",
                "mdo": STEEL,
                "pay_level": level,
            },
        )
    client = signed_in(app, "nodal@steel.gov.in")
    page = client.get("/admin/officer/").get_data(as_text=True)
    assert "Pay Level" in page
    # the filter in the address is named by its label and operation, custom fields' like the meta's
    filtered = client.get("/admin/officer/?flt0_pay_level_from=12").get_data(as_text=True)
    assert "Steel 1" in filtered and "Steel 0" not in filtered
    assert "Pay Level" not in signed_in(app, "nodal@power.gov.in").get("/admin/officer/").get_data(as_text=True)


def test_system_manager_customizes_for_any_mdo_or_everyone(app, site):
    add_user(site, "dopt@dopt.gov.in", ["System Manager"])
    client = signed_in(app, "dopt@dopt.gov.in")
    page = client.get("/admin/customize/?doctype=Officer").get_data(as_text=True)
    assert ">every MDO<" in page and f">{STEEL}<" in page and f">{POWER}<" in page
    _post(
        client,
        "/admin/customize/",
        {"doctype": "Officer", "mdo": "", "op": "add", "label": "Aadhaar Seeded", "fieldtype": "Check"},
    )
    assert site.db.custom_field.find_one({"fieldname": "aadhaar_seeded"}).get("mdo") is None


def test_a_large_import_becomes_a_background_job_shown_to_its_user(app, site, monkeypatch):
    """A staff list of BACKGROUND_ROWS rows or more is imported by a background job; the
    nodal officer lands on the job's page, which shows the result."""
    import io

    from admin import data_import

    monkeypatch.setattr(data_import, "BACKGROUND_ROWS", 3)  # a small file stands in for 2,000 rows
    client = signed_in(app, "nodal@power.gov.in")
    upload = "full_name,email,service,group\n" + "".join(f"Officer {i},officer{i}@power.gov.in,CSS,B\n" for i in range(3))
    r = client.post(
        "/admin/import/?doctype=Officer",
        data={
            "csrf_token": csrf(client, "/admin/import/"),
            "doctype": "Officer",
            "file": (io.BytesIO(upload.encode()), "staff.csv"),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 302 and "/admin/background_job/details/" in r.headers["Location"]
    job = site.db.background_job.find_one({"job_type": "import"})
    assert (job["status"], job["started_by"], job["result"]["imported"]) == ("Succeeded", "nodal@power.gov.in", 3)
    assert site.db.officer.count_documents({"email": {"$regex": "^officer"}, "mdo": POWER}) == 3
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Succeeded" in page and "staff.csv" in page and 'http-equiv="refresh"' not in page
    # while a job runs, its page follows it
    site.db.background_job.update_one({"_id": job["_id"]}, {"$set": {"status": "Running", "progress": 40}})
    assert 'http-equiv="refresh" content="3"' in client.get(r.headers["Location"]).get_data(as_text=True)
    assert signed_in(app, "nodal@steel.gov.in").get(r.headers["Location"]).status_code in (302, 404)  # not theirs


def attention_counts(page) -> dict:
    """The home's "Needs attention" lines: words -> (count, link)."""
    rows = re.findall(r'<a href="([^"]+)">([^<]+)</a>\s*<span class="badge[^"]*">(\d+)</span>', page)
    return {words: (int(n), html.unescape(url)) for url, words, n in rows}


def checklist_state(page: str, audience: str) -> dict:
    """The home's checklist for ``audience``: each step's words -> ("done" or "todo", its link)."""
    block = page.split(f'id="checklist-{audience}"')[1].split("</ol>")[0]
    steps = re.findall(
        r'<li class="(done|todo)">\s*(?:<span[^>]*>Done</span> ([^<]+)|<span[^>]*>To do</span> <a href="([^"]+)">([^<]+)</a>)',
        block,
    )
    return {(done or todo).strip(): (kind, url or None) for kind, done, url, todo in steps}


def test_home_is_built_around_each_roles_work(app, site):
    ctx = context_for(site, "nodal@power.gov.in")
    lifecycle.insert(
        ctx, "Officer", {"full_name": "Ravi", "email": "ravi@power.gov.in", "service": "CSS", "group": "B", "mdo": POWER}
    )
    add_user(site, "dopt@dopt.gov.in", ["System Manager"])
    add_user(site, "finance@dopt.gov.in", ["Finance"])
    power = signed_in(app, "nodal@power.gov.in")
    page = power.get("/admin/").get_data(as_text=True)
    lines = attention_counts(page)
    # Power's nodal officer counts Power's officer without a position, never Steel's
    count, url = lines["Officers onboarded without a position"]
    assert count == 1 and "Passbook entries to verify" in lines and "Fee claims to approve" not in lines
    listed = power.get(url).get_data(as_text=True)
    assert "Ravi" in listed and "Sunita Steel" not in listed
    assert 'id="home-counts"' not in page  # the record types have a page of their own
    # her MDO's onboarding checklist: the staff loaded, the rest to do, each with where it is done
    state = checklist_state(page, "lead_an_mdo")
    assert state == {
        "Load your staff": ("done", None),
        "Give every officer a position": ("todo", "/admin/officer/"),
        "Describe the FRAC roles": ("todo", "/admin/frac_role/new/"),
        "Build the role map of a position": ("todo", "/admin/role_map/new/"),
        "Have your reviewers appointed": ("todo", "/admin/role_map/"),
        "Have a role map verified": ("todo", "/admin/role_map/"),
        "Choose the content: a capacity building plan": ("todo", "/admin/capacity_building_plan/new/"),
    }
    assert "Nobody holds FRAC Reviewer L1 or FRAC Reviewer L2 in Ministry of Power: ask the System Manager" in page
    assert "checklist-set_up_installation" not in page and "Ministry of Steel" not in page
    # finance: the claims, not the officers
    lines = attention_counts(signed_in(app, "finance@dopt.gov.in").get("/admin/").get_data(as_text=True))
    assert {"Fee claims to approve", "Fee claims to pay"} <= set(lines) and "Officers onboarded without a position" not in lines
    # a new installation's System Manager: a checklist, done where records exist
    dopt = signed_in(app, "dopt@dopt.gov.in")
    page = dopt.get("/admin/").get_data(as_text=True)
    state = {words: kind for words, (kind, _) in checklist_state(page, "set_up_installation").items()}
    assert state == {
        "Check the MDOs": "done",
        "Create an MDO Admin for each MDO": "done",
        "Load the staff": "done",
        "Have the FRAC reviewers of each MDO appointed": "todo",
        "Publish the first course": "todo",
    }
    without = html.unescape(page.split("Have the FRAC reviewers of each MDO appointed")[1].split("</ul>")[0])
    assert f"Nobody holds FRAC Reviewer L1 or FRAC Reviewer L2 in {POWER}." in without and STEEL in without
    assert dopt.get("/admin/content_module/new/").status_code == 200
    # an empty chart says what fills it and links to the step; the counts page lists what the user reads
    assert 'id="chart-certificates-empty"' in page and "publish the first one" in page
    records = dopt.get("/admin/records/").get_data(as_text=True)
    assert 'id="home-counts"' in records and "Officer" in records
    learner = signed_in(app, "ravi@power.gov.in")
    assert learner.get("/admin/records/").status_code in (302, 403)


def test_required_field_errors_speak_in_labels_for_every_doctype(app, site):
    """Every doctype's create form, sent empty: what the admin says names fields by their
    labels, never by their fieldnames, and says each thing once."""
    roles = [r["_id"] for r in site.db.role.find({"given_to_officers": {"$ne": True}})]
    add_user(site, "everyone@power.gov.in", roles, [POWER])
    client = signed_in(app, "everyone@power.gov.in")
    walked = []
    for meta in site.registry:
        if meta.is_child or meta.module == "Tests":
            continue
        form = client.get(f"/admin/{meta.collection}/new/")
        if form.status_code != 200:
            continue  # a doctype nobody creates by hand
        blank = blank_form(form.get_data(as_text=True))
        page = client.post(f"/admin/{meta.collection}/new/", data=blank).get_data(as_text=True)
        messages, flashed = said(page), said(page, flashed_only=True)
        if not any("Missing data for required field" in m for m in messages):
            continue  # named by a series and saved with defaults: nothing was refused
        walked.append(meta.name)
        assert len(flashed) == len(set(flashed)) == 1, (meta.name, flashed)
        required = [f.label for f in meta.all_fields if f.reqd and f.label]
        assert any(label in flashed[0] for label in required), (meta.name, flashed)
        fields = [*meta.all_fields, *(f for t in meta.table_fields for f in site.registry.get(t.options).all_fields)]
        for message in messages:
            for f in fields:
                if f.label and f.fieldname.lower() != f.label.lower():
                    assert not re.search(rf"\b{re.escape(f.fieldname)}\b", message), (meta.name, message, f.fieldname)
    assert {"Officer", "Role Map", "Content Module", "FRAC Role"} <= set(walked) and len(walked) >= 15, walked


def test_a_create_form_sent_twice_makes_one_record(app, site):
    """Back, then Save again (the same form, with its key): the record made the first time
    opens, and no second one is made; a form refused first and corrected makes its record."""
    client = signed_in(app, "nodal@power.gov.in")
    page = client.get("/admin/officer/new/").get_data(as_text=True)
    data = blank_form(page) | {
        "full_name": "Ravi Twice",
        "email": "ravi.twice@power.gov.in",
        "service": "CSS",
        "group": "B",
        "mdo": POWER,
        "year_of_allotment": "1800",
    }
    assert data["form_key"]
    refused = client.post("/admin/officer/new/", data=data).get_data(as_text=True)
    assert (
        any("Year of Allotment" in m for m in said(refused)) and site.db.officer.count_documents({"full_name": "Ravi Twice"}) == 0
    )
    data["year_of_allotment"] = "2015"
    first = client.post("/admin/officer/new/", data=data)
    assert first.status_code == 302 and site.db.officer.count_documents({"full_name": "Ravi Twice"}) == 1
    again = client.post("/admin/officer/new/", data=data, follow_redirects=True).get_data(as_text=True)
    assert site.db.officer.count_documents({"full_name": "Ravi Twice"}) == 1
    assert "This form was saved before, as Officer Ravi Twice: it was not saved again." in said(again)
    # a new blank form has a key of its own: a second officer of the same name is allowed
    other = blank_form(client.get("/admin/officer/new/").get_data(as_text=True))
    assert other["form_key"] != data["form_key"]
    fields = {k: data[k] for k in ("full_name", "service", "group", "mdo")}
    second = client.post("/admin/officer/new/", data=other | fields | {"email": "ravi.two@power.gov.in"})
    assert second.status_code == 302, said(second.get_data(as_text=True))
    assert site.db.officer.count_documents({"full_name": "Ravi Twice"}) == 2
    # another user's form key is theirs alone
    steel = signed_in(app, "nodal@steel.gov.in")
    steel.post(
        "/admin/officer/new/",
        data=data | {"mdo": STEEL, "email": "ravi@steel.gov.in", "csrf_token": csrf(steel, "/admin/officer/new/")},
    )
    assert site.db.officer.count_documents({"full_name": "Ravi Twice", "mdo": STEEL}) == 1


def test_an_attachment_shows_its_name_and_size_and_downloads_by_its_name(app, site):
    import io
    import zlib

    def png(width=2, height=2) -> bytes:
        import struct

        def chunk(kind, data):
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

        rows = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
        header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
        return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")

    picture = png()
    client = signed_in(app, "nodal@power.gov.in")
    data = blank_form(client.get("/admin/officer/new/").get_data(as_text=True))
    data |= {"full_name": "Asha Photo", "email": "asha.photo@power.gov.in", "service": "CSS", "group": "B", "mdo": POWER}
    data["photo"] = (io.BytesIO(picture), "asha passport.png")
    made = client.post("/admin/officer/new/", data=data, content_type="multipart/form-data")
    assert made.status_code == 302
    name = site.db.officer.find_one({"full_name": "Asha Photo"})["_id"]
    page = client.get(f"/admin/officer/details/?id={name}").get_data(as_text=True)
    link = re.search(r'<a class="attachment-link" href="([^"]+)" download>([^<]+)</a>\s*<small[^>]*>\(([^)]+)\)', page)
    assert link and link.group(2) == "asha passport.png" and link.group(3) == f"{len(picture)} bytes, image"
    assert f'src="{link.group(1)}?inline=1"' in page  # shown in the page
    download = client.get(html.unescape(link.group(1)))
    assert download.data == picture and 'filename="asha passport.png"' in download.headers["Content-Disposition"]
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert client.get(html.unescape(link.group(1)) + "?inline=1").headers["Content-Disposition"].startswith("inline")
    # the edit form names the file too; another MDO's user opens neither the record nor the file
    assert "asha passport.png" in client.get(f"/admin/officer/edit/?id={name}").get_data(as_text=True)
    assert signed_in(app, "nodal@steel.gov.in").get(html.unescape(link.group(1))).status_code == 404


def test_set_position_on_the_selected_officers_goes_through_every_rule(app, site):
    admin = site.context()
    section = lifecycle.insert(admin, "Position", {"position_name": "Section Officer", "mdo": POWER}).name
    steel_post = lifecycle.insert(admin, "Position", {"position_name": "Steel Desk", "mdo": STEEL}).name
    nodal = context_for(site, "nodal@power.gov.in")
    names = [
        lifecycle.insert(
            nodal, "Officer", {"full_name": f"Officer {i}", "email": f"o{i}@power.gov.in", "group": "B", "mdo": POWER}
        ).name
        for i in range(3)
    ]
    spy = lifecycle.insert(
        context_for(site, "nodal@steel.gov.in"),
        "Officer",
        {"full_name": "Steel Officer", "email": "s@steel.gov.in", "group": "B", "mdo": STEEL},
    ).name
    client = signed_in(app, "nodal@power.gov.in")
    listed = client.get("/admin/officer/").get_data(as_text=True)
    assert 'data-model-action="set:position"' in listed and ">Set position<" in listed
    token = csrf(client, "/admin/officer/")
    chosen = client.post(
        "/admin/officer/action/", data={"csrf_token": token, "action": "set:position", "rowid": [*names[:2], spy]}
    ).get_data(as_text=True)
    assert "Officer 0" in chosen and "Officer 1" in chosen and "Steel Officer" not in chosen  # another MDO's: not shown
    page = client.post(
        "/admin/officer/bulk-set/",
        data={"csrf_token": token, "field": "position", "value": section, "rowid": [*names[:2], spy]},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Position set to Section Officer for 2 records." in page
    assert [site.db.officer.find_one({"_id": n}).get("position") for n in names] == [section, section, None]
    assert site.db.officer.find_one({"_id": spy}).get("position") is None  # refused: not in her MDOs
    page = html.unescape(
        client.post(
            "/admin/officer/bulk-set/",
            data={"csrf_token": token, "field": "position", "value": steel_post, "rowid": [names[2]]},
            follow_redirects=True,
        ).get_data(as_text=True)
    )
    assert "Officer 2: " in page and site.db.officer.find_one({"_id": names[2]}).get("position") is None
    # a learner, or a field the list does not set in bulk, changes nothing
    learner = signed_in(app, "ravi@power.gov.in")
    refused = learner.post(
        "/admin/officer/bulk-set/",
        data={"csrf_token": csrf(learner, "/admin/officer/"), "field": "position", "value": section, "rowid": [names[2]]},
    )
    assert refused.status_code in (302, 403) and site.db.officer.find_one({"_id": names[2]}).get("position") is None
    client.post(
        "/admin/officer/bulk-set/",
        data={"csrf_token": token, "field": "email", "value": "x@power.gov.in", "rowid": [names[2]]},
    )
    assert site.db.officer.find_one({"_id": names[2]})["email"] == "o2@power.gov.in"
