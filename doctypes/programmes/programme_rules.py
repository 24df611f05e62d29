"""The iGOT programme's rules: eligibility (explained rule by rule), the registration window,
the certificate rule, the credit ledger, nominations and fee-claim totals.

The rules are data: a Programme record holds the eligible categories (service and group),
the minimum years of service, the age limit and the day it is reckoned on, and the fee limit;
Committee Decisions hold the shortlist; Credit Thresholds hold the points a level needs.
The defaults are those of DoPT OM No. T-16017/42/2018-Trg (TFA) of 17 May 2019 and the 2020
iGOT criteria.
"""

from __future__ import annotations

import datetime as dt

from app.errors import ValidationError

CERTIFIED = "Certified"


def _date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def age_on(born: dt.date, day: dt.date) -> int:
    """Completed years on ``day`` (one is 56 from the 56th birthday until the day before the 57th)."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def N_(message: str) -> str:
    """Marks a message for translation where it is shown (the learner portal translates
    ``words``); the API's ``reason`` stays in English."""
    return message


def _indian(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else ""


def _rule(rule: str, passed: bool, reason: str, words: str | None = None, **params) -> dict:
    """A rule's outcome: ``reason`` in English (ISO dates), and ``words``, the same reason as a
    message to translate and its values (Indian dates), for pages people read."""
    return {"rule": rule, "pass": passed, "reason": reason, "words": [words, params] if words else None}


def eligibility_lines(ctx, answer, record: dict | None = None) -> list[str]:
    """An eligibility answer as the officer reads it in the portal, for the people who check
    it: "Eligible" or "Not eligible", then each rule, met or not, with its reason in words
    (Indian dates), never the stored message with its placeholders."""
    if not isinstance(answer, dict):
        return [] if answer in (None, "") else [str(answer)]
    lines = ["Eligible" if answer.get("eligible") else "Not eligible"]
    for r in answer.get("rules") or []:
        words = r.get("words")
        try:
            reason = words[0] % words[1] if words else r.get("reason", "")
        except (KeyError, TypeError, ValueError, IndexError):
            reason = r.get("reason", "")
        lines.append(f"{str(r.get('rule', '')).capitalize()}: {'met' if r.get('pass') else 'not met'} ({reason})")
    return lines


def _cached(cache: dict | None, key, load):
    """``load()``, once per ``key`` when a cache is given (one officer against many offerings)."""
    if cache is None:
        return load()
    if key not in cache:
        cache[key] = load()
    return cache[key]


def shortlisted(db, course: str, service: str | None, group: str | None) -> dict | None:
    """The submitted committee decision that opens ``course`` to the category, if any."""
    for decision in db["committee_decision"].find({"docstatus": 1, "courses.course": course}).sort("meeting_date", -1):
        if any(c.get("service") == service and c.get("group") == group for c in decision.get("categories", [])):
            return decision
    return None


def eligibility(db, officer: dict, offering: dict, today: dt.date | None = None, cache: dict | None = None) -> dict:
    """Every rule, with pass or fail and the reason in words; ``eligible`` if all pass.
    ``officer`` and ``offering`` are stored documents (``_id``)."""
    course = _cached(cache, ("course", offering["course"]), lambda: db["course"].find_one({"_id": offering["course"]}) or {})
    programme = _cached(
        cache, ("programme", course.get("programme")), lambda: db["programme"].find_one({"_id": course.get("programme")}) or {}
    )
    starts = _date(offering.get("starts_on"))
    rules = []
    service, group = officer.get("service"), officer.get("group")
    categories = {(c.get("service"), c.get("group")) for c in programme.get("categories", [])}
    who = f"{service or 'no service'}, Group '{group or '?'}'"
    inside = (service, group) in categories
    rules.append(
        _rule(
            "category",
            inside,
            f"{who} is {'one' if inside else 'not one'} of the categories of {programme.get('_id', 'the programme')}",
            N_("%(who)s is one of the categories of %(programme)s")
            if inside
            else N_("%(who)s is not one of the categories of %(programme)s"),
            who=who,
            programme=programme.get("_id", ""),
        )
    )
    years = int(programme.get("min_service_years", 2))
    allotted = officer.get("year_of_allotment")
    if allotted is None:
        rules.append(
            _rule(
                "length of service",
                False,
                "the year of allotment (joining) of service is not recorded",
                N_("the year of allotment (joining) of service is not recorded"),
            )
        )
    else:
        eligible_from = dt.date(int(allotted) + years + 1, 1, 1)
        ok = starts is not None and starts >= eligible_from
        rules.append(
            _rule(
                "length of service",
                ok,
                f"allotted in {allotted}: {years} years from the end of {allotted} is {eligible_from.isoformat()}; "
                f"the training commences {starts.isoformat() if starts else 'on an unknown date'}"
                + ("" if ok else ", before that"),
                N_(
                    "allotted in %(year)s: %(years)s years from the end of %(year)s is %(date)s; the training commences %(starts)s"
                )
                if ok
                else N_(
                    "allotted in %(year)s: %(years)s years from the end of %(year)s is %(date)s; "
                    "the training commences %(starts)s, before that"
                ),
                year=allotted,
                years=years,
                date=_indian(eligible_from),
                starts=_indian(starts) or "?",
            )
        )
    limit = int(programme.get("max_age", 56))
    month, day = (int(x) for x in str(programme.get("age_on", "07-01")).split("-"))
    born = _date(officer.get("date_of_birth"))
    if born is None or starts is None:
        why = N_("the date of birth is not recorded") if born is None else N_("the offering has no start date")
        rules.append(_rule("age", False, why, why))
    else:
        on = dt.date(starts.year, month, day)
        age = age_on(born, on)
        rules.append(
            _rule(
                "age",
                age <= limit,
                f"born {born.isoformat()}: {age} on {on.isoformat()}, "
                f"{'within' if age <= limit else 'over'} the limit of {limit}",
                N_("born %(born)s: %(age)s on %(on)s, within the limit of %(limit)s")
                if age <= limit
                else N_("born %(born)s: %(age)s on %(on)s, over the limit of %(limit)s"),
                born=_indian(born),
                age=age,
                on=_indian(on),
                limit=limit,
            )
        )
    decision = _cached(
        cache, ("shortlist", offering["course"], service, group), lambda: shortlisted(db, offering["course"], service, group)
    )
    rules.append(
        _rule(
            "shortlist",
            decision is not None,
            f"the course selection committee shortlisted {offering['course']} for {who}"
            + (f" ({decision['_id']} of {decision.get('meeting_date')})" if decision else ": no decision does"),
            N_("the course selection committee shortlisted %(course)s for %(who)s (%(decision)s of %(date)s)")
            if decision
            else N_("no decision of the course selection committee shortlists %(course)s for %(who)s"),
            course=offering["course"],
            who=who,
            decision=(decision or {}).get("_id", ""),
            date=_indian(_date((decision or {}).get("meeting_date"))),
        )
    )
    if course.get("status") != "Open":
        rules.append(
            _rule(
                "course open",
                False,
                f"{offering['course']} is {course.get('status') or 'not open'}",
                N_("%(course)s is not open for registration"),
                course=offering["course"],
            )
        )
    return {
        "officer": officer["_id"],
        "offering": offering["_id"],
        "course": offering["course"],
        "programme": programme.get("_id"),
        "eligible": all(r["pass"] for r in rules),
        "rules": rules,
    }


def registration_open(offering: dict, today: dt.date) -> tuple[bool, str]:
    opens, last = _date(offering.get("registration_opens")), _date(offering.get("registration_last_date"))
    ok = opens <= today <= last
    return ok, (
        f"registration for {offering.get('label') or offering['_id']} is open from {opens.isoformat()} "
        f"to {last.isoformat()}; today is {today.isoformat()}"
    )


def course_end(offering: dict, course: dict) -> dt.date | None:
    """The last day of an offering's run: its start and the course's weeks (the start, when
    the course gives no length)."""
    start = _date(offering.get("starts_on"))
    if start is None:
        return None
    weeks = int(course.get("weeks") or 0)
    return start + dt.timedelta(days=7 * weeks - 1) if weeks else start


def not_run_yet(offering: dict, course: dict, today: dt.date) -> str | None:
    """Why an enrolment's result may not be recorded yet: its course has not run (None: it
    has). Training Division certifies after the run, when the grades are in."""
    end = course_end(offering, course)
    if end is None or today > end:
        return None
    start = _date(offering.get("starts_on"))
    run = f"runs from {_indian(start)} to {_indian(end)}" if end != start else f"starts on {_indian(start)}"
    return f"{course.get('title') or offering.get('course')} ({offering.get('label') or offering['_id']}) {run}; today is {_indian(today)}"


def check_certificate(course: dict, grade, exam: str | None) -> list[str]:
    """Why a certificate may not be issued (empty: it may)."""
    problems = []
    minimum = float(course.get("min_grade", 50) or 0)
    if grade is None:
        problems.append("the final online grade is not recorded")
    elif float(grade) < minimum:
        problems.append(f"the final online grade {float(grade):g}% is below {minimum:g}%")
    if course.get("proctored_exam", True) and exam != "Passed":
        problems.append(f"the in-person proctored exam is {(exam or 'Pending').lower()}, not passed")
    return problems


# the credit ledger ----------------------------------------------------------------------------


def credit_balance(db, officer: str) -> int:
    return sum(int(e.get("points", 0)) for e in db["credit_ledger"].find({"officer": officer}, {"points": 1}))


def post_course_credits(ctx, enrolment: dict, course: dict) -> str | None:
    """The certified course's credit points (the sum of its modules), once per enrolment."""
    from app.errors import DuplicateEntry, ValidationError
    from app.model import lifecycle

    points = sum(int(m.get("credit_points") or 0) for m in course.get("modules", []))
    key = f"enrolment:{enrolment['name']}"
    if points <= 0 or ctx.site.unguarded("credit_ledger").find_one({"issue_key": key}, {"_id": 1}):
        return None
    try:
        return lifecycle.insert(
            ctx.as_system(),
            "Credit Entry",
            {
                "officer": enrolment["officer"],
                "points": points,
                "source": "Course Certificate",
                "reference": enrolment["name"],
                "course": course["_id"],
                "posted_on": ctx.now().date().isoformat(),
                "issue_key": key,
            },
        ).name
    except (DuplicateEntry, ValidationError) as exc:  # refused by the unique check or the index
        if "issue_key" in exc.errors:
            return None  # posted at the same moment by another request
        raise


def micromasters_completer(db, officer: str) -> bool:
    """Certified in every MicroMasters course (each with its proctored exam)."""
    courses = {c["_id"] for c in db["course"].find({"is_micromasters": True}, {"_id": 1})}
    done = {e["course"] for e in db["enrolment"].find({"officer": officer, "workflow_state": CERTIFIED}, {"course": 1})}
    return bool(courses) and courses <= done


def threshold(db, level: str, programme_type: str) -> int | None:
    row = db["credit_threshold"].find_one({"level": level, "programme_type": programme_type})
    return int(row["points"]) if row else None


def nomination_decision(db, officer: dict, programme: dict) -> dict:
    balance = credit_balance(db, officer["_id"])
    need = threshold(db, programme.get("level"), programme.get("programme_type"))
    completer = micromasters_completer(db, officer["_id"])
    reasons = []
    if officer.get("group") != programme.get("level"):
        reasons.append(
            f"the programme is for Group '{programme.get('level')}' officers; the officer is Group '{officer.get('group')}'"
        )
    if need is None:
        reasons.append(
            f"no credit threshold is set for Group '{programme.get('level')}' {programme.get('programme_type', '').lower()} programmes"
        )
    elif balance < need:
        reasons.append(
            f"{balance} credit points, below the {need} needed for {programme.get('programme_type', '').lower()} programmes"
        )
    eligible = not reasons
    text = f"{balance} credit points against {need} needed: eligible" if eligible else "; ".join(reasons)
    text = text[:1].upper() + text[1:]
    if completer:
        text += ". Completed all MicroMasters courses: priority in DFFT nominations"
    return {
        "credit_balance": balance,
        "threshold": need,
        "eligible": eligible,
        "micromasters_completer": completer,
        "decision": text + ".",
    }


def ranked_nominees(ctx, training_programme: str) -> list[dict]:
    """Eligible nominees first, MicroMasters completers ahead, then by credit balance."""
    from app import query

    rows, _ = query.get_list(
        ctx, "Nomination", filters={"training_programme": training_programme}, limit=query.MAX_LIMIT, with_total=False
    )
    rows.sort(
        key=lambda r: (
            not r.get("eligible"),
            not r.get("micromasters_completer"),
            -(r.get("credit_balance") or 0),
            r.get("officer_name") or "",
        )
    )
    return [
        {
            "rank": i,
            **{
                k: r.get(k)
                for k in (
                    "name",
                    "officer",
                    "officer_name",
                    "mdo",
                    "credit_balance",
                    "threshold",
                    "micromasters_completer",
                    "eligible",
                    "decision",
                )
            },
        }
        for i, r in enumerate(rows, 1)
    ]


def claim_totals(ctx, by: str = "mdo") -> list[dict]:
    """Fee claims totalled by MDO, course or month, per state: for finance and the training
    division (an MDO Admin sees their MDOs' totals)."""
    from app import query

    ctx.access.require("see_claim_totals", "see claim totals")

    if by not in ("mdo", "course", "month"):
        raise ValidationError("by must be mdo, course or month", errors={"by": ["must be mdo, course or month"]})
    # A few thousand claims a year: read once (scoped by the access layer) and totalled here,
    # in the query subset every server implements.
    totals: dict[tuple, dict] = {}
    for claim in query.aggregate(
        ctx,
        "Reimbursement Claim",
        [
            {
                "$project": {
                    "mdo": 1,
                    "course": 1,
                    "creation": 1,
                    "workflow_state": 1,
                    "currency": 1,
                    "amount_paid": 1,
                    "approved_amount": 1,
                }
            }
        ],
    ):
        key = claim["creation"].strftime("%Y-%m") if by == "month" else claim.get(by)
        row = totals.setdefault(
            (key, claim.get("workflow_state"), claim.get("currency")), {"claims": 0, "claimed": 0, "approved": 0}
        )
        row["claims"] += 1
        row["claimed"] += claim.get("amount_paid") or 0
        row["approved"] += claim.get("approved_amount") or 0
    return [
        {
            by: key,
            "state": state,
            "currency": currency,
            "claims": row["claims"],
            "claimed": round(row["claimed"], 2),
            "approved": round(row["approved"], 2),
        }
        for (key, state, currency), row in sorted(totals.items(), key=lambda kv: (str(kv[0][0]), str(kv[0][1])))
    ]


def eligible_offerings(ctx, officer_name: str, today: dt.date | None = None) -> list[dict]:
    """Offerings open for registration today, each with the officer's eligibility answer."""
    from app.model import lifecycle, persistence

    officer = persistence.to_db(lifecycle.get(ctx, "Officer", officer_name).as_dict())
    today = today or ctx.now().date()
    db = ctx.site.unguarded_db
    out, cache = [], {}
    for offering in db["course_offering"].find({"registration_last_date": {"$gte": today.isoformat()}}).sort("starts_on", 1):
        if offering.get("registration_opens", "") > today.isoformat():
            continue
        answer = eligibility(db, officer, offering, today, cache)
        out.append(
            {
                "offering": offering["_id"],
                "label": offering.get("label"),
                "course": offering["course"],
                "starts_on": offering.get("starts_on"),
                "registration_last_date": offering.get("registration_last_date"),
                "eligible": answer["eligible"],
                "rules": answer["rules"],
            }
        )
    return out
