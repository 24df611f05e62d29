"""The learner portal at the site's root: who gets in, what an officer sees of their own
learning (and nothing of anyone else's), and the pages in Hindi as in English."""

import datetime as dt
import re

import pytest

from app import auth
from app.model import lifecycle

from . import frac_world
from .conftest import PASSWORD

POWER, BUDGET = frac_world.POWER, frac_world.BUDGET
PAGES = ("/learning", "/catalogue", "/passbook", "/certificates", "/profile", "/programmes", "/assessments")


def text(response) -> str:
    """A page's words, without its markup."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


@pytest.fixture
def world(mock_site):
    """Asha, an officer whose position's verified role map needs Budgeting at 3 (she has 1),
    a live plan with an overdue item and a later one, a published module that teaches
    budgeting at 3, and Ravi, another officer of her ministry."""
    w = frac_world.build(mock_site)
    w.app.config["WTF_CSRF_ENABLED"] = False
    position = w.position()
    w.verify_map(w.role_map(position, [w.role("Budget officer", {BUDGET: 3})]))
    asha = w.officer("asha@power.gov.in", position=position, name="Asha Rao")
    w.officer("ravi@power.gov.in", position=position, name="Ravi Kumar")
    for email in ("asha@power.gov.in", "ravi@power.gov.in"):
        auth.set_password(mock_site, email, PASSWORD)
    system = mock_site.context()
    entry = lifecycle.insert(
        system,
        "Passbook Entry",
        {"officer": asha, "competency": BUDGET, "level": 1, "source": "Self-declared", "evidence": "Drafted the estimates"},
    )
    w.act("admin", "Passbook Entry", entry.name, "Verify")
    ravi = mock_site.db.officer.find_one({"email": "ravi@power.gov.in"})["_id"]
    lifecycle.insert(
        system,
        "Passbook Entry",
        {"officer": ravi, "competency": frac_world.DRAFTING, "level": 4, "source": "Self-declared", "evidence": "RAVI-SECRET"},
    )
    lifecycle.insert(
        system,
        "Content Module",
        {
            "title": "Budgeting for Section Officers",
            "kind": "Lesson Text",
            "lesson_text": "Estimates\nRevised estimates",
            "mdo": frac_world.STEEL,  # another ministry's module: the catalogue is every MDO's
            "language": "Hindi",
            "competencies": [{"competency": BUDGET, "level": 3}],
            "workflow_state": "Published",
        },
    )
    today = dt.date.today()
    plan = w.create(
        "cbp",
        "Capacity Building Plan",
        {
            "plan_name": "CBP 2026-27",
            "mdo": POWER,
            "period_from": (today - dt.timedelta(days=200)).isoformat(),
            "period_to": (today + dt.timedelta(days=200)).isoformat(),
            "items": [
                {
                    "item_type": "Course",
                    "item": "Data, Economics and Development Policy",
                    "audience": "All Officers",
                    "due_date": (today + dt.timedelta(days=60)).isoformat(),
                },
                {
                    "item_type": "Course",
                    "item": "Public Financial Management",
                    "audience": "All Officers",
                    "due_date": (today - dt.timedelta(days=5)).isoformat(),
                },
            ],
        },
    )["name"]
    w.act("cbp", "Capacity Building Plan", plan, "Go Live")
    return w


def signed_in(w, email):
    client = w.app.test_client()
    r = client.post("/sign-in", data={"email": email, "password": PASSWORD})
    assert r.status_code == 302, text(r)
    return client


def test_a_stranger_gets_the_sign_in_page_and_comes_back_where_they_were_going(world):
    client = world.app.test_client()
    home = client.get("/")
    assert home.status_code == 200 and 'id="sign-in-form"' in home.get_data(as_text=True)
    for page in PAGES:
        r = client.get(page)
        assert r.status_code == 302 and r.headers["Location"].startswith("/sign-in?next=")
    wrong = client.post("/sign-in", data={"email": "asha@power.gov.in", "password": "not her password"})
    assert wrong.status_code == 401 and "do not match an account" in text(wrong)
    r = client.post("/sign-in?next=/passbook", data={"email": "asha@power.gov.in", "password": PASSWORD})
    assert r.headers["Location"] == "/passbook"
    other = world.app.test_client()
    r = other.post("/sign-in?next=//evil.example/x", data={"email": "asha@power.gov.in", "password": PASSWORD})
    assert r.headers["Location"] == "/"  # never to another site
    assert other.get("/").headers["Location"] == "/learning"  # an officer lands on My learning


def test_my_learning_shows_my_plan_overdue_first_and_why_a_module_is_recommended(world):
    page = text(signed_in(world, "asha@power.gov.in").get("/learning"))
    assert "Welcome, Asha Rao" in page
    assigned = page.split("Assigned to me")[1].split("Recommended for my gaps")[0]
    assert assigned.index("Public Financial Management") < assigned.index("Data, Economics and Development Policy")
    assert "Overdue" in assigned.split("Data, Economics")[0] and "Overdue" not in assigned.split("Data, Economics")[1]
    recommended = page.split("Recommended for my gaps")[1]
    assert f"{BUDGET}: you are at 1, your role needs 3" in recommended
    assert "Budgeting for Section Officers" in recommended
    due = (dt.date.today() - dt.timedelta(days=5)).strftime("%d/%m/%Y")
    assert f"Due {due}" in page  # dates the Indian way


def test_my_pages_show_nothing_of_another_officer(world):
    asha = signed_in(world, "asha@power.gov.in")
    for page in PAGES:
        r = asha.get(page)
        assert r.status_code == 200, page
        assert "RAVI-SECRET" not in r.get_data(as_text=True) and "Ravi Kumar" not in text(r), page
    passbook = text(asha.get("/passbook"))
    assert "My level: 1" in passbook and "My role needs: 3" in passbook and "Short by 2" in passbook
    assert frac_world.DRAFTING not in passbook  # Ravi's competency, not hers


def test_the_catalogue_filters_and_a_module_page_keeps_its_lines(world):
    asha = signed_in(world, "asha@power.gov.in")
    assert "Budgeting for Section Officers" in text(asha.get("/catalogue", query_string={"competency": BUDGET}))
    empty = text(asha.get("/catalogue", query_string={"kind": "PDF"}))
    assert "Nothing in the catalogue matches." in empty
    name = world.site.db.content_module.find_one({})["_id"]
    module = asha.get(f"/catalogue/{name}").get_data(as_text=True)
    assert 'id="lesson-text"><p>Estimates<br>\nRevised estimates</p>' in module  # its line break kept
    assert asha.get("/catalogue/CM-NOT-THERE").status_code == 404


def test_a_learner_has_no_back_office_link_and_a_nodal_officer_does(world):
    assert 'id="menu-back-office"' not in signed_in(world, "asha@power.gov.in").get("/learning").get_data(as_text=True)
    nodal = signed_in(world, "nodal@power.gov.in")
    page = nodal.get("/learning").get_data(as_text=True)  # not an officer: nothing to learn here
    assert 'id="no-officer"' in page and 'id="menu-back-office"' in page


def test_the_portal_speaks_hindi_from_the_browser_or_the_profile(world):
    asha = signed_in(world, "asha@power.gov.in")
    hindi = text(asha.get("/learning", headers={"Accept-Language": "hi-IN,hi;q=0.9,en;q=0.5"}))
    assert "स्वागत है, Asha Rao" in hindi and "मुझे सौंपा गया" in hindi and "Assigned to me" not in hindi
    assert asha.post("/language", data={"language": "hi", "next": "/passbook"}).headers["Location"] == "/passbook"
    assert world.site.db.user.find_one({"_id": "asha@power.gov.in"})["language"] == "Hindi"
    fresh = signed_in(world, "asha@power.gov.in")  # another browser: the profile decides
    for page, words in (
        ("/learning", "मेरी कमियों के लिए सुझाव"),
        ("/catalogue", "पाठ्य सूची"),
        ("/passbook", "मेरी पासबुक"),
        ("/certificates", "अभी कोई प्रमाणपत्र नहीं।"),
    ):
        r = text(fresh.get(page, headers={"Accept-Language": "en"}))
        assert words in r and "Sign out" not in r, page
    assert asha.post("/language", data={"language": "xx", "next": "https://evil.example/"}).headers["Location"] == "/"


def test_every_portal_text_and_label_has_its_hindi(mock_site):
    """Every message of the portal's templates and code, and every option label the portal
    shows, is in the Hindi catalogues; and each compiled catalogue is the current one."""
    from babel.messages import extract
    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    from app.config import ROOT
    from app.web.portal import ENGINE_TRANSLATIONS

    folders = [ENGINE_TRANSLATIONS.parent / "web", ROOT / "doctypes" / "portal", ROOT / "doctypes" / "programmes"]
    catalogues = [
        ENGINE_TRANSLATIONS,
        ROOT / "doctypes" / "portal" / "translations",
        ROOT / "doctypes" / "programmes" / "translations",
    ]
    hindi = {}
    for root in catalogues:
        po_path = root / "hi" / "LC_MESSAGES" / "messages.po"
        with open(po_path, "rb") as handle:
            po = read_po(handle)
        with open(po_path.with_suffix(".mo"), "rb") as handle:
            mo = read_mo(handle)
        assert {m.id: m.string for m in po if m.id} == {m.id: m.string for m in mo if m.id}, f"{po_path}: compile it again"
        hindi.update({m.id: m.string for m in po if m.id and m.string})
    wanted = set()
    for folder in folders:
        method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
        for _file, _line, message, _comments, _context in extract.extract_from_dir(
            folder, method_map, keywords={"_": None, "gettext": None, "label": None, "N_": None}
        ):
            wanted.add(message)
    shown = {
        ("Content Module", "kind"),
        ("Content Module", "language"),
        ("Certificate", "status"),
        ("Passbook Entry", "source"),
        ("CBP Item", "item_type"),
    }
    for doctype, field in shown:
        wanted.update(mock_site.meta(doctype).get_field(field).select_options)
    wanted.update(["Pending", "Verified", "Rejected", "Course", "Content Module", "True", "False"])
    wanted.update(mock_site.meta("Assessment Attempt").get_field("status").select_options)
    from app import notifications
    from doctypes.portal import pages

    wanted.update(notifications.KIND_WORDS.values())
    from doctypes.portal import programme_pages

    for words in (programme_pages.NEXT_STEP, programme_pages.CLAIM_NEXT, programme_pages.FEES, programme_pages.DURATIONS):
        wanted.update(words.values())
    wanted.update(programme_pages.OFFICER_MESSAGES)  # the refusals an officer meets on the programme's forms
    wanted.update(mock_site.meta("Course").get_field("mode").select_options)
    wanted.update(mock_site.meta("Course").get_field("level").select_options)
    enrolment, claim = mock_site.meta("Enrolment"), mock_site.meta("Reimbursement Claim")
    wanted.update(enrolment.get_field(f).label for f in programme_pages.steps.FORM_FIELDS + ("eligibility_form", "progress"))
    wanted.update(claim.get_field(f).label for f in ("amount_paid", "currency", "proof"))
    wanted.update(["category", "length of service", "age", "shortlist", "course open"])  # the eligibility rules
    for workflow in mock_site.db.workflow.find(
        {"document_type": {"$in": ["Enrolment", "Reimbursement Claim", "Passbook Entry"]}}
    ):
        wanted.update(s["state"] for s in workflow["states"])
    wanted.update(pages.DELIVERY_WORDS.values())
    officer = mock_site.meta("Officer")
    wanted.update(officer.get_field(f).label for f in pages.OFFICER_FIELDS)
    missing = sorted(m for m in wanted if m not in hindi)
    assert missing == [], "\n".join(missing)


def test_the_bell_counts_my_notifications_and_opens_only_mine(world):
    from app import notifications

    site = world.site
    mine = notifications.notify(site, "asha@power.gov.in", "Plan", "Your plan assigns you Public Financial Management")
    theirs = notifications.notify(site, "ravi@power.gov.in", "Plan", "RAVI-ONLY plan item")
    asha = signed_in(world, "asha@power.gov.in")
    page = asha.get("/learning").get_data(as_text=True)
    unread = site.db.notification.count_documents({"for_user": "asha@power.gov.in", "read": False})
    assert unread >= 2 and f'<span class="badge overdue" id="unread-count">{unread}</span>' in page
    listed = text(asha.get("/notifications"))
    assert "Your plan assigns you Public Financial Management" in listed and "RAVI-ONLY" not in listed
    assert asha.get(f"/notifications/{theirs}").status_code == 404
    assert site.db.notification.find_one({"_id": theirs})["read"] is False
    assert asha.get(f"/notifications/{mine}").status_code == 302
    assert site.db.notification.find_one({"_id": mine})["read"] is True
    assert f'id="unread-count">{unread - 1}</span>' in asha.get("/learning").get_data(as_text=True)
    hindi = text(asha.get("/notifications", headers={"Accept-Language": "hi"}))
    assert "सूचनाएँ" in hindi and "सभी को पढ़ा हुआ मानें" in hindi


def test_my_profile_keeps_my_language_and_mail_choices_and_changes_my_password(world):
    asha = signed_in(world, "asha@power.gov.in")
    page = text(asha.get("/profile"))
    assert "Asha Rao" in page and "Ministry of Power" in page and "RAVI" not in page
    r = asha.post("/profile", data={"what": "preferences", "language": "Hindi", "kind-Task": "Off", "kind-Plan": "Daily digest"})
    assert r.status_code == 302
    user = world.site.db.user.find_one({"_id": "asha@power.gov.in"})
    assert user["language"] == "Hindi"
    assert {p["kind"]: p["delivery"] for p in user["notification_preferences"]} == {"Task": "Off", "Plan": "Daily digest"}
    hindi = text(asha.get("/profile"))
    assert "मेरी प्रोफ़ाइल" in hindi and "पूरा नाम" in hindi and "दैनिक सारांश में" in hindi
    refused = asha.post(
        "/profile",
        data={
            "what": "password",
            "current_password": "wrong one",
            "new_password": "monsoon paddy field",
            "confirm": "monsoon paddy field",
        },
    )
    assert refused.status_code == 400 and "is not your current password" in text(refused)
    done = asha.post(
        "/profile",
        data={
            "what": "password",
            "current_password": PASSWORD,
            "new_password": "monsoon paddy field",
            "confirm": "monsoon paddy field",
        },
    )
    assert done.status_code == 302 and asha.get("/learning").status_code == 302  # signed out everywhere
    assert signed_in_with(world, "asha@power.gov.in", "monsoon paddy field")


def test_a_password_easy_to_guess_is_refused_in_the_readers_language(world):
    asha = signed_in(world, "asha@power.gov.in")
    asha.post("/profile", data={"what": "preferences", "language": "Hindi"})
    weak = {"what": "password", "current_password": PASSWORD, "new_password": "ab12ab12ab12", "confirm": "ab12ab12ab12"}
    refused = text(asha.post("/profile", data=weak))
    assert "इस पासवर्ड का अनुमान लगाना बहुत आसान है।" in refused and "शब्दों और अक्षरों को दोहराने से बचें।" in refused
    assert "abcabcabc" in refused and "Avoid repeated" not in refused
    assert not signed_in_with(world, "asha@power.gov.in", "ab12ab12ab12")


def signed_in_with(w, email, password):
    client = w.app.test_client()
    return client.post("/sign-in", data={"email": email, "password": password}).status_code == 302


def test_programmes_explain_eligibility_in_plain_words_and_enrol(world):
    site = world.site
    today = dt.date.today()
    start = today + dt.timedelta(days=40)
    offering = lifecycle.insert(
        site.context(),
        "Course Offering",
        {
            "course": "The Challenges of Global Poverty",
            "session": "Other",
            "starts_on": start.isoformat(),
            "registration_opens": (today - dt.timedelta(days=3)).isoformat(),
            "registration_last_date": (today + dt.timedelta(days=3)).isoformat(),
        },
    ).name
    for email, allotted in (("asha@power.gov.in", 2012), ("ravi@power.gov.in", today.year)):
        officer = site.db.officer.find_one({"email": email})["_id"]
        lifecycle.save(
            site.context(), "Officer", officer, {"date_of_birth": f"{start.year - 35}-02-01", "year_of_allotment": allotted}
        )
    course_page = "/programmes/course/The Challenges of Global Poverty"
    ravi = text(signed_in(world, "ravi@power.gov.in").get("/programmes"))
    assert "You may not enrol because of: length of service" in ravi
    ravi = text(signed_in(world, "ravi@power.gov.in").get(course_page))  # the course's page: rule by rule
    born = f"01/02/{start.year - 35}"
    assert f"born {born}: 35 on 01/07/{start.year}, within the limit of 56" in ravi  # dates the Indian way
    ravi_hindi = text(signed_in(world, "ravi@power.gov.in").get(course_page, headers={"Accept-Language": "hi"}))
    assert f"जन्म {born}: 01/07/{start.year} को आयु 35, 56 की सीमा के भीतर" in ravi_hindi and "within the limit" not in ravi_hindi
    asha = signed_in(world, "asha@power.gov.in")
    page = text(asha.get("/programmes"))
    assert "The Challenges of Global Poverty" in page and "You may enrol" in page
    assert "Why, rule by rule" in text(asha.get(course_page))
    enrolled = asha.post("/programmes", data={"offering": offering})
    assert enrolled.status_code == 302 and "/programmes/enrolment/" in enrolled.location  # straight to the next step
    page = text(asha.get("/programmes"))
    assert "You are enrolled." in page
    assert "Intimate your cadre controlling authority, then submit the eligibility confirmation form." in page
    assert site.db.enrolment.count_documents({"offering": offering}) == 1
    hindi = text(asha.get("/programmes", headers={"Accept-Language": "hi"}))
    assert "मेरे नामांकन" in hindi and "पंजीकृत" in hindi and "आपका नामांकन हो चुका है।" in hindi
    refused = asha.post("/programmes", data={"offering": offering})  # a second enrolment is refused, with the reason
    assert refused.status_code == 302 and site.db.enrolment.count_documents({"offering": offering}) == 1


def test_no_private_page_is_kept_by_the_browser_and_assets_are(world):
    """Every page a signed-in learner can reach from the home page (walked by its links),
    the sign-in page and the back office's pages are sent with no-store: a shared computer's
    Back button or a proxy keeps no copy. Scripts and styles stay cacheable."""
    from urllib.parse import urlsplit

    asha = signed_in(world, "asha@power.gov.in")
    to_visit, seen, pages, assets = ["/", *PAGES], set(), [], []
    while to_visit and len(seen) < 60:
        path = to_visit.pop(0)
        if path in seen or path.startswith(("/sign-out", "/language")):
            continue
        seen.add(path)
        r = asha.get(path)
        if r.mimetype != "text/html":
            assets.append((path, r.headers.get("Cache-Control")))
            continue
        pages.append(path)
        assert r.headers.get("Cache-Control") == "no-store", path
        for link in re.findall(r'(?:href|src)="([^"#]+)"', r.get_data(as_text=True)):
            target = urlsplit(link)
            if not target.netloc and link.startswith("/") and not link.startswith("/api/"):
                to_visit.append(target.path + (f"?{target.query}" if target.query else ""))
    assert len(pages) >= len(PAGES) + 2 and {"/learning", "/passbook", "/certificates", "/profile"} <= set(pages)
    assert any(p.startswith("/catalogue/") for p in pages) and any(p.startswith("/notifications/") for p in pages), pages
    portal_assets = [a for a in assets if a[0].startswith("/portal-static/")]
    assert portal_assets and all("no-store" not in (cache or "") for _path, cache in portal_assets), portal_assets
    stranger = world.app.test_client()
    for path in ("/sign-in", "/admin/login/", "/admin/forgot/"):
        assert stranger.get(path).headers.get("Cache-Control") == "no-store", path
    back_office = signed_in(world, frac_world.USERS["admin"][0])
    for path in ("/admin/", "/admin/officer/", "/admin/account/"):
        r = back_office.get(path)
        assert r.status_code == 200 and r.headers.get("Cache-Control") == "no-store", path
