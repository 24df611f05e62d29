"""The iGOT programme's rules, at their edges: eligibility (service and group for both
programmes, length of service, age on 1 July), the registration window, the certificate rule,
the one-time passbook and credit entries, fee claims, credit thresholds and nominations."""

import datetime as dt
import io

import pytest

from app import files
from app.errors import IgotError
from app.model import lifecycle, transitions
from doctypes.frac import frac
from doctypes.programmes import programme_rules as programme

from .conftest import add_user, token_client

POWER = "Ministry of Power"
MITX = "MITx MicroMasters 2019"
POVERTY = "The Challenges of Global Poverty"
GANDHI = "Relevance of Gandhi in the Contemporary World"
TODAY = dt.date.today()


def offering_for(db, course, starts="2019-05-21"):
    return {
        "_id": "OFR-T",
        "course": course,
        "starts_on": starts,
        "registration_opens": "2019-05-01",
        "registration_last_date": starts,
    }


def officer(service="IAS", group="A", born="1980-01-01", allotted=2010):
    return {"_id": "OFF-T", "service": service, "group": group, "date_of_birth": born, "year_of_allotment": allotted}


def rule(answer, name):
    return next(r for r in answer["rules"] if r["rule"] == name)


# eligibility ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "born, passes",
    [
        ("1963-07-01", True),  # 56th birthday on 1 July 2019 itself: 56, not over
        ("1962-07-02", True),  # 57 only from 2 July 2019
        ("1962-07-01", False),  # 57 on 1 July 2019
        ("1962-03-10", False),
    ],
)
def test_age_on_first_july_of_the_training_year(mock_site, born, passes):
    answer = programme.eligibility(mock_site.db, officer(born=born), offering_for(mock_site.db, POVERTY))
    assert rule(answer, "age")["pass"] is passes
    if born == "1962-03-10":
        assert rule(answer, "age")["reason"] == "born 1962-03-10: 57 on 2019-07-01, over the limit of 56"


@pytest.mark.parametrize(
    "allotted, starts, passes",
    [
        (2017, "2020-01-01", True),  # two years from the end of 2017: 1 January 2020
        (2017, "2019-12-31", False),
        (2018, "2020-03-15", False),
        (2016, "2019-05-21", True),
    ],
)
def test_length_of_service_counts_from_the_end_of_the_allotment_year(mock_site, allotted, starts, passes):
    answer = programme.eligibility(mock_site.db, officer(allotted=allotted), offering_for(mock_site.db, POVERTY, starts))
    assert rule(answer, "length of service")["pass"] is passes
    assert (
        f"allotted in {allotted}: 2 years from the end of {allotted} is {allotted + 3}-01-01"
        in rule(answer, "length of service")["reason"]
    )


MITX_OK = {("IAS", "A"), ("IPS", "A"), ("IFoS", "A"), ("CCS", "A"), ("CSS", "A"), ("CSSS", "A"), ("SCS", "A")}
IGOT_OK = MITX_OK | {(s, g) for s in ("SCS", "CSS", "CSSS") for g in ("B", "C")}


@pytest.mark.parametrize("service", ["IAS", "IPS", "IFoS", "CCS", "CSS", "CSSS", "SCS"])
@pytest.mark.parametrize("group", ["A", "B", "C"])
def test_each_service_and_group_for_both_programmes(mock_site, service, group):
    for course, allowed in ((POVERTY, MITX_OK), (GANDHI, IGOT_OK)):
        answer = programme.eligibility(mock_site.db, officer(service, group), offering_for(mock_site.db, course))
        assert rule(answer, "category")["pass"] is ((service, group) in allowed), (course, service, group)
        assert rule(answer, "shortlist")["pass"] is ((service, group) in allowed), (course, service, group)
        assert answer["eligible"] is ((service, group) in allowed)


def test_the_rules_are_data(mock_site):
    ctx = mock_site.context()
    lifecycle.save(ctx, "Programme", MITX, {"max_age": 57, "min_service_years": 3})
    answer = programme.eligibility(mock_site.db, officer(born="1962-03-10", allotted=2016), offering_for(mock_site.db, POVERTY))
    assert rule(answer, "age")["pass"] and not rule(answer, "length of service")["pass"]


