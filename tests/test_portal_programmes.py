"""The officer's programme steps on the portal: the eligibility form with its upload, the fee
claim with its receipt and withdrawal, each refused by the same rules as the API (and from
the side of the officer who must be refused); the courses' search and filters; courses in the
catalogue and a recommended course as a link."""

import datetime as dt
import io
import re

import pytest
from bson import ObjectId

from app.model import lifecycle, transitions

from .test_portal import BUDGET, signed_in, text, world  # noqa: F401 - the fixture

POVERTY = "The Challenges of Global Poverty"
PDF = b"%PDF-1.4 signed form"


@pytest.fixture
def enrolled(world):  # noqa: F811 - the fixture's value
    """Asha, eligible, enrolled through the portal in an offering open today; her enrolment's name."""
    site = world.site
    today = dt.date.today()
    start = today + dt.timedelta(days=40)
    offering = lifecycle.insert(
        site.context(),
        "Course Offering",
        {
            "course": POVERTY,
            "session": "Other",
            "starts_on": start.isoformat(),
            "registration_opens": (today - dt.timedelta(days=3)).isoformat(),
            "registration_last_date": (today + dt.timedelta(days=3)).isoformat(),
        },
    ).name
    for email in ("asha@power.gov.in", "ravi@power.gov.in"):
        officer = site.db.officer.find_one({"email": email})["_id"]
        lifecycle.save(
            site.context(), "Officer", officer, {"date_of_birth": f"{start.year - 35}-02-01", "year_of_allotment": 2012}
        )
    asha = signed_in(world, "asha@power.gov.in")
    assert asha.post("/programmes", data={"offering": offering}).status_code == 302
    return asha, site.db.enrolment.find_one({"offering": offering})["_id"]


def _form(client, name, **fields):
    data = {"what": "form", **fields}
    return client.post(f"/programmes/enrolment/{name}", data=data, content_type="multipart/form-data")


def test_the_eligibility_form_is_refused_field_by_field_then_submitted_with_its_upload(world, enrolled):  # noqa: F811
    asha, name = enrolled
    page = text(asha.get(f"/programmes/enrolment/{name}"))
    assert "Eligibility confirmation form" in page and "Withdraw from this course" in page
    refused = _form(asha, name, cadre_intimated_on="")
    assert refused.status_code == 400
    words = text(refused)
    assert "Cadre Controlling Authority Intimated On: intimate your cadre controlling authority first and give the date." in words
    assert "Eligibility Confirmation Form: upload the signed eligibility confirmation form first." in words
    hindi = text(asha.post(f"/programmes/enrolment/{name}", data={"what": "form"}, headers={"Accept-Language": "hi"}))
    assert "पहले हस्ताक्षरित पात्रता पुष्टि फ़ॉर्म अपलोड करें।" in hindi and "upload the signed" not in hindi
    bad_date = _form(asha, name, cadre_intimated_on="31/02/2026", eligibility_form=(io.BytesIO(PDF), "form.pdf"))
    assert bad_date.status_code == 400 and "31/02/2026 is not a date" in text(bad_date)
    program = _form(asha, name, cadre_intimated_on="01/03/2026", eligibility_form=(io.BytesIO(b"MZ\x90\x00 program"), "form.pdf"))
    assert program.status_code == 400 and "Eligibility Confirmation Form: form.pdf is a program" in text(program)
    assert world.site.db.enrolment.find_one({"_id": name})["workflow_state"] == "Registered"

    done = _form(asha, name, cadre_intimated_on="01/03/2026", eligibility_form=(io.BytesIO(PDF), "form.pdf"))
    assert done.status_code == 302
    row = world.site.db.enrolment.find_one({"_id": name})
    assert row["workflow_state"] == "Form Submitted" and row["cadre_intimated_on"] == "2026-03-01"
    assert world.site.store.files.get(ObjectId(row["eligibility_form"])).read() == PDF
    assert "The training division checks your eligibility." in text(asha.get(f"/programmes/enrolment/{name}"))


def test_the_officer_sets_only_their_own_fields_and_only_on_their_own_enrolment(world, enrolled):  # noqa: F811
    asha, name = enrolled
    page = asha.get(f"/programmes/enrolment/{name}").get_data(as_text=True)
    for field in ("final_grade", "exam_result", 'name="officer"', 'name="offering"'):
        assert field not in page
    _form(
        asha,
        name,
        cadre_intimated_on="01/03/2026",
        eligibility_form=(io.BytesIO(PDF), "form.pdf"),
        final_grade="100",
        exam_result="Passed",
        officer="someone else",
    )
    row = world.site.db.enrolment.find_one({"_id": name})
    assert row["workflow_state"] == "Form Submitted" and row.get("final_grade") is None and row["exam_result"] == "Pending"
    again = _form(asha, name, cadre_intimated_on="02/03/2026")  # the form is with the training division now
    assert again.status_code == 403 and world.site.db.enrolment.find_one({"_id": name})["cadre_intimated_on"] == "2026-03-01"

    ravi = signed_in(world, "ravi@power.gov.in")
    assert ravi.get(f"/programmes/enrolment/{name}").status_code == 404
    assert ravi.post(f"/programmes/enrolment/{name}", data={"what": "withdraw"}).status_code == 404
    assert world.site.db.enrolment.find_one({"_id": name})["workflow_state"] == "Form Submitted"


def test_withdrawal_is_asked_twice_and_ends_the_enrolment(world, enrolled):  # noqa: F811
    asha, name = enrolled
    page = text(asha.get(f"/programmes/enrolment/{name}"))
    assert "Withdraw from this course" in page and "Yes, withdraw" in page
    assert asha.post(f"/programmes/enrolment/{name}", data={"what": "withdraw"}).status_code == 302
    assert world.site.db.enrolment.find_one({"_id": name})["workflow_state"] == "Withdrawn"
    assert "Withdraw from this course" not in text(asha.get(f"/programmes/enrolment/{name}"))


