"""SCORM packages shaped like the exports of the tools MDOs use, for the run-time's tests.

Each finds the run-time with the search its tool ships, as written there: no step wrapped in
try/catch, no friendlier order. Reading ``API`` on a window of another origin throws a
SecurityError, which ends such a search; so a package finds the run-time only if every window
it looks at before it is of its own origin. Where each search comes from:

- ``rise_12``, ``storyline_12``: Rustici's ``scormdriver.js`` (in every Storyline, Rise and
  Captivate export that uses it): ``ScanParentsForApi(window.parent)`` first, then
  ``window.top.opener``; the driver's page frames the course, which calls the driver's
  functions in its parent (SetBookmark, SetDataChunk, SetScore, SetPassed...).
- ``exe_12``: pipwerks' ``SCORM_API_wrapper.js`` (eXeLearning): ``API.get`` calls
  ``find(win.parent)`` when there is a parent, then the top's opener; two SCOs, the first
  keeping ``suspend_data`` and exiting with ``suspend``.
- ``reload_12``: ADL's ``APIWrapper.js`` (Reload, Lectora's ``apiwrapper11.js``, Xerte's 1.2
  wrapper): ``var API = null;`` at the top level (which sets a ``window.API`` put in the
  package's own window back to null), then ``findAPI(window)`` walking the parents, then the
  opener. It sets its suspend data without committing and leaves it to the LMS to finish the
  session when the learner leaves.
- ``lectora_12``: the ADL wrapper too; the launch page moves to the next page by navigating
  its own parent frame (``parent.location.href``), and the next page finds the run-time again.
- ``captivate_2004``: a Captivate-style ``scorm_support.js`` for SCORM 2004 4th Edition with a
  sequencing manifest (imsss, adlseq, adlnav), its launch file nested under ``xml:base`` with
  parameters; it looks for ``API_1484_11`` from its own window up, then the opener.

The pages have the buttons a learner presses ("Submit the quiz"), as a course would; the
player has none. Each says where it resumed when it is launched again.
"""

from __future__ import annotations

from .scorm_packages import build

