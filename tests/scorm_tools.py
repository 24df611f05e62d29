"""SCORM packages shaped like the exports of the tools MDOs use, for the run-time's tests.

Each finds the run-time as its tool's code does, by walking ``window``, ``window.parent``
and then ``window.opener`` (no package is told where the API is):

- ``rise_12``: Articulate Rise's SCORM 1.2 export through the Rustici driver: the launch file
  ``scormdriver/indexAPI.html`` holds the driver, which finds ``API``, and frames the course
  (``scormcontent/index.html``), which calls the driver's functions in its parent frame
  (SetBookmark, SetDataChunk, SetScore, SetPassed...). Needs the package's frames to share
  an origin.
- ``exe_12``: an eXeLearning export through pipwerks: two SCOs (two pages, each its own
  item), each marking itself completed; the first keeps ``suspend_data`` and exits with
  ``suspend``, and on its next launch reads ``entry`` ``resume`` and its data back.
- ``captivate_2004``: a Captivate/iSpring-style SCORM 2004 4th Edition package with a
  sequencing manifest (imsss, adlseq, adlnav), its launch file nested under ``xml:base`` with
  parameters; it looks for ``API_1484_11`` and reports completed, passed and a scaled score.

The pages have a button the learner presses ("Submit the quiz") as a course would; the
player has none.
"""

from __future__ import annotations

from .scorm_packages import build

# The Rustici driver's search (simplified, same order): this window, its parents, the opener's.
RUSTICI_FIND = """
function SCORM_SearchForAPI(win) {
  var tries = 0;
  while (win && tries < 500) {
    try { if (win.API && typeof win.API.LMSInitialize !== "undefined") return win.API; } catch (e) {}
    try { if (!win.parent || win.parent === win) break; } catch (e) { break; }
    win = win.parent; tries++;
  }
  return null;
}
function SCORM_GrabAPI() {
  var api = SCORM_SearchForAPI(window);
  if (!api) { try { if (window.opener) api = SCORM_SearchForAPI(window.opener); } catch (e) {} }
  if (!api) { try { if (window.top.opener) api = SCORM_SearchForAPI(window.top.opener); } catch (e) {} }
  return api;
}
"""

RISE_MANIFEST = """<?xml version="1.0" standalone="no" ?>
<manifest identifier="Rise_Noting_Drafting" version="1"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="Noting_Drafting_ORG">
    <organization identifier="Noting_Drafting_ORG">
      <title>Noting and Drafting in the Secretariat</title>
      <item identifier="Noting_Drafting_SCO" identifierref="Noting_Drafting_RES" isvisible="true">
        <title>Noting and Drafting in the Secretariat</title>
        <adlcp:masteryscore>80</adlcp:masteryscore>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="Noting_Drafting_RES" type="webcontent" adlcp:scormtype="sco" href="scormdriver/indexAPI.html">
      <file href="scormdriver/indexAPI.html"/><file href="scormdriver/scormdriver.js"/>
      <file href="scormcontent/index.html"/>
    </resource>
  </resources>
</manifest>"""

RISE_DRIVER_PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Noting and Drafting</title>
<script src="scormdriver.js"></script></head>
<body style="margin:0">
<iframe id="content-frame" title="Course" src="../scormcontent/index.html" style="width:100%;height:600px;border:0"></iframe>
</body></html>"""

RISE_DRIVER = (
    RUSTICI_FIND
    + """
var API_FOUND = SCORM_GrabAPI();
var started = API_FOUND ? API_FOUND.LMSInitialize("") : "false";
window.driverStarted = started;
function GetBookmark() { return API_FOUND.LMSGetValue("cmi.core.lesson_location"); }
function SetBookmark(where) { API_FOUND.LMSSetValue("cmi.core.lesson_location", where); return API_FOUND.LMSCommit(""); }
function GetDataChunk() { return API_FOUND.LMSGetValue("cmi.suspend_data"); }
function SetDataChunk(data) { API_FOUND.LMSSetValue("cmi.suspend_data", data); return API_FOUND.LMSCommit(""); }
function GetStudentName() { return API_FOUND.LMSGetValue("cmi.core.student_name"); }
function SetScore(raw, max, min) {
  API_FOUND.LMSSetValue("cmi.core.score.raw", String(raw));
  API_FOUND.LMSSetValue("cmi.core.score.max", String(max));
  API_FOUND.LMSSetValue("cmi.core.score.min", String(min));
}
function SetPassed() { API_FOUND.LMSSetValue("cmi.core.lesson_status", "passed"); return API_FOUND.LMSCommit(""); }
function SetFailed() { API_FOUND.LMSSetValue("cmi.core.lesson_status", "failed"); return API_FOUND.LMSCommit(""); }
function ConcedeControl() { API_FOUND.LMSSetValue("cmi.core.exit", ""); return API_FOUND.LMSFinish(""); }
"""
)

RISE_COURSE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Noting and Drafting</title></head>
<body>
<h1>Noting and Drafting in the Secretariat</h1>
<p id="greeting"></p>
<p>Lesson 1: the note sheet. Lesson 2: the draft for approval.</p>
<button id="submit-quiz" type="button">Submit the quiz</button>
<p id="quiz-result"></p>
<script>
  var driver = window.parent;
  document.getElementById("greeting").textContent = "Welcome, " + driver.GetStudentName();
  driver.SetBookmark("lesson-2");
  document.getElementById("submit-quiz").addEventListener("click", function () {
    driver.SetDataChunk("quiz=answered;lesson=2");
    driver.SetScore(90, 100, 0);
    driver.SetPassed();
    driver.ConcedeControl();
    document.getElementById("quiz-result").textContent = "Quiz passed: 90 of 100";
  });
</script>
</body></html>"""