def _certify(site, name):
    from .test_programme import course_has_run

    course_has_run(site, site.db.enrolment.find_one({"_id": name})["offering"])  # certified once the course has run
    ctx = site.context()
    transitions.apply(ctx, "Enrolment", name, "Confirm")
    lifecycle.save(ctx, "Enrolment", name, {"final_grade": 72, "exam_result": "Passed"})
    transitions.apply(ctx, "Enrolment", name, "Issue Certificate")


def test_the_fee_claim_with_its_receipt_over_the_limit_refused_then_filed_and_followed(world, enrolled):  # noqa: F811
    asha, name = enrolled
    site = world.site
    _form(asha, name, cadre_intimated_on="01/03/2026", eligibility_form=(io.BytesIO(PDF), "form.pdf"))
    _certify(site, name)
    page = text(asha.get("/programmes"))
    assert "Claim the course fee" in page
    claim_page = text(asha.get(f"/programmes/enrolment/{name}"))
    assert "The DoPT pays back up to 100 USD per course." in claim_page
    over = asha.post(
        f"/programmes/enrolment/{name}",
        data={"what": "claim", "amount_paid": "250", "proof": (io.BytesIO(PDF), "receipt.pdf")},
        content_type="multipart/form-data",
    )
    assert over.status_code == 400 and "Amount Paid: 250 USD is over the 100 USD" in text(over)
    no_receipt = asha.post(f"/programmes/enrolment/{name}", data={"what": "claim", "amount_paid": "100"})
    assert no_receipt.status_code == 400 and "Proof of Payment: Missing data for required field." in text(no_receipt)
    assert site.db.reimbursement_claim.count_documents({}) == 0
    filed = asha.post(
        f"/programmes/enrolment/{name}",
        data={"what": "claim", "amount_paid": "100", "proof": (io.BytesIO(PDF), "receipt.pdf")},
        content_type="multipart/form-data",
    )
    assert filed.status_code == 302
    claim = site.db.reimbursement_claim.find_one({"enrolment": name})
    assert claim["workflow_state"] == "Submitted" and claim["amount_paid"] == 100 and claim["currency"] == "USD"
    assert "The training division checks your claim." in text(asha.get(f"/programmes/enrolment/{name}"))
    transitions.apply(site.context(), "Reimbursement Claim", claim["_id"], "Verify")
    assert "Waiting for Finance to approve and pay it." in text(asha.get("/programmes"))
    assert "वित्त विभाग की स्वीकृति और भुगतान की प्रतीक्षा है" in text(asha.get("/programmes", headers={"Accept-Language": "hi"}))


def test_courses_are_found_by_words_provider_fee_mode_duration_and_open_now(world, enrolled):  # noqa: F811
    asha, _name = enrolled
    world.site.db.course_offering.delete_many({"course": "Principles of Microeconomics"})  # none open for it

    def found(**args):
        page = asha.get("/programmes", query_string=args).get_data(as_text=True)
        return set(re.findall(r'<li class="course" data-course="([^"]+)"', page))

    everything = found()
    assert POVERTY in everything and "Relevance of Gandhi in the Contemporary World" in everything
    assert found(search="gandhi") == {"Relevance of Gandhi in the Contemporary World"}
    assert found(provider="DoPT") and all(c.startswith("e-Learning Module") for c in found(provider="DoPT"))
    assert POVERTY in found(fee="paid") and POVERTY not in found(fee="free")
    assert "e-Learning Module for Office Management" in found(fee="free")
    assert found(mode="Hosted Module") == found(provider="DoPT")
    assert found(duration="medium") == {"Principles of Microeconomics", "Foundations of Development Policy"}
    assert POVERTY in found(open="1") and "Principles of Microeconomics" not in found(open="1")
    assert found(search="no such course anywhere") == set()
    assert "No course matches." in text(asha.get("/programmes", query_string={"search": "no such course anywhere"}))


def test_courses_are_in_the_catalogue_and_a_recommended_course_is_a_link(world):  # noqa: F811
    site = world.site
    lifecycle.insert(
        site.context(),
        "Course",
        {
            "title": "Public Budgeting in Practice",
            "provider": "NIFM",
            "programme": "iGOT 2020",
            "mode": "Hosted Module",
            "competencies": [{"competency": BUDGET, "level": 3}],
        },
    )
    site.db.course.update_one({"_id": "Public Budgeting in Practice"}, {"$set": {"status": "Open"}})  # as a committee opens it
    asha = signed_in(world, "asha@power.gov.in")
    catalogue = asha.get("/catalogue", query_string={"search": "budget"}).get_data(as_text=True)
    assert 'href="/programmes/course/Public%20Budgeting%20in%20Practice"' in catalogue
    assert "Budgeting for Section Officers" in catalogue  # the module beside it
    only_courses = asha.get("/catalogue", query_string={"kind": "Course"}).get_data(as_text=True)
    assert "Public Budgeting in Practice" in only_courses and "Budgeting for Section Officers" not in only_courses
    learning = asha.get("/learning").get_data(as_text=True)
    assert 'href="/programmes/course/Public%20Budgeting%20in%20Practice">Public Budgeting in Practice</a>' in learning
    course = text(asha.get("/programmes/course/Public Budgeting in Practice"))
    assert "NIFM" in course and "Not open for registration now." in course
    assert asha.get("/programmes/course/No such course").status_code == 404