# Rustici's scormdriver.js: the parents first, from window.parent, with no try/catch.
RUSTICI_FIND = """
var MAX_PARENTS_TO_SEARCH = 500;
function ScanParentsForApi(win) {
  var nParentsSearched = 0;
  while ((win.API == null || win.API === undefined) && (win.parent != null) && (win.parent != win)
         && (nParentsSearched <= MAX_PARENTS_TO_SEARCH)) {
    nParentsSearched++;
    win = win.parent;
  }
  return win.API;
}
function SCORM_GrabAPI() {
  var API = null;
  if ((window.parent != null) && (window.parent != window)) { API = ScanParentsForApi(window.parent); }
  if ((API == null) && (window.top.opener != null)) { API = ScanParentsForApi(window.top.opener); }
  return API;
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
var API_FOUND = null;
try { API_FOUND = SCORM_GrabAPI(); } catch (e) { window.driverError = String(e); }  // the driver's own error path
if (API_FOUND == null) { document.title = "Error - unable to acquire LMS API"; }
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
<p id="where"></p>
<p>Lesson 1: the note sheet. Lesson 2: the draft for approval.</p>
<button id="submit-quiz" type="button">Submit the quiz</button>
<p id="quiz-result"></p>
<script>
  var driver = window.parent;
  if (driver.driverStarted !== "true") {
    document.getElementById("greeting").textContent = "Error - unable to acquire LMS API";
  } else {
    document.getElementById("greeting").textContent = "Welcome, " + driver.GetStudentName();
    var mark = driver.GetBookmark();
    document.getElementById("where").textContent = mark ? "Resumed at " + mark : "From the start";
    driver.SetBookmark("lesson-2");
  }
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

# pipwerks' SCORM_API_wrapper.js (v1.1.20180906): API.get looks from the parent first.
PIPWERKS = """
var pipwerks = {SCORM: {version: null, API: {handle: null}}};
pipwerks.SCORM.API.find = function (win) {
  var API = null, findAttempts = 0, findAttemptLimit = 500, scorm = pipwerks.SCORM;
  while ((!win.API && !win.API_1484_11) && (win.parent) && (win.parent != win) && (findAttempts <= findAttemptLimit)) {
    findAttempts++;
    win = win.parent;
  }
  if (win.API_1484_11) { scorm.version = "2004"; API = win.API_1484_11; }
  else if (win.API) { scorm.version = "1.2"; API = win.API; }
  return API;
};
pipwerks.SCORM.API.get = function () {
  var API = null, win = window, find = pipwerks.SCORM.API.find;
  if (win.parent && win.parent != win) { API = find(win.parent); }
  if (!API && win.top && win.top.opener) { API = find(win.top.opener); }
  if (!API && win.top && win.top.opener && win.top.opener.document) { API = find(win.top.opener.document); }
  return API;
};
pipwerks.SCORM.init = function () {
  var api = null;
  try { api = pipwerks.SCORM.API.handle = pipwerks.SCORM.API.get(); } catch (e) { api = null; }  // the wrapper's caller
  return api ? String(api.LMSInitialize("")) : "false";
};
pipwerks.SCORM.get = function (k) { return pipwerks.SCORM.API.handle.LMSGetValue(k); };
pipwerks.SCORM.set = function (k, v) { return pipwerks.SCORM.API.handle.LMSSetValue(k, v); };
pipwerks.SCORM.save = function () { return pipwerks.SCORM.API.handle.LMSCommit(""); };
pipwerks.SCORM.quit = function () { return pipwerks.SCORM.API.handle.LMSFinish(""); };
"""

EXE_COMMON = """
function exeStart(page) {
  var started = pipwerks.SCORM.init();
  document.getElementById("api-found").textContent = started === "true" ? "Connected" : "No LMS";
  if (started !== "true") return;
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
      <file href="content/index_scorm.html"/><file href="content/scorm_support.js"/>
      <dependency identifierref="SHARED"/>
    </resource>
    <resource identifier="SHARED" type="webcontent" adlcp:scormType="asset"><file href="content/scorm_support.js"/></resource>
  </resources>
</manifest>"""

# Captivate's scorm_support.js (SCORM 2004): from its own window up the parents, then the opener.
CAPTIVATE_DRIVER = """
var g_nFindAPITries = 0;
var g_objAPI = null;
function findAPI(win) {
  while ((win.API_1484_11 == null) && (win.parent != null) && (win.parent != win)) {
    g_nFindAPITries++;
    if (g_nFindAPITries > 500) { return null; }
    win = win.parent;
  }
  return win.API_1484_11;
}
function getAPI() {
  var theAPI = findAPI(window);
  if ((theAPI == null) && (window.opener != null) && (typeof (window.opener) != "undefined")) { theAPI = findAPI(window.opener); }
  return theAPI;
}
try { g_objAPI = getAPI(); } catch (e) { g_objAPI = null; }  // the page's own guard, not the search's
var API_1484 = g_objAPI;
"""

CAPTIVATE_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>GeM</title><script src="scorm_support.js"></script></head>
<body><h1>Public Procurement on GeM</h1><p id="language"></p><p id="where"></p>
<button id="submit-quiz" type="button">Submit the quiz</button><p id="quiz-result"></p>
<script>
  if (!API_1484) { document.getElementById("where").textContent = "Error - unable to acquire LMS API"; throw new Error("no LMS"); }
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
            "res/content/scorm_support.js": CAPTIVATE_DRIVER,
        }
    )


# ADL's APIWrapper.js (SCORM 1.2), as Reload, Lectora (apiwrapper11.js) and Xerte ship it.
ADL_WRAPPER = """
var _Debug = false;
var apiHandle = null;
var API = null;
var findAPITries = 0;
function findAPI(win) {
  while ((win.API == null) && (win.parent != null) && (win.parent != win)) {
    findAPITries++;
    if (findAPITries > 7) { alert("Error finding API -- too deeply nested."); return null; }
    win = win.parent;
  }
  return win.API;
}
function getAPI() {
  var theAPI = findAPI(window);
  if ((theAPI == null) && (window.opener != null) && (typeof (window.opener) != "undefined")) { theAPI = findAPI(window.opener); }
  if (theAPI == null) { alert("Unable to find an API adapter"); }
  return theAPI;
}
function getAPIHandle() { if (apiHandle == null) { apiHandle = getAPI(); } return apiHandle; }
function doLMSInitialize() {
  var api = getAPIHandle();
  if (api == null) { alert("Unable to locate the LMS's API Implementation. LMSInitialize was not successful."); return "false"; }
  return String(api.LMSInitialize(""));
}
function doLMSGetValue(name) { var api = getAPIHandle(); return api == null ? "" : api.LMSGetValue(name).toString(); }
function doLMSSetValue(name, value) { var api = getAPIHandle(); return api == null ? "false" : api.LMSSetValue(name, value); }
function doLMSCommit() { var api = getAPIHandle(); return api == null ? "false" : String(api.LMSCommit("")); }
function doLMSFinish() { var api = getAPIHandle(); return api == null ? "false" : String(api.LMSFinish("")); }
"""

RELOAD_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="Reload_Office_Procedure" version="1.0"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="ORG-MOP">
    <organization identifier="ORG-MOP"><title>Manual of Office Procedure</title>
      <item identifier="ITEM-MOP" identifierref="RES-MOP"><title>Manual of Office Procedure</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="RES-MOP" type="webcontent" adlcp:scormtype="sco" href="sco/mop.html">
      <file href="sco/mop.html"/><file href="sco/APIWrapper.js"/></resource>
  </resources>
</manifest>"""

RELOAD_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Manual of Office Procedure</title>
<script src="APIWrapper.js"></script></head>
<body><h1>Manual of Office Procedure</h1><p id="api-found"></p><p id="where"></p>
<button id="read-chapter" type="button">I have read chapter 2</button>
<button id="finish" type="button">Finish the course</button><p id="done"></p>
<script>
  var ok = doLMSInitialize();
  document.getElementById("api-found").textContent = ok === "true" ? "Connected" : "No LMS";
  if (ok === "true") {
    var saved = doLMSGetValue("cmi.suspend_data");
    var entry = doLMSGetValue("cmi.core.entry");
    document.getElementById("where").textContent =
      entry === "resume" && saved ? "Resumed: " + saved + " at " + doLMSGetValue("cmi.core.lesson_location") : "From the start";
  }
  document.getElementById("read-chapter").addEventListener("click", function () {
    // kept in the run-time only: the LMS finishes the session when the learner leaves
    doLMSSetValue("cmi.core.lesson_status", "incomplete");
    doLMSSetValue("cmi.core.lesson_location", "chapter-3");
    doLMSSetValue("cmi.suspend_data", "chapters=1,2");
    doLMSSetValue("cmi.core.exit", "suspend");
    document.getElementById("done").textContent = "Chapter 2 read";
  });
  document.getElementById("finish").addEventListener("click", function () {
    doLMSSetValue("cmi.core.lesson_status", "completed");
    doLMSSetValue("cmi.core.exit", "");
    doLMSCommit();
    doLMSFinish();
    document.getElementById("done").textContent = "Course finished";
  });
</script></body></html>"""


def reload_12() -> bytes:
    return build({"imsmanifest.xml": RELOAD_MANIFEST, "sco/mop.html": RELOAD_PAGE, "sco/APIWrapper.js": ADL_WRAPPER})


LECTORA_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="Lectora_Cyber_Hygiene" version="1.0"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2" xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="ORG-CYBER">
    <organization identifier="ORG-CYBER"><title>Cyber Hygiene for Government Employees</title>
      <item identifier="ITEM-CYBER" identifierref="RES-CYBER"><title>Cyber Hygiene for Government Employees</title></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="RES-CYBER" type="webcontent" adlcp:scormtype="sco" href="a001_intro.html">
      <file href="a001_intro.html"/><file href="a002_quiz.html"/><file href="apiwrapper11.js"/></resource>
  </resources>
</manifest>"""

# Lectora's pages each load the wrapper; moving on, a page navigates its own parent frame.
LECTORA_INTRO = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Cyber Hygiene</title>
<script src="apiwrapper11.js"></script></head>
<body><h1>Cyber Hygiene: passwords and phishing</h1><p id="api-found"></p><p id="where"></p>
<button id="next" type="button">Next page</button>
<script>
  var ok = doLMSInitialize();
  document.getElementById("api-found").textContent = ok === "true" ? "Connected" : "No LMS";
  var at = ok === "true" ? doLMSGetValue("cmi.core.lesson_location") : "";
  document.getElementById("where").textContent = at ? "Resumed at " + at : "From the start";
  document.getElementById("next").addEventListener("click", function () {
    doLMSSetValue("cmi.core.lesson_location", "a002_quiz.html");
    doLMSSetValue("cmi.core.exit", "suspend");
    doLMSCommit();
    var target = (parent != window) ? parent : window;
    target.location.href = "a002_quiz.html";
  });
</script></body></html>"""

LECTORA_QUIZ = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Cyber Hygiene: quiz</title>
<script src="apiwrapper11.js"></script></head>
<body><h1>Quiz: spot the phishing mail</h1><p id="api-found"></p>
<button id="submit-quiz" type="button">Submit the quiz</button><p id="quiz-result"></p>
<script>
  doLMSInitialize();  // "false" when the session goes on from the page before: the wrapper carries on
  document.getElementById("api-found").textContent = getAPIHandle() ? "Connected" : "No LMS";
  document.getElementById("submit-quiz").addEventListener("click", function () {
    doLMSSetValue("cmi.core.score.raw", "80");
    doLMSSetValue("cmi.core.score.max", "100");
    doLMSSetValue("cmi.core.lesson_status", "passed");
    doLMSSetValue("cmi.core.exit", "");
    doLMSCommit();
    doLMSFinish();
    document.getElementById("quiz-result").textContent = "Quiz passed: 80%";
  });
</script></body></html>"""


def lectora_12() -> bytes:
    return build(
        {
            "imsmanifest.xml": LECTORA_MANIFEST,
            "a001_intro.html": LECTORA_INTRO,
            "a002_quiz.html": LECTORA_QUIZ,
            "apiwrapper11.js": ADL_WRAPPER,
        }
    )
