/* The learner's player: measures progress in a module and reports it to the server.
 *
 * Its configuration is the page's <script type="application/json" id="player-config">.
 * - scorm: the package plays in a launcher at the content origin that holds the run-time
 *   (scorm-launcher.js) and commits to the server, which decides completion; this page only
 *   hears, from that frame and origin alone, that the data changed.
 * - video: the stretches actually played (seeking skips nothing into them), sent as they grow.
 * - pdf: the pages shown (pdf.js draws them here, in the page itself: its own scroll moves
 *   through the document), and the page to come back to.
 * - text: whether the end of the lesson was reached, and the reading time left (the server's,
 *   counted from the first opening, so across visits).
 * - every kind: the completion said in a toast at the bottom of the screen too, where a learner
 *   who just reached the end is looking.
 * - every kind: a heartbeat every 15 seconds while the page is in view; the server, not this
 *   page, measures the time on content from them, and says how much of the module's minimum
 *   time remains.
 */
(function () {
  "use strict";
  var holder = document.getElementById("player-config");
  if (!holder) return;
  var cfg = JSON.parse(holder.textContent);
  var status = document.getElementById("module-status");
  var completed = document.getElementById("completed-module");
  var toast = document.getElementById("module-toast");
  var reachedEnd = false;

  function say(text) {
    if (status) status.textContent = text;
  }

  function tell(text, certificates) {
    if (!toast) return;
    document.getElementById("toast-text").textContent = text;
    document.getElementById("toast-certificates").classList.toggle("hidden", !certificates);
    toast.classList.remove("hidden");
  }

  function show(state) {
    if (!state) return;
    if (state.complete) {
      if (completed && !cfg.complete) {
        completed.classList.remove("hidden");
        document.getElementById("completed-text").textContent = cfg.messages.complete;
        tell(cfg.messages.complete, true);
      }
      if (status) status.textContent = "";
      cfg.complete = true;
    } else if (state.done && state.required_assessment && !state.assessment_passed) {
      say(cfg.messages.assessment);
    } else if (state.time && state.time.reading_left > 0) {
      var left = minutes(state.time.reading_left);
      say(cfg.messages.reading_left.replace("{minutes}", left));
      if (reachedEnd) tell(cfg.messages.reading_done.replace("{minutes}", left), false);
    } else if (state.time && state.time.waiting) {
      say(cfg.messages.waiting.replace("{minutes}", minutes(state.time.remaining)));
    } else {
      var text = cfg.messages.progress.replace("{percent}", String(Math.round(state.progress || 0)));
      if (state.time && state.time.remaining > 0) text += " " + cfg.messages.time_left.replace("{minutes}", minutes(state.time.remaining));
      say(text);
    }
    (state.parts || []).forEach(function (p) {
      var el = document.querySelector('[data-part="' + CSS.escape(p.part) + '"]');
      if (el && p.status === "Completed") el.textContent = el.getAttribute("data-done");
    });
  }

  function minutes(seconds) {
    return String(Math.max(1, Math.ceil(seconds / 60)));
  }

  function refresh() {
    return fetch(cfg.stateUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) { if (body) show(body.data); })
      .catch(function () {});
  }

  function send(data, keepalive) {
    data.module = cfg.module;
    return fetch(cfg.progressUrl, {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(data)
    })
      .then(function (r) {
        if (!r.ok) throw new Error(String(r.status));
        return r.json();
      })
      .then(function (body) { show(body.data); return body.data; })
      .catch(function () { say(cfg.messages.saving_failed); });
  }

  // SCORM -------------------------------------------------------------------------------------
  // The package plays in its launcher, at the content origin (see scorm-launcher.js), which
  // commits its data there. This page listens only to that frame, from that origin, and only
  // to hear that the data changed: it then asks the server, with the learner's session, how
  // the module stands. Nothing a message says is taken as progress.
  function scorm() {
    var frame = document.getElementById("scorm-frame");
    if (!frame || !cfg.content_origin) return;
    window.addEventListener("message", function (event) {
      if (event.source !== frame.contentWindow || event.origin !== cfg.content_origin) return;
      var data = event.data;
      if (!data || typeof data !== "object" || data.igot !== "scorm") return;
      if (data.event === "committed") refresh();
      if (data.event === "finished") { // its last commit is a beacon, which may still be on its way
        setTimeout(refresh, 500);
        setTimeout(refresh, 2500);
      }
      if (data.event === "finished" && data.detail === "continue" && cfg.next) {
        setTimeout(function () { location.href = cfg.next; }, 400);
      }
    });
  }

  // video -------------------------------------------------------------------------------------
  function video() {
    var v = document.getElementById("player-video");
    var pending = [];
    var last = null;
    var sentAt = Date.now();
    v.addEventListener("loadedmetadata", function () {
      if (cfg.position && cfg.position < v.duration - 2) v.currentTime = cfg.position;
    });
    v.addEventListener("ratechange", function () { // the server counts no faster than twice the speed
      if (v.playbackRate > 2) v.playbackRate = 2;
    });
    v.addEventListener("seeking", function () { last = null; });
    v.addEventListener("playing", function () { last = v.currentTime; });
    v.addEventListener("timeupdate", function () {
      var now = v.currentTime;
      if (v.paused || v.seeking) { last = null; return; }
      if (last !== null && now > last && now - last <= 1.5 * (v.playbackRate || 1)) pending.push([last, now]);
      last = now;
      if (Date.now() - sentAt > 10000) flush(false);
    });
    function flush(keepalive) {
      if (!v.duration || !isFinite(v.duration)) return;
      var watched = pending;
      pending = [];
      sentAt = Date.now();
      if (!watched.length && !keepalive) return;
      send({ duration: v.duration, position: v.currentTime, watched: watched }, keepalive);
    }
    v.addEventListener("pause", function () { flush(false); });
    v.addEventListener("ended", function () { flush(false); });
    window.addEventListener("pagehide", function () { flush(true); });
  }

  // PDF ---------------------------------------------------------------------------------------
  function pdf() {
    var box = document.getElementById("pdf-pages");
    var seen = {};
    var current = 1;
    var timer = null;
    function report() {
      timer = null;
      var pages = Object.keys(seen).map(Number); // all shown: the server counts a page every 2 seconds at most
      send({ seen: pages, page: current }, false).then(function (state) {
        var wait = state && state.measure && state.measure.wait;
        if (wait && !timer) timer = setTimeout(report, wait * 1000 + 250); // the rest, when they can count
      });
    }
    import(cfg.pdfjs).then(function (pdfjs) {
      pdfjs.GlobalWorkerOptions.workerSrc = cfg.worker;
      return pdfjs.getDocument({ url: cfg.src, isEvalSupported: false, withCredentials: true }).promise;
    }).then(function (doc) {
      cfg.pages = doc.numPages;
      var loading = document.getElementById("pdf-loading");
      if (loading) loading.remove();
      var observer = new IntersectionObserver(function (entries) {
        entries.forEach(function (entry) {
          if (!entry.isIntersecting) return;
          var n = Number(entry.target.getAttribute("data-page"));
          var view = entry.rootBounds ? entry.rootBounds.height : window.innerHeight;
          if (entry.intersectionRect.height < Math.min(entry.boundingClientRect.height, view) * 0.5) return;
          current = n;
          seen[n] = true;
          if (!timer) timer = setTimeout(report, 800);
        });
      }, { threshold: [0, 0.25, 0.5, 0.75, 1] }); // the page's own scroll, no box of its own
      var chain = Promise.resolve();
      for (var n = 1; n <= doc.numPages; n++) {
        (function (n) {
          chain = chain.then(function () { return doc.getPage(n); }).then(function (page) {
            var width = Math.max(box.clientWidth - 16, 200);
            var viewport = page.getViewport({ scale: 1 });
            var scaled = page.getViewport({ scale: (width / viewport.width) * (window.devicePixelRatio || 1) });
            var canvas = document.createElement("canvas");
            canvas.width = scaled.width;
            canvas.height = scaled.height;
            canvas.setAttribute("data-page", String(n));
            canvas.setAttribute("role", "img");
            canvas.setAttribute("aria-label", String(n) + " / " + String(doc.numPages));
            box.appendChild(canvas);
            observer.observe(canvas);
            return page.render({ canvasContext: canvas.getContext("2d"), viewport: scaled }).promise;
          });
        })(n);
      }
      return chain.then(function () {
        var back = box.querySelector('canvas[data-page="' + String(cfg.page || 1) + '"]');
        if (back && cfg.page > 1) window.scrollTo(0, back.getBoundingClientRect().top + window.scrollY - 8);
      });
    }).catch(function () { say(cfg.messages.saving_failed); });
  }

  // lesson text -------------------------------------------------------------------------------
  function text() {
    var end = document.getElementById("lesson-end");
    if (!end) return;
    function reached() {
      send({ read_to_end: true, share: 100 }, false).then(function (state) {
        var wait = state && !state.complete && state.measure && state.measure.wait;
        if (wait) setTimeout(reached, wait * 1000 + 250); // not open long enough to have read it yet
      });
    }
    send({ share: 0 }, false).then(function () { // opened: the reading time counts from here
      var observer = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) {
          observer.disconnect();
          reachedEnd = true;
          reached();
        }
      });
      observer.observe(end);
    });
  }

  // time on content ---------------------------------------------------------------------------
  // Every kind, a SCORM package too: while the page is in view, a heartbeat now and every 15
  // seconds; one more as it is hidden or closed. A page in the background sends none.
  function heartbeat() {
    if (!cfg.heartbeatUrl) return;
    var every = null;
    function beat(keepalive) {
      if (cfg.complete) return;
      fetch(cfg.heartbeatUrl, {
        method: "POST",
        credentials: "same-origin",
        keepalive: !!keepalive,
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ module: cfg.module })
      })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (body) { if (body && !keepalive) show(body.data); })
        .catch(function () {});
    }
    function start() {
      if (every || document.visibilityState !== "visible") return;
      beat(false);
      every = setInterval(function () { beat(false); }, 15000);
    }
    function stop() {
      if (!every) return;
      clearInterval(every);
      every = null;
      beat(true);
    }
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") start();
      else stop();
    });
    window.addEventListener("pagehide", stop);
    start();
  }

  heartbeat();
  if (cfg.kind === "scorm") scorm();
  else if (cfg.kind === "video") video();
  else if (cfg.kind === "pdf") pdf();
  else if (cfg.kind === "text" && !cfg.complete) text();
})();
