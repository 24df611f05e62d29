"""What the programme's roles must be able to do, and what each rule refuses: Training
Division tags a course with competencies (the picker answers it), certifies only after the
course has run; Finance approves up to the programme's limit and pays only with the day and a
payment reference (UTR or PFMS), the amounts shown in rupees beside the programme's currency."""

import datetime as dt

from app import files
from app.model import lifecycle, transitions

from . import test_programme
from .test_admin import signed_in
from .test_programme import TODAY, _proof, call, course_has_run

world = test_programme.world  # Power's officers, an open offering, Training Division and Finance

POVERTY = "The Challenges of Global Poverty"


def confirmed(world, grade=72):
    """Asha's enrolment in the open offering, confirmed, with a passing grade and exam."""
    ctx = world["site"].context()
    name = lifecycle.insert(
        ctx,
        "Enrolment",
        {
            "officer": world["asha"],
            "offering": world["offering"],
            "cadre_intimated_on": TODAY.isoformat(),
            "eligibility_form": files.put(ctx, b"%PDF-1.4 form", "form.pdf", content_type="application/pdf", kind="pdf"),
        },
    ).name
    for action in ("Submit Eligibility Form", "Confirm"):
        transitions.apply(ctx, "Enrolment", name, action)
    lifecycle.save(ctx, "Enrolment", name, {"final_grade": grade, "exam_result": "Passed"})
    return name


def test_training_division_picks_competencies_for_a_course(world):
    from app.web import create_app

    site = world["site"]
    app = create_app(site=site)
    td = signed_in(app, "trg@dopt.gov.in")
    picked = td.get("/admin/link/?doctype=Competency&query=Development")
    assert picked.status_code == 200 and ["Development Economics", "Development Economics"] in picked.json
    course = call(world["c"]["td"], "get", f"resource/Course/{POVERTY}", status=200).json["data"]
    levels = [*course["competencies"], {"competency": "Noting and Drafting", "level": 2}]
    call(world["c"]["td"], "put", f"resource/Course/{POVERTY}", {"competencies": levels}, 200)
    # Finance has no business with the dictionary: still refused
    assert signed_in(app, "fin@dopt.gov.in").get("/admin/link/?doctype=Competency&query=Development").status_code == 403


def test_no_certificate_before_the_course_has_run(world):
    name = confirmed(world)
    refused = call(world["c"]["td"], "post", f"resource/Enrolment/{name}/transition", {"action": "Issue Certificate"}, 400).json
    said = refused["errors"]["offering"][0]
    assert said.startswith("no certificate before the course has run: The Challenges of Global Poverty")
    start = dt.date.fromisoformat(world["site"].db.course_offering.find_one({"_id": world["offering"]})["starts_on"])
    assert f"starts on {start.strftime('%d/%m/%Y')}" in said and f"today is {TODAY.strftime('%d/%m/%Y')}" in said
    no_result = call(
        world["c"]["td"],
        "post",
        f"resource/Enrolment/{name}/transition",
        {"action": "Record Not Certified", "comment": "absent"},
        400,
    ).json
    assert "no result before the course has run" in no_result["errors"]["offering"][0]
    assert world["site"].db.enrolment.find_one({"_id": name})["workflow_state"] == "Confirmed"
    course_has_run(world["site"], world["offering"])
    call(world["c"]["td"], "post", f"resource/Enrolment/{name}/transition", {"action": "Issue Certificate"}, 200)


def _approved_claim(world, approve_values=None, status=200):
    site, c = world["site"], world["c"]
    name = confirmed(world)
    course_has_run(site, world["offering"])
    transitions.apply(site.context(), "Enrolment", name, "Issue Certificate")
    claim = call(
        c["asha@power.gov.in"],
        "post",
        "resource/Reimbursement Claim",
        {"enrolment": name, "amount_paid": 90, "currency": "USD", "proof": _proof(site)},
        201,
    ).json["data"]
    path = f"resource/Reimbursement Claim/{claim['name']}/transition"
    call(c["td"], "post", path, {"action": "Verify"}, 200)
    answer = call(c["fin"], "post", path, {"action": "Approve", "values": approve_values or {}}, status)
    return claim["name"], path, answer.json


def test_approval_may_lower_the_amount_within_the_limit_never_raise_it(world):
    _, _, over = _approved_claim(world, {"approved_amount": 120}, status=400)
    assert "over the 100 USD limit" in over["errors"]["approved_amount"][0]


def test_approval_lowers_the_amount_and_shows_it_in_rupees(world):
    name, _, answer = _approved_claim(world, {"approved_amount": 80})
    claim = answer["data"]
    assert (claim["workflow_state"], claim["approved_amount"], claim["amount_paid"]) == ("Approved", 80, 90)
    assert (claim["inr_rate"], claim["amount_paid_inr"], claim["approved_amount_inr"]) == (85.0, 7650, 6800)


def test_pay_needs_the_day_and_a_utr_or_pfms_reference(world):
    name, path, _ = _approved_claim(world)
    fin2 = world["c"]["fin2"]
    bare = call(fin2, "post", path, {"action": "Pay"}, 400).json
    assert bare["errors"]["paid_on"] == ["Paid On is needed to Pay."]
    assert bare["errors"]["payment_reference"] == ["Payment Reference (UTR or PFMS) is needed to Pay."]
    later = (TODAY + dt.timedelta(days=2)).strftime("%d/%m/%Y")
    future = call(
        fin2, "post", path, {"action": "Pay", "values": {"paid_on": later, "payment_reference": "SBIN426012345678"}}, 400
    )
    assert "is in the future" in future.json["errors"]["paid_on"][0]
    junk = call(fin2, "post", path, {"action": "Pay", "values": {"paid_on": TODAY.isoformat(), "payment_reference": "paid"}}, 400)
    assert "is not a UTR or a PFMS payment ID" in junk.json["errors"]["payment_reference"][0]
    other = call(
        fin2,
        "post",
        path,
        {"action": "Pay", "values": {"paid_on": TODAY.isoformat(), "payment_reference": "SBIN426012345678", "amount_paid": 1}},
        400,
    )
    assert "is not given with Pay" in other.json["errors"]["amount_paid"][0]
    assert world["site"].db.reimbursement_claim.find_one({"_id": name})["workflow_state"] == "Approved"
    call(
        fin2,
        "post",
        path,
        {"action": "Pay", "values": {"paid_on": TODAY.isoformat(), "payment_reference": "SBIN426012345678"}},
        200,
    )


def test_pay_is_taken_on_the_claims_page_where_its_reference_is_typed(world):
    from app.web import create_app

    name, _, _ = _approved_claim(world)
    finance = signed_in(create_app(site=world["site"]), "fin2@dopt.gov.in")
    home = finance.get("/admin/").get_data(as_text=True)
    table = home[home.index('id="waiting-for-me"') :]
    assert 'name="action" value="Pay"' not in table and "Pay…" in table  # not one click: it needs its reference
    page = finance.get(f"/admin/reimbursement_claim/details/?id={name}").get_data(as_text=True)
    assert 'name="value-payment_reference"' in page and 'name="value-paid_on"' in page