def rise_12() -> bytes:
    return build(
        {
            "imsmanifest.xml": RISE_MANIFEST,
            "scormdriver/indexAPI.html": RISE_DRIVER_PAGE,
            "scormdriver/scormdriver.js": RISE_DRIVER,
            "scormcontent/index.html": RISE_COURSE,
        }
    )


EXE_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="eXe-MANIFEST-RTI-PIO" xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2" xmlns:imsmd="http://www.imsglobal.org/xsd/imsmd_rootv1p2p1">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="eXe-RTI">
    <organization identifier="eXe-RTI" structure="hierarchical">
      <title>RTI for Public Information Officers</title>
      <item identifier="ITEM-1" isvisible="true" identifierref="RES-1"><title>The RTI Act, 2005</title></item>
      <item identifier="ITEM-2" isvisible="true" identifierref="RES-2"><title>First appeals</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="RES-1" type="webcontent" adlcp:scormtype="sco" href="index.html">
      <file href="index.html"/><file href="SCORM_API_wrapper.js"/><file href="common.js"/></resource>
    <resource identifier="RES-2" type="webcontent" adlcp:scormtype="sco" href="first_appeals.html">
      <file href="first_appeals.html"/><file href="SCORM_API_wrapper.js"/><file href="common.js"/></resource>
  </resources>
</manifest>"""

# pipwerks' SCORM_API_wrapper.js find(): this window and its parents, then the opener's.
PIPWERKS = """
var pipwerks = {SCORM: {API: {handle: null}}};
pipwerks.SCORM.API.find = function (win) {
  var attempts = 0;
  while ((!win.API && !win.API_1484_11) && win.parent && win.parent != win && attempts <= 500) { attempts++; win = win.parent; }
  return win.API || win.API_1484_11 || null;
};
pipwerks.SCORM.API.get = function () {
  var api = pipwerks.SCORM.API.find(window);
  if (!api && window.parent && window.parent != window) api = pipwerks.SCORM.API.find(window.parent);
  if (!api && window.top && window.top.opener) api = pipwerks.SCORM.API.find(window.top.opener);
  return api;
};
pipwerks.SCORM.init = function () { var api = pipwerks.SCORM.API.handle = pipwerks.SCORM.API.get(); return api ? api.LMSInitialize("") : "false"; };
pipwerks.SCORM.get = function (k) { return pipwerks.SCORM.API.handle.LMSGetValue(k); };
pipwerks.SCORM.set = function (k, v) { return pipwerks.SCORM.API.handle.LMSSetValue(k, v); };
pipwerks.SCORM.save = function () { return pipwerks.SCORM.API.handle.LMSCommit(""); };
pipwerks.SCORM.quit = function () { return pipwerks.SCORM.API.handle.LMSFinish(""); };
"""

EXE_COMMON = """
function exeStart(page) {
  var started = pipwerks.SCORM.init();
  document.getElementById("api-found").textContent = started === "true" ? "Connected" : "No LMS";
  if (pipwerks.SCORM.get("cmi.core.lesson_status") === "not attempted") pipwerks.SCORM.set("cmi.core.lesson_status", "incomplete");
  var saved = pipwerks.SCORM.get("cmi.suspend_data");
  if (pipwerks.SCORM.get("cmi.core.entry") === "resume" && saved) {
    document.getElementById("resume").textContent = "Welcome back: you were at " + saved;
  }
  document.getElementById("leave").addEventListener("click", function () {
    pipwerks.SCORM.set("cmi.core.lesson_location", page + "#section-3");
    pipwerks.SCORM.set("cmi.suspend_data", "section=3;viewed=1,2,3");
    pipwerks.SCORM.set("cmi.core.exit", "suspend");
    pipwerks.SCORM.save();
    pipwerks.SCORM.quit();
    document.getElementById("left").textContent = "Saved for later";
  });
  document.getElementById("finish").addEventListener("click", function () {
    pipwerks.SCORM.set("cmi.core.lesson_status", "completed");
    pipwerks.SCORM.set("cmi.core.exit", "");
    pipwerks.SCORM.save();
    pipwerks.SCORM.quit();
    document.getElementById("left").textContent = "Page completed";
  });
}
"""


def _exe_page(title: str, page: str) -> str:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<script src="SCORM_API_wrapper.js"></script><script src="common.js"></script></head>
<body><h1>{title}</h1><p id="api-found"></p><p id="resume"></p>
<button id="leave" type="button">Save and leave</button> <button id="finish" type="button">Mark this page read</button>
<p id="left"></p>
<script>exeStart("{page}");</script></body></html>"""


