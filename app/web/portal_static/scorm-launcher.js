/* The launcher of a SCORM package, served from the content origin inside the learner's page.
 *
 * It holds the run-time the package's driver searches for: window.API (SCORM 1.2) or
 * window.API_1484_11 (SCORM 2004), scorm-again, loaded with the CMI data to start from. It then
 * frames the package's launch file, from this same origin (in a stage frame, see below), so
 * every search the drivers make (their own window, each parent, the opener, the top) finds the
 * run-time here, in their own origin, before it could reach the portal's page (where reading a
 * property throws a SecurityError and ends the search).
 *
 * The run-time commits to this origin ("/scorm-commit/<signed address>"); nothing here holds
 * the learner's session. When the learner leaves (the tab closed, a reload, the portal's
 * navigation), the session is finished here on "pagehide" if the package did not finish it, so
 * its exit (suspend) and last suspend_data arrive (scorm-again sends that last commit as a
 * beacon, which the browser delivers after the page is gone).
 *
 * The only thing said to the portal's page is that the data changed (after each commit that
 * the server accepted), by a message to the portal's origin alone; the page checks that it
 * came from this frame and this origin.
 */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("launch-config").textContent);
  var is12 = cfg.version === "1.2";
  var Runtime = is12 ? window.Scorm12API : window.Scorm2004API;
  var settings = {
    autocommit: true,
    autocommitSeconds: 15,
    dataCommitFormat: "json",
    logLevel: 5,
    xhrHeaders: { Accept: "application/json" },
    lmsCommitUrl: cfg.commitUrl || false,
    // the session's last commit (the package's LMSFinish or Terminate, or ours as the page
    // goes) is a beacon, which the browser still sends while the page is being left
    terminationCommitContentType: "application/json",
    requestHandler: function (commit) { return { cmi: commit }; },
    // each answer of the server (commits are synchronous, as SCORM wants them), read here so
    // the portal's page hears of every accepted commit
    xhrResponseHandler: function (xhr) {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      var ok = xhr.status >= 200 && xhr.status < 300 && body && body.result === true;
      if (ok) setTimeout(function () { tell("committed"); }, 0);
      return ok ? { result: true, errorCode: 0 } : { result: false, errorCode: (body && body.errorCode) || 101 };
    }
  };
  var api = new Runtime(settings);
  load(cfg.cmi || {});
  if (is12) window.API = api;
  else window.API_1484_11 = api;

  var finished = false;

  // The data kept from before, whole; if scorm-again refuses any of it (a value a package once
  // committed that the data model does not allow), value by value, leaving out what it refuses,
  // so one bad value never keeps the run-time from the package.
  function load(cmi) {
    try {
      api.loadFromFlattenedJSON(cmi, "");
      return;
    } catch (e) {
      /* some of it was refused: load it again value by value */
    }
    Object.keys(cmi).sort().forEach(function (key) {
      var one = {};
      one[key] = cmi[key];
      try { api.loadFromFlattenedJSON(one, ""); } catch (e) { /* left out */ }
    });
  }

  function tell(event, detail) {
    if (window.parent === window || !cfg.portal) return;
    window.parent.postMessage({ igot: "scorm", event: event, detail: detail || null }, cfg.portal);
  }

  api.on(is12 ? "LMSFinish" : "Terminate", function () {
    finished = true;
    var request = is12 ? "" : String(api.cmi && api.adl && api.adl.nav ? api.adl.nav.request || "" : "");
    tell("finished", request && request !== "_none_" ? request : null);
  });

  // The learner leaves: finish the session the package left open, so what it set is kept.
  window.addEventListener("pagehide", function () {
    if (finished) return;
    try {
      if (api.isInitialized() && !api.isTerminated()) {
        if (is12) api.LMSFinish("");
        else api.Terminate("");
      }
    } catch (e) {
      /* nothing more can be done while the page goes */
    }
  });

  // The package's launch file goes in a frame inside a stage of this origin, not straight
  // under this page: a package that moves to its next page by navigating its parent frame
  // (Lectora's pages do) then replaces the stage, and the run-time stays here, one parent up.
  var stage = document.getElementById("package-frame");
  var launch = new URL(stage.getAttribute("data-src"), location.href).href;
  var doc = stage.contentDocument;
  doc.open();
  doc.write(
    "<!DOCTYPE html><html><head><meta charset='utf-8'><style>html,body{margin:0;height:100%;overflow:hidden}" +
      "iframe{display:block;border:0;width:100%;height:100%}</style></head><body></body></html>"
  );
  doc.close();
  var inner = doc.createElement("iframe");
  inner.title = stage.title;
  inner.setAttribute("allow", "fullscreen; autoplay");
  inner.src = launch;
  doc.body.appendChild(inner);
})();