def test_a_course_opens_only_after_a_committee_decision(mock_site):
    ctx = mock_site.context()
    lifecycle.insert(
        ctx,
        "Course",
        {"title": "Public Procurement on GeM", "provider": "DoPT", "programme": "iGOT 2020", "mode": "Hosted Module"},
    )
    with pytest.raises(Exception) as refused:
        lifecycle.save(ctx, "Course", "Public Procurement on GeM", {"status": "Open"})
    assert "committee decision" in str(refused.value.errors["status"])
    answer = programme.eligibility(
        mock_site.db, officer("CSS", "B"), offering_for(mock_site.db, "Public Procurement on GeM", "2020-03-01")
    )
    assert not rule(answer, "shortlist")["pass"] and not rule(answer, "course open")["pass"]
    decision = lifecycle.insert(
        ctx,
        "Committee Decision",
        {
            "subject": "GeM course",
            "meeting_date": "2020-02-01",
            "courses": [{"course": "Public Procurement on GeM", "certification_mode": "Completion of all units"}],
            "categories": [{"service": "CSS", "group": "B"}],
        },
    )
    assert (
        mock_site.db["course"].find_one({"_id": "Public Procurement on GeM"})["status"] == "Draft"
    )  # a draft decision opens nothing
    lifecycle.submit(ctx, "Committee Decision", decision.name)
    assert mock_site.db["course"].find_one({"_id": "Public Procurement on GeM"})["status"] == "Open"
    answer = programme.eligibility(
        mock_site.db, officer("CSS", "B"), offering_for(mock_site.db, "Public Procurement on GeM", "2020-03-01")
    )
    assert answer["eligible"]
    assert not programme.eligibility(
        mock_site.db, officer("CSS", "C"), offering_for(mock_site.db, "Public Procurement on GeM", "2020-03-01")
    )["eligible"]


@pytest.mark.parametrize(
    "grade, exam, problems",
    [
        (49.9, "Passed", ["the final online grade 49.9% is below 50%"]),
        (50, "Passed", []),
        (80, "Failed", ["the in-person proctored exam is failed, not passed"]),
        (None, "Pending", ["the final online grade is not recorded", "the in-person proctored exam is pending, not passed"]),
    ],
)
def test_certificate_rule(mock_site, grade, exam, problems):
    course = mock_site.db["course"].find_one({"_id": POVERTY})
    assert programme.check_certificate(course, grade, exam) == problems


# enrolment to certificate, through the API ------------------------------------------------------


@pytest.fixture
def world(mock_site):
    site, ctx = mock_site, mock_site.context()
    users = {
        "admin": ("nodal@power.gov.in", ["MDO Admin"], [POWER]),
        "td": ("trg@dopt.gov.in", ["Training Division"], []),
        "td2": ("trg2@dopt.gov.in", ["Training Division"], []),
        "fin": ("fin@dopt.gov.in", ["Finance"], []),
        "fin2": ("fin2@dopt.gov.in", ["Finance"], []),
    }
    from app.web import create_app

    app, c = create_app(site=site), {}
    for key, (email, roles, mdos) in users.items():
        add_user(site, email, roles, mdos)
        c[key] = token_client(site, email, app=app)
    start = TODAY + dt.timedelta(days=30)
    off = lifecycle.insert(
        ctx,
        "Course Offering",
        {
            "course": POVERTY,
            "session": "Other",
            "starts_on": start.isoformat(),
            "registration_opens": (TODAY - dt.timedelta(days=5)).isoformat(),
            "registration_last_date": (TODAY + dt.timedelta(days=5)).isoformat(),
        },
    ).name
    closed = lifecycle.insert(
        ctx,
        "Course Offering",
        {
            "course": POVERTY,
            "session": "Other",
            "starts_on": start.isoformat(),
            "registration_opens": (TODAY - dt.timedelta(days=20)).isoformat(),
            "registration_last_date": (TODAY - dt.timedelta(days=1)).isoformat(),
        },
    ).name
    born = dt.date(start.year - 40, 1, 1).isoformat()
    asha = lifecycle.insert(
        ctx,
        "Officer",
        {
            "full_name": "Asha Rao",
            "email": "asha@power.gov.in",
            "service": "CSS",
            "group": "A",
            "mdo": POWER,
            "date_of_birth": born,
            "year_of_allotment": 2010,
        },
    ).name
    old = lifecycle.insert(
        ctx,
        "Officer",
        {
            "full_name": "Old Timer",
            "email": "old@power.gov.in",
            "service": "CSS",
            "group": "B",
            "mdo": POWER,
            "date_of_birth": dt.date(start.year - 60, 1, 1).isoformat(),
            "year_of_allotment": start.year - 1,
        },
    ).name
    from app import auth

    for email in ("asha@power.gov.in", "old@power.gov.in"):
        auth.set_password(site, email, "a long password")
        c[email] = token_client(site, email, app=app)
    return {"site": site, "c": c, "offering": off, "closed": closed, "asha": asha, "old": old}


