"""Progress in a module is measured, not declared: a video by the stretches actually played, a
PDF by the pages shown, lesson text by reaching its end, a SCORM package by what it commits
through the run-time (kept per officer and part, and resumed). Only an external link is
reported by the officer, and then it is Pending for the MDO. A module may require a passed
assessment. Each rule is tested from the side of the caller it refuses."""

import datetime as dt
import io
import json
import re

import pytest

from app import files
from app.errors import ValidationError
from app.model import lifecycle
from doctypes.content import progress

from . import media_files, scorm_tools
from .conftest import PASSWORD
from .frac_world import BUDGET, DRAFTING, POWER, build

MEDIA = "https://media.example.gov.in/outcome-budgeting.mp4"


@pytest.fixture
def w(mock_site):
    w = build(mock_site)
    pos = w.position()
    w.verify_map(w.role_map(pos, [w.role("Budget and drafting", {BUDGET: 3, DRAFTING: 2})]))
    w.off = w.officer("asha@power.gov.in", position=pos, name="Asha Rao")
    w.me = w.learner("asha@power.gov.in")
    w.other_off = w.officer("ravi@power.gov.in", position=pos, name="Ravi Kumar")
    w.other = w.learner("ravi@power.gov.in")
    return w


def published(w, title, kind, competency=BUDGET, level=3, **values) -> str:
    return lifecycle.insert(
        w.site.context(),
        "Content Module",
        {
            "title": title,
            "kind": kind,
            "mdo": POWER,
            "competencies": [{"competency": competency, "level": level}],
            "workflow_state": "Published",
            **values,
        },
    ).name


def state(w, module, who=None):
    return w.get(who or w.me, "method/module_progress", 200, module=module).json["data"]


def record(w, module, body, status=200, who=None):
    r = w.post(who or w.me, "method/record_progress", {"module": module, **body}, status)
    return r.json.get("data") if status == 200 else r.json


def read_lesson(w, module, who):
    """The officer opens a lesson text, reads for a while and reaches its end."""
    import datetime as dt

    w.post(who, "method/record_progress", {"module": module, "share": 0}, 200)
    email = who if "@" in who else None
    w.site.db.module_attempt.update_many(
        {"module": module, **({"officer_email": email} if email else {})},
        {"$set": {"started_at": dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=10)}},
    )
    return w.post(who, "method/record_progress", {"module": module, "read_to_end": True}, 200).json["data"]


def entries(w, competency=BUDGET):
    return sorted(e["workflow_state"] for e in w.site.db.passbook_entry.find({"officer": w.off, "competency": competency}))


class Clock:
    """The test's clock: the moment it shows, until it is moved on."""

    def __init__(self):
        from app.site import utcnow

        self.at = utcnow()

    def __call__(self):
        return self.at

    def wait(self, seconds: float) -> None:
        self.at += dt.timedelta(seconds=seconds)