def exe_12() -> bytes:
    return build(
        {
            "imsmanifest.xml": EXE_MANIFEST,
            "index.html": _exe_page("The RTI Act, 2005", "index.html"),
            "first_appeals.html": _exe_page("First appeals", "first_appeals.html"),
            "SCORM_API_wrapper.js": PIPWERKS,
            "common.js": EXE_COMMON,
        }
    )


CAPTIVATE_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="Captivate_GeM_Procurement" version="1.3"
  xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"
  xmlns:adlseq="http://www.adlnet.org/xsd/adlseq_v1p3"
  xmlns:adlnav="http://www.adlnet.org/xsd/adlnav_v1p3"
  xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="GeM_ORG">
    <organization identifier="GeM_ORG" adlseq:objectivesGlobalToSystem="false">
      <title>Public Procurement on GeM</title>
      <item identifier="GeM_SCO" identifierref="GeM_RES" parameters="?lang=en">
        <title>Public Procurement on GeM</title>
        <imsss:sequencing>
          <imsss:deliveryControls completionSetByContent="true" objectiveSetByContent="true"/>
        </imsss:sequencing>
        <adlnav:presentation><adlnav:navigationInterface><adlnav:hideLMSUI>continue</adlnav:hideLMSUI></adlnav:navigationInterface></adlnav:presentation>
      </item>
      <imsss:sequencing>
        <imsss:controlMode choice="true" flow="true"/>
        <imsss:objectives><imsss:primaryObjective objectiveID="PRIMARYOBJ" satisfiedByMeasure="true">
          <imsss:minNormalizedMeasure>0.8</imsss:minNormalizedMeasure></imsss:primaryObjective></imsss:objectives>
      </imsss:sequencing>
    </organization>
  </organizations>
  <resources xml:base="res/">
    <resource identifier="GeM_RES" type="webcontent" adlcp:scormType="sco" href="content/index_scorm.html">
      <file href="content/index_scorm.html"/><file href="content/scormdriver.js"/>
      <dependency identifierref="SHARED"/>
    </resource>
    <resource identifier="SHARED" type="webcontent" adlcp:scormType="asset"><file href="content/scormdriver.js"/></resource>
  </resources>
</manifest>"""

CAPTIVATE_DRIVER = """
function SCORM2004_SearchForAPI(win) {
  var tries = 0;
  while (win && tries < 500) {
    try { if (win.API_1484_11 && typeof win.API_1484_11.Initialize !== "undefined") return win.API_1484_11; } catch (e) {}
    try { if (!win.parent || win.parent === win) break; } catch (e) { break; }
    win = win.parent; tries++;
  }
  return null;
}
var API_1484 = SCORM2004_SearchForAPI(window) || (window.opener ? SCORM2004_SearchForAPI(window.opener) : null);
"""

CAPTIVATE_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>GeM</title><script src="scormdriver.js"></script></head>
<body><h1>Public Procurement on GeM</h1><p id="language"></p><p id="where"></p>
<button id="submit-quiz" type="button">Submit the quiz</button><p id="quiz-result"></p>
<script>
  API_1484.Initialize("");
  document.getElementById("language").textContent = "Language: " + new URLSearchParams(location.search).get("lang");
  var where = API_1484.GetValue("cmi.location");
  document.getElementById("where").textContent = where ? "Resumed at " + where : "From the start";
  API_1484.SetValue("cmi.location", "slide-4");
  API_1484.SetValue("cmi.completion_status", "incomplete");
  API_1484.Commit("");
  document.getElementById("submit-quiz").addEventListener("click", function () {
    API_1484.SetValue("cmi.score.raw", "85");
    API_1484.SetValue("cmi.score.min", "0");
    API_1484.SetValue("cmi.score.max", "100");
    API_1484.SetValue("cmi.score.scaled", "0.85");
    API_1484.SetValue("cmi.success_status", "passed");
    API_1484.SetValue("cmi.completion_status", "completed");
    API_1484.SetValue("cmi.exit", "normal");
    API_1484.Commit("");
    API_1484.Terminate("");
    document.getElementById("quiz-result").textContent = "Quiz passed: 85%";
  });
</script></body></html>"""


def captivate_2004() -> bytes:
    return build(
        {
            "imsmanifest.xml": CAPTIVATE_MANIFEST,
            "res/content/index_scorm.html": CAPTIVATE_PAGE,
            "res/content/scormdriver.js": CAPTIVATE_DRIVER,
        }
    )