def course_has_run(site, offering):
    """The offering's run is over (its start moved back past the course's weeks)."""
    weeks = (site.db.course.find_one({"_id": site.db.course_offering.find_one({"_id": offering})["course"]}) or {}).get("weeks")
    start = TODAY - dt.timedelta(days=7 * int(weeks or 0) + 1)
    site.db.course_offering.update_one({"_id": offering}, {"$set": {"starts_on": start.isoformat()}})


def call(client, method, path, body=None, status=None):
    r = getattr(client, method)(f"/api/{path}", json=body) if method != "get" else client.get(f"/api/{path}")
    if status is not None:
        assert r.status_code == status, (path, r.status_code, r.json)
    return r


def act(client, doctype, name, action, comment=None, status=200):
    return call(client, "post", f"resource/{doctype}/{name}/transition", {"action": action, "comment": comment}, status)


def test_enrolment_to_certificate_and_claim(world):
    c, site = world["c"], world["site"]
    me = c["asha@power.gov.in"]
    answer = call(me, "get", f"method/eligibility?officer={world['asha']}&offering={world['offering']}", status=200).json["data"]
    assert answer["eligible"] and answer["registration_open"]
    listed = call(me, "get", f"method/eligible_courses?officer={world['asha']}", status=200).json["data"]
    assert any(o["offering"] == world["offering"] and o["eligible"] for o in listed)
    assert all(o["offering"] != world["closed"] for o in listed)

    refused = call(me, "post", "resource/Enrolment", {"officer": world["asha"], "offering": world["closed"]}, 400).json
    assert "registration for" in refused["errors"]["offering"][0] and "today is" in refused["errors"]["offering"][0]
    enr = call(me, "post", "resource/Enrolment", {"officer": world["asha"], "offering": world["offering"]}, 201).json["data"]
    assert enr["workflow_state"] == "Registered" and enr["eligibility"]["eligible"] and enr["course"] == POVERTY
    again = call(me, "post", "resource/Enrolment", {"officer": world["asha"], "offering": world["offering"]}, 400).json
    assert "already enrolled" in again["errors"]["offering"][0]

    name = enr["name"]
    call(me, "put", f"resource/Enrolment/{name}", {"exam_result": "Passed", "final_grade": 100}, 403)  # results are DoPT's
    moved = call(me, "put", f"resource/Enrolment/{name}", {"offering": world["closed"]}, 400).json
    assert "fixed at registration" in moved["errors"]["offering"][0]
    form = act(me, "Enrolment", name, "Submit Eligibility Form", status=400).json
    assert {"cadre_intimated_on", "eligibility_form"} <= set(form["errors"])
    call(
        me,
        "put",
        f"resource/Enrolment/{name}",
        {"cadre_intimated_on": TODAY.isoformat(), "eligibility_form_submitted": True, "cadre_approval_required": True},
        200,
    )  # ticking the box is not submitting the form: the upload is
    assert "eligibility_form" in act(me, "Enrolment", name, "Submit Eligibility Form", status=400).json["errors"]
    upload = me.post(
        f"/api/resource/Enrolment/{name}/attach/eligibility_form",
        data={"file": (io.BytesIO(b"%PDF-1.4 signed eligibility form"), "form.pdf")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 200, upload.json
    assert upload.json["data"]["eligibility_form_submitted"] is True
    assert "cadre_approval_ref" in act(me, "Enrolment", name, "Submit Eligibility Form", status=400).json["errors"]
    call(me, "put", f"resource/Enrolment/{name}", {"cadre_approval_ref": "CCA/2026/118"}, 200)
    act(me, "Enrolment", name, "Submit Eligibility Form")
    act(me, "Enrolment", name, "Confirm", status=403)
    act(c["td"], "Enrolment", name, "Confirm")
    confirmed = call(me, "get", f"resource/Enrolment/{name}").json["data"]
    assert confirmed["coupon_code"].startswith("IGOT-")
    call(
        me, "put", f"resource/Enrolment/{name}", {"final_grade": 99, "exam_result": "Passed"}, 403
    )  # the officer records no grade
    call(me, "put", f"resource/Enrolment/{name}", {"progress": 60}, 200)  # but reports progress

    call(c["td"], "put", f"resource/Enrolment/{name}", {"final_grade": 49.9, "exam_result": "Passed"}, 200)
    early = act(c["td"], "Enrolment", name, "Issue Certificate", status=400).json
    assert "no certificate before the course has run" in early["errors"]["offering"][0]
    course_has_run(site, world["offering"])
    low = act(c["td"], "Enrolment", name, "Issue Certificate", status=400).json
    assert "49.9% is below 50%" in low["errors"]["final_grade"][0]
    call(c["td"], "put", f"resource/Enrolment/{name}", {"final_grade": 50, "exam_result": "Failed"}, 200)
    assert "exam_result" in act(c["td"], "Enrolment", name, "Issue Certificate", status=400).json["errors"]
    call(c["td"], "put", f"resource/Enrolment/{name}", {"exam_result": "Passed"}, 200)
    act(c["td"], "Enrolment", name, "Issue Certificate")
    done = call(me, "get", f"resource/Enrolment/{name}").json["data"]
    assert done["workflow_state"] == "Certified" and done["certificate_no"] == f"IGOT/{TODAY.year}/{name}"
    certs = call(me, "get", "resource/Certificate", status=200).json["data"]  # the officer's own, with its PDF
    assert [(x["enrolment"], x["course"], x["status"]) for x in certs] == [(name, POVERTY, "Valid")]
    pdf = call(me, "get", f"file/{certs[0]['pdf']}", status=200).data
    from .test_certificates import pdf_text

    assert certs[0]["code"] in pdf_text(pdf) and "Department of Personnel and Training" in pdf_text(pdf)

    # the passbook and the credit ledger, exactly once
    book = site.db["passbook_entry"].find({"officer": world["asha"]})
    assert [(e["competency"], e["level"], e["source"]) for e in book] == [("Development Economics", 2, "Course Completion")]
    credits = call(me, "get", f"method/credits?officer={world['asha']}", status=200).json["data"]
    assert credits["balance"] == 20 and len(credits["ledger"]) == 1
    ctx = site.context()
    stored = site.db["enrolment"].find_one({"_id": name}) | {"name": name}
    course = site.db["course"].find_one({"_id": POVERTY})
    assert programme.post_course_credits(ctx, stored, course) is None
    assert (
        frac.record_course_completion(
            ctx, world["asha"], POVERTY, done["certificate_no"], [("Development Economics", 2)], TODAY.isoformat()
        )
        == []
    )
    assert site.db["credit_ledger"].count_documents({}) == 1 and site.db["passbook_entry"].count_documents({}) == 1

    # fee reimbursement
    claim = {"enrolment": name, "amount_paid": 100, "currency": "USD", "proof": _proof(site)}
    over = call(me, "post", "resource/Reimbursement Claim", {**claim, "amount_paid": 100.01}, 400).json
    assert "over the 100 USD" in over["errors"]["amount_paid"][0]
    filed = call(me, "post", "resource/Reimbursement Claim", claim, 201).json["data"]
    assert filed["workflow_state"] == "Submitted" and filed["course"] == POVERTY and filed["approved_amount"] == 100
    dup = call(me, "post", "resource/Reimbursement Claim", claim, 400).json
    assert "must be unique" in dup["errors"]["enrolment"][0]  # one claim per certificate
    act(c["fin"], "Reimbursement Claim", filed["name"], "Approve", status=400)  # not verified yet
    act(c["td"], "Reimbursement Claim", filed["name"], "Verify")
    act(c["fin"], "Reimbursement Claim", filed["name"], "Approve")
    assert "maker-checker" in act(c["fin"], "Reimbursement Claim", filed["name"], "Pay", status=403).json["message"]
    pay = f"resource/Reimbursement Claim/{filed['name']}/transition"
    call(
        c["fin2"],
        "post",
        pay,
        {"action": "Pay", "values": {"paid_on": TODAY.strftime("%d/%m/%Y"), "payment_reference": "SBIN426012345678"}},
        200,
    )
    paid = call(me, "get", f"resource/Reimbursement Claim/{filed['name']}").json["data"]
    assert paid["workflow_state"] == "Paid" and paid["paid_on"] == TODAY.isoformat()
    assert (paid["payment_reference"], paid["amount_paid_inr"], paid["approved_amount_inr"]) == ("SBIN426012345678", 8500, 8500)
    totals = call(c["fin"], "get", "method/claim_totals?by=mdo", status=200).json["data"]
    assert totals == [{"mdo": POWER, "state": "Paid", "currency": "USD", "claims": 1, "claimed": 100, "approved": 100}]
    assert call(c["fin"], "get", "method/claim_totals?by=course").json["data"][0]["course"] == POVERTY
    assert call(c["fin"], "get", "method/claim_totals?by=month").json["data"][0]["month"] == TODAY.strftime("%Y-%m")
    call(me, "get", "method/claim_totals?by=mdo", status=403)


def _proof(site, uploader="asha@power.gov.in"):
    """The officer's upload of their receipt (a file is attached by the one who uploaded it)."""
    import io

    from app import files
    from app.auth import context_for

    return files.store(context_for(site, uploader), io.BytesIO(b"%PDF-1.4 receipt\n%%EOF\n"), "receipt.pdf", accept=["pdf"])


def test_an_ineligible_officer_is_refused_with_the_reasons(world):
    me = world["c"]["old@power.gov.in"]
    refused = call(me, "post", "resource/Enrolment", {"officer": world["old"], "offering": world["offering"]}, 400).json
    message = refused["errors"]["officer"][0]
    assert "not eligible" in message and "over the limit of 56" in message and "CSS, Group 'B'" in message
    assert world["site"].db["enrolment"].count_documents({}) == 0


def test_a_claim_needs_an_issued_certificate_of_ones_own(world):
    c = world["c"]
    me = c["asha@power.gov.in"]
    enr = call(me, "post", "resource/Enrolment", {"officer": world["asha"], "offering": world["offering"]}, 201).json["data"]
    claim = {"enrolment": enr["name"], "amount_paid": 100, "currency": "USD", "proof": _proof(world["site"])}
    refused = call(me, "post", "resource/Reimbursement Claim", claim, 400).json
    assert "Certified" in refused["errors"]["enrolment"][0]
    # another officer cannot claim on Asha's enrolment: it is not theirs to see
    assert call(c["old@power.gov.in"], "post", "resource/Reimbursement Claim", claim).status_code in (400, 403, 404)


# credit thresholds and nominations --------------------------------------------------------------


def _credit(ctx, officer, points, ref):
    lifecycle.insert(
        ctx,
        "Credit Entry",
        {"officer": officer, "points": points, "source": "Adjustment", "reference": ref, "posted_on": "2026-01-01"},
    )


def test_thresholds_and_the_ranked_nominees(mock_site):
    ctx = mock_site.context()
    names = {}
    for key, group in (("a", "A"), ("b", "A"), ("m", "A"), ("c", "B")):
        names[key] = lifecycle.insert(
            ctx,
            "Officer",
            {"full_name": f"Officer {key}", "email": f"{key}@power.gov.in", "service": "CSS", "group": group, "mdo": POWER},
        ).name
    _credit(ctx, names["a"], 39, "x1")
    _credit(ctx, names["b"], 80, "x2")
    _credit(ctx, names["m"], 40, "x3")
    _credit(ctx, names["c"], 100, "x4")
    for course in mock_site.db["course"].find({"is_micromasters": True}):  # m completed every MicroMasters course
        mock_site.db["enrolment"].insert_one(
            {"_id": f"E-{course['_id']}", "officer": names["m"], "course": course["_id"], "workflow_state": "Certified"}
        )
    dom = lifecycle.insert(
        ctx,
        "Training Programme",
        {"programme_title": "Leadership for Directors, LBSNAA", "programme_type": "Domestic", "level": "A"},
    ).name
    foreign = lifecycle.insert(
        ctx,
        "Training Programme",
        {"programme_title": "Public Policy, Harvard Kennedy School", "programme_type": "Foreign", "level": "A", "dfft": True},
    ).name
    decided = {
        k: lifecycle.insert(ctx, "Nomination", {"officer": names[k], "training_programme": dom}) for k in ("a", "b", "m", "c")
    }
    assert (decided["a"].eligible, decided["a"].decision) == (
        False,
        "39 credit points, below the 40 needed for domestic programmes.",
    )
    assert decided["m"].eligible and decided["m"].micromasters_completer and "priority in DFFT" in decided["m"].decision
    assert not decided["c"].eligible and "for Group 'A' officers" in decided["c"].decision
    ranked = programme.ranked_nominees(ctx, dom)
    assert [r["officer"] for r in ranked] == [names["m"], names["b"], names["c"], names["a"]]  # eligible, completers, balance
    assert lifecycle.insert(ctx, "Nomination", {"officer": names["b"], "training_programme": foreign}).eligible  # 80 for foreign
    assert not lifecycle.insert(ctx, "Nomination", {"officer": names["m"], "training_programme": foreign}).eligible
    lifecycle.save(
        ctx,
        "Credit Threshold",
        mock_site.db["credit_threshold"].find_one({"level": "A", "programme_type": "Domestic"})["_id"],
        {"points": 30},
    )
    assert lifecycle.save(ctx, "Nomination", decided["a"].name, {}).eligible  # thresholds are data
    with pytest.raises(IgotError):
        lifecycle.insert(ctx, "Nomination", {"officer": names["a"], "training_programme": dom})  # once per programme


def test_credit_ledger_is_read_only_and_private(world):
    c = world["c"]
    _credit(world["site"].context(), world["asha"], 5, "adj")
    assert call(c["asha@power.gov.in"], "get", f"method/credits?officer={world['asha']}").json["data"]["balance"] == 5
    call(c["old@power.gov.in"], "get", f"method/credits?officer={world['asha']}", status=404)
    assert (
        call(
            c["asha@power.gov.in"],
            "post",
            "resource/Credit Entry",
            {"officer": world["asha"], "points": 100, "source": "Adjustment", "posted_on": "2026-01-01"},
        ).status_code
        == 403
    )
    assert (
        call(
            c["admin"],
            "post",
            "resource/Credit Entry",
            {"officer": world["asha"], "points": 100, "source": "Adjustment", "posted_on": "2026-01-01"},
        ).status_code
        == 403
    )


def test_completing_every_micromasters_course_marks_the_officer(world):
    site, ctx = world["site"], world["site"].context()
    others = [c["_id"] for c in site.db["course"].find({"is_micromasters": True}) if c["_id"] != POVERTY]
    for course in others:  # certified earlier
        site.db["enrolment"].insert_one(
            {"_id": f"E-{course}", "officer": world["asha"], "course": course, "workflow_state": "Certified"}
        )
    enr = lifecycle.insert(
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
        transitions.apply(ctx, "Enrolment", enr, action)
    assert not site.db["officer"].find_one({"_id": world["asha"]}).get("mit_masters_eligible")
    lifecycle.save(ctx, "Enrolment", enr, {"final_grade": 61, "exam_result": "Passed"})
    course_has_run(site, world["offering"])
    transitions.apply(ctx, "Enrolment", enr, "Issue Certificate")
    assert site.db["officer"].find_one({"_id": world["asha"]})["mit_masters_eligible"] is True