class Player:
    """What the officer's player sends (progress reports and heartbeats), as the API methods
    take them, on the test's clock (``Context.clock``)."""

    def __init__(self, w, clock, email="asha@power.gov.in"):
        from app import auth

        self.ctx = auth.context_for(w.site, email)
        self.ctx.clock = clock
        self.clock = clock

    def report(self, module, body):
        return progress.record(self.ctx, module, {"module": module, **body})

    def refused(self, module, body) -> dict:
        with pytest.raises(ValidationError) as refused:
            self.report(module, body)
        return refused.value.errors

    def beat(self, module):
        return progress.heartbeat(self.ctx, module)

    def stay(self, module, seconds: int):
        """The module stays open and in view: a heartbeat every 15 seconds."""
        now = self.beat(module)
        for _ in range(seconds // 15):
            self.clock.wait(15)
            now = self.beat(module)
        return now

    def state(self, module):
        return progress.progress_state(self.ctx, module)


@pytest.fixture
def player(w):
    return Player(w, Clock())


def test_a_video_counts_only_the_stretches_played_up_to_its_share(w, player):
    module = published(w, "Outcome budgeting, explained", "Video Link", url=MEDIA)
    player.beat(module)  # the page opened
    player.clock.wait(30)
    assert player.report(module, {"duration": 100, "watched": [[0, 30]], "position": 30})["progress"] == 30.0
    player.clock.wait(30)
    assert player.report(module, {"duration": 100, "watched": [[20, 60], [0, 60]]})["progress"] == 60.0  # no stretch twice
    after_skip = player.report(module, {"duration": 100, "watched": [[97, 100]], "position": 100})
    assert (after_skip["progress"], after_skip["complete"]) == (63.0, False)  # skipping to the end is not watching
    assert w.site.db.certificate.count_documents({}) == 0
    player.clock.wait(27)
    done = player.report(module, {"duration": 100, "watched": [[60, 87]]})
    assert done["progress"] == 90.0 and done["complete"] and done["certificate"]
    assert entries(w) == ["Verified"]
    assert state(w, module)["measure"]["position"] == 100  # where to resume
    for bad, field in (
        ({"duration": 0, "watched": []}, "duration"),
        ({"duration": 100, "watched": "all of it"}, "watched"),
        ({"duration": 100, "watched": [[0, "end"]]}, "watched"),
    ):
        refused = record(w, module, bad, 400)
        assert field in refused["errors"], refused


def test_a_video_module_may_ask_for_less_or_more_than_ninety_per_cent(w, player):
    module = published(w, "Budget speech highlights", "Video Link", url=MEDIA, completion_share=50)
    player.beat(module)
    player.clock.wait(31)
    assert player.report(module, {"duration": 60, "watched": [[0, 31]]})["complete"]


def _video(w, seconds=120, **values) -> str:
    """A published Video File module whose file (an MP4, built here) plays for ``seconds``."""
    attachment = files.store(w.site.context(), io.BytesIO(media_files.mp4(seconds)), "lecture.mp4", accept=["video"])
    return published(w, "Delegation of financial powers", "Video File", attachment=attachment, **values)


def test_a_video_files_length_is_the_servers_not_the_browsers(w, player):
    module = _video(w, 120)
    attachment = w.site.db.content_module.find_one({"_id": module})["attachment"]
    assert files.info(w.site, attachment)["metadata"]["duration"] == 120.0  # read at upload
    player.beat(module)
    player.clock.wait(2)
    forged = player.report(module, {"duration": 1, "watched": [[0, 1]]})
    assert (forged["progress"], forged["complete"], forged["measure"]["duration"]) == (0.8, False, 120.0)
    assert w.site.db.certificate.count_documents({}) == 0


def test_a_stretch_reported_faster_than_it_plays_is_refused(w, player):
    module = _video(w, 120, minimum_minutes=0)
    player.beat(module)
    player.clock.wait(10)
    refused = player.refused(module, {"watched": [[0, 108]]})  # 108 seconds of video in 10 seconds
    assert "more than the video can play" in refused["watched"][0]
    player.clock.wait(10)
    refused = player.refused(module, {"watched": [[0, 60]]})  # at twice the speed, 20 seconds play 40
    assert player.state(module)["progress"] == 0 and w.site.db.certificate.count_documents({}) == 0
    for n in range(11):  # honestly, at normal speed, reported every 10 seconds
        player.clock.wait(10)
        last = player.report(module, {"watched": [[n * 10, n * 10 + 10]]})
    assert last["progress"] == 91.7 and last["complete"]


def test_a_pdf_completes_when_every_page_has_been_shown(w, player):
    attachment = files.store(w.site.context(), io.BytesIO(_pdf(3)), "gfr.pdf", accept=["pdf"])
    module = published(w, "General Financial Rules", "PDF", attachment=attachment)
    player.beat(module)
    player.clock.wait(3)
    first = player.report(module, {"pages": 3, "seen": [1, 2], "page": 2})
    assert (first["progress"], first["complete"]) == (66.7, False)
    player.clock.wait(2)
    assert player.report(module, {"pages": 3, "seen": [2, 9, -1]})["progress"] == 66.7  # pages that are not there do not count
    assert player.report(module, {"pages": 3, "seen": [3], "page": 3})["complete"]
    assert record(w, module, {"pages": 0, "seen": []}, 400)["errors"]["pages"]


def test_a_pdfs_pages_are_the_servers_and_are_counted_no_faster_than_they_are_turned(w, player):
    attachment = files.store(w.site.context(), io.BytesIO(_pdf(30)), "gfr.pdf", accept=["pdf"])
    assert files.info(w.site, attachment)["metadata"]["pages"] == 30  # read at upload
    module = published(w, "General Financial Rules, 2017", "PDF", attachment=attachment)
    player.beat(module)
    player.clock.wait(2)
    forged = player.report(module, {"pages": 1, "seen": [1]})  # a 30-page PDF said to have one page
    assert (forged["progress"], forged["complete"], forged["measure"]["pages"]) == (3.3, False, 30)
    player.clock.wait(1)
    burst = player.report(module, {"seen": list(range(1, 31))})  # every page at once
    assert not burst["complete"] and len(burst["measure"]["seen"]) <= 3 and burst["measure"]["wait"] >= 1
    assert w.site.db.certificate.count_documents({}) == 0
    for _ in range(40):  # a page every two seconds: the player sends what it has shown again
        player.clock.wait(2)
        last = player.report(module, {"seen": list(range(1, 31))})
        if last["complete"]:
            break
    assert last["complete"] and last["measure"]["seen"] == list(range(1, 31))
    assert (player.clock.at - w.site.db.module_attempt.find_one({"module": module})["started_at"]).total_seconds() >= 55


def test_a_module_completes_only_after_its_minimum_time_in_view(w, player):
    """The Department of Posts found courses of over 20 minutes "completed" in under 20
    seconds: here a completion measured early waits for the module's minimum time (by default
    half its stated duration), counted from heartbeats only while the module is in view."""
    attachment = files.store(w.site.context(), io.BytesIO(_pdf(3)), "gfr.pdf", accept=["pdf"])
    module = published(w, "Postal manual, volume V", "PDF", attachment=attachment, duration_minutes=24)
    opened = player.beat(module)
    assert opened["time"] == {"spent": 0, "minimum": 720, "remaining": 720, "waiting": False, "reading_left": 0}
    for _ in range(3):
        player.clock.wait(2)
        done = player.report(module, {"seen": [1, 2, 3]})
    assert (done["done"], done["complete"], done["time"]["waiting"]) == (True, False, True)
    attempt = w.site.db.module_attempt.find_one({"module": module})
    assert attempt["status"] == "Completed" and attempt["waiting_for_time"] is True  # done, waiting for the time
    player.clock.wait(15 * 60)  # the tab left in the background: no heartbeats
    back = player.beat(module)
    assert back["time"]["spent"] == 20 and not back["complete"]  # at most one interval counts
    for _ in range(50):  # a forged burst of heartbeats adds nothing, nor one every 0.6 seconds more than 0.6
        burst = player.beat(module)
        player.clock.wait(0.6)
    assert burst["time"]["spent"] == 49 and w.site.db.certificate.count_documents({}) == 0
    player.clock.wait(14.4)
    almost = player.stay(module, 645)
    assert (almost["complete"], almost["time"]["remaining"]) == (False, 11)
    player.clock.wait(15)
    settled = player.beat(module)  # the heartbeat that reaches the minimum settles it
    assert settled["complete"] and settled["certificate"] and entries(w) == ["Verified"]
    assert w.site.db.module_attempt.find_one({"module": module})["waiting_for_time"] is False


def test_a_scorm_package_of_twenty_five_minutes_cannot_complete_in_seconds(w, player):
    attachment = files.store(w.site.context(), io.BytesIO(scorm_tools.exe_12()), "rti.zip", accept=["scorm"])
    module = published(w, "RTI for PIOs", "SCORM Package", attachment=attachment, duration_minutes=25)
    for part in ("ITEM-1", "ITEM-2"):
        played = progress.play(player.ctx, module, part, origin="http://localhost")
        player.beat(module)
        player.clock.wait(5)
        said = progress.commit(player.ctx, played["attempt"], {"cmi": {"core": {"lesson_status": "completed"}}})
    assert (said["done"], said["complete"]) == (True, False)
    assert w.site.db.certificate.count_documents({}) == 0
    assert player.state(module)["time"]["remaining"] == 25 * 30 - 5
    assert player.stay(module, 25 * 30)["complete"] and entries(w) == ["Verified"]


def test_a_stored_file_without_its_figures_is_read_on_first_use_and_kept(w, player):
    module = _video(w, 90, minimum_minutes=0)
    attachment = w.site.db.content_module.find_one({"_id": module})["attachment"]
    w.site.db["fs.files"].update_one({"_id": files.parse_id(attachment)}, {"$unset": {"metadata.duration": ""}})
    player.beat(module)
    player.clock.wait(5)
    assert player.report(module, {"duration": 5, "watched": [[0, 5]]})["measure"]["duration"] == 90.0
    assert files.info(w.site, attachment)["metadata"]["duration"] == 90.0


def test_numbers_out_of_range_are_refused_naming_the_parameter(w):
    video = published(w, "A video", "Video Link", url=MEDIA)
    attachment = files.store(w.site.context(), io.BytesIO(_pdf(2)), "gfr.pdf", accept=["pdf"])
    pdf = published(w, "A PDF", "PDF", attachment=attachment)
    client = w.c[w.me]
    for module, raw, field in (
        (pdf, '"pages": "1e400", "seen": [1]', "pages"),
        (pdf, '"seen": [1e400]', "seen"),
        (pdf, '"seen": [1], "page": 1e400', "page"),
        (video, '"duration": 1e400, "watched": []', "duration"),
        (video, '"duration": 100, "watched": [[0, 1e400]]', "watched"),
        (video, '"duration": 100, "watched": [], "position": -1e400', "position"),
    ):
        r = client.post("/api/method/record_progress", data=f'{{"module": "{module}", {raw}}}', content_type="application/json")
        assert r.status_code == 400 and field in r.json["errors"], (raw, r.status_code, r.get_data(as_text=True)[:300])


def test_time_on_content_is_only_for_measured_modules_and_officers(w):
    link = published(w, "Drafting (external course)", "External Link", url="https://example.org/x")
    refused = w.post(w.me, "method/module_heartbeat", {"module": link}, 400).json
    assert "kind" in refused["errors"]
    draft = lifecycle.insert(
        w.site.context(), "Content Module", {"title": "Draft", "kind": "Lesson Text", "mdo": POWER, "lesson_text": "x"}
    ).name
    assert "not in the catalogue" in w.post(w.me, "method/module_heartbeat", {"module": draft}, 404).json["message"]
    lesson = published(w, "A lesson", "Lesson Text", lesson_text="x")
    assert "not an officer" in w.post("admin", "method/module_heartbeat", {"module": lesson}, 400).json["message"]
    w.post(w.me, "method/module_heartbeat", {"module": lesson}, 200)
    assert w.site.db.module_attempt.find_one({"module": lesson, "officer_email": "ravi@power.gov.in"}) is None


def _pdf(pages: int) -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    for n in range(pages):
        c.drawString(100, 700, f"Page {n + 1} of the General Financial Rules")
        c.showPage()
    c.save()
    return out.getvalue()


def test_measured_modules_cannot_be_marked_complete_by_hand_and_external_links_wait_for_the_mdo(w):
    lesson = published(w, "Noting basics", "Lesson Text", lesson_text="Put up the note.")
    video = published(w, "A video", "Video Link", url=MEDIA)
    link = published(w, "Drafting (external course)", "External Link", competency=DRAFTING, level=2, url="https://example.org/x")
    for module in (lesson, video):
        refused = w.post(w.me, "method/complete_module", {"module": module}, 400).json
        assert "cannot be marked complete by hand" in refused["message"] and "kind" in refused["errors"]
    assert "not measured by the player" in record(w, link, {"read_to_end": True}, 400)["message"]
    reported = w.post(w.me, "method/complete_module", {"module": link}, 201).json["data"]
    assert (reported["self_reported"], reported["complete"], reported["certificate"]) == (True, False, None)
    assert entries(w, DRAFTING) == ["Pending"]  # for the MDO to verify, like any self-declared entry
    w.post(w.me, "method/complete_module", {"module": link}, 201)
    assert entries(w, DRAFTING) == ["Pending"]  # once
    assert w.site.db.certificate.count_documents({}) == 0
    assert "not an officer" in w.post("admin", "method/complete_module", {"module": link}, 400).json["message"]


def _portal(w, email):
    w.app.config["WTF_CSRF_ENABLED"] = False  # the sign-in form, posted by the test
    client = w.app.test_client()
    from app import auth

    auth.set_password(w.site, email, PASSWORD)
    assert client.post("/sign-in", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def _player(page: str) -> dict:
    found = re.search(r'<script type="application/json" id="player-config">(.*?)</script>', page, re.S)
    return json.loads(found.group(1))


def test_a_module_can_require_a_passed_assessment(w):
    assessment = lifecycle.insert(
        w.site.context(),
        "Assessment",
        {
            "title": "Outcome budgeting check",
            "mdo": POWER,
            "competency": BUDGET,
            "level": 3,
            "pass_mark": 100,
            "attempts_allowed": 3,
            "questions": [{"kind": "True/False", "question": "Outcomes are results.", "answer": "True"}],
            "workflow_state": "Published",
        },
    ).name
    module = published(w, "Outcome budgeting", "Lesson Text", lesson_text="...", required_assessment=assessment)
    read = read_lesson(w, module, w.me)
    assert (read["done"], read["assessment_passed"], read["complete"]) == (True, False, False)
    assert "cannot be marked complete" in w.post(w.me, "method/complete_module", {"module": module}, 400).json["message"]
    started = w.post(w.me, "method/start_assessment", {"assessment": assessment}, 201).json["data"]
    question = started["questions"][0]["id"]
    w.post(w.me, "method/submit_assessment", {"attempt": started["attempt"], "answers": {question: "True"}}, 200)
    after = state(w, module)
    assert after["complete"] and after["certificate"]  # the pass completed the module
    assert w.site.db.certificate.count_documents({"content_module": module, "officer": w.off}) == 1


def test_progress_is_only_for_officers_and_published_modules(w):
    draft = lifecycle.insert(
        w.site.context(), "Content Module", {"title": "Draft", "kind": "Lesson Text", "mdo": POWER, "lesson_text": "x"}
    ).name
    assert "not in the catalogue" in record(w, draft, {"read_to_end": True}, 404)["message"]
    assert (
        "not an officer" in w.post("admin", "method/record_progress", {"module": draft, "read_to_end": True}, 400).json["message"]
    )
    module = published(w, "A lesson", "Lesson Text", lesson_text="x")
    assert read_lesson(w, module, w.me)["complete"]
    assert state(w, module, who=w.other)["complete"] is False  # Ravi's progress is his own


def test_lesson_text_is_read_only_after_the_time_it_takes_to_read(w):
    text = " ".join(["word"] * 600)  # two minutes at 300 words a minute
    module = published(w, "Manual of Office Procedure, chapter 3", "Lesson Text", lesson_text=text)
    record(w, module, {"share": 0})
    at_once = record(w, module, {"read_to_end": True, "share": 100})
    assert not at_once["complete"] and not at_once["measure"]["read_to_end"]
    assert 100 <= at_once["measure"]["wait"] <= 121  # it says how long is left
    assert read_lesson(w, module, w.me)["complete"]


def test_a_lesson_text_says_its_reading_time_left_and_is_not_100_per_cent_before_it_is_read(w, player):
    """Reaching the end of a lesson text early is not a silent 100 per cent: the state says the
    reading time left, counted from the first opening, so that it runs on across visits."""
    text = " ".join(["word"] * 600)  # two minutes at 300 words a minute
    module = published(w, "Manual of Office Procedure, chapter 4", "Lesson Text", lesson_text=text)
    opened = player.report(module, {"share": 0})
    assert 119 <= opened["time"]["reading_left"] <= 120
    early = player.report(module, {"read_to_end": True, "share": 100})
    assert not early["complete"] and early["progress"] < 100 and early["time"]["reading_left"] == 120
    player.clock.wait(90)  # the page closed, and opened again later: the time ran on
    assert player.state(module)["time"]["reading_left"] == 30
    player.clock.wait(30)
    read = player.report(module, {"read_to_end": True, "share": 100})
    assert read["complete"] and read["progress"] == 100 and read["time"]["reading_left"] == 0
