// The admin's own behaviour, bound here rather than in inline attributes: every page is served
// with a Content-Security-Policy that runs no inline script, so markup planted in a label or a
// description can never run either.
(function () {
  "use strict";

  function each(selector, fn) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), fn);
  }

  // A select that reloads its form when changed (Customize Form, Data Import).
  each("select[data-autosubmit]", function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // A record form is sent once: its buttons are disabled while it is being saved (the server
  // also saves a create form once, whatever the browser sends: admin/submissions.py).
  each("form.admin-form", function (form) {
    form.addEventListener("submit", function () {
      if (form.getAttribute("data-sending")) {
        return;
      }
      form.setAttribute("data-sending", "1");
      window.setTimeout(function () {
        each("form.admin-form [type=submit]", function (b) { b.disabled = true; });
      }, 0);
    });
  });
  // Back to a page kept by the browser: its buttons work again.
  window.addEventListener("pageshow", function () {
    each("form.admin-form", function (form) { form.removeAttribute("data-sending"); });
    each("form.admin-form [type=submit]", function (b) { b.disabled = false; });
  });

  // Buttons that ask before they act (delete a record).
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // "With selected" list actions.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-model-action]");
    if (link && window.modelActions) {
      event.preventDefault();
      window.modelActions.execute(link.getAttribute("data-model-action"));
    }
  });

  // "Add" a row to a child table.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-inline-add]");
    if (link && window.faForm) {
      event.preventDefault();
      window.faForm.addInlineField(link, link.getAttribute("data-inline-add"));
    }
  });

  // Filter names in the "Add Filter" menu are handled by Flask-Admin's filters.js; they are
  // not links to follow.
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a.filter, a[href='#'][data-toggle]");
    if (link) {
      event.preventDefault();
    }
  });

  // Fields shown only for some values of another (a module's link, file or text, by its
  // kind): hidden, with their label, while the field they depend on has another value.
  each("[data-depends-on]", function (input) {
    var control = document.getElementById(input.getAttribute("data-depends-on"));
    var group = input.closest(".form-group");
    if (!control || !group) {
      return;
    }
    var wanted = JSON.parse(input.getAttribute("data-depends-in")).map(String);
    function apply() {
      var value = control.type === "checkbox" ? (control.checked ? "true" : "false") : control.value;
      group.hidden = wanted.indexOf(value) < 0;
    }
    control.addEventListener("change", apply);
    apply();
  });

  // The fields an answer is chosen from (its options) and by (the question's kind), in the
  // same form or the same row of a child table as the answer's box.
  function companions(answer) {
    var spec = JSON.parse(answer.getAttribute("data-choose-from"));
    var prefix = answer.id.slice(0, answer.id.length - answer.name.split("-").pop().length);
    return { spec: spec, source: document.getElementById(prefix + spec.field), by: document.getElementById(prefix + spec.by) };
  }

  // Options typed each in a row of its own (an assessment question's options, the field an
  // answer is chosen from): the rows are written back to the options' text box, one a line, as
  // they are typed, so the record, its storage and the API keep the one-a-line text. A row
  // renamed or removed renames or removes its tick in the answer. The rows are helpers, not
  // sent with the record; kinds with fixed or typed answers (True/False, number) hide them.
  function optionRows() {
    each("textarea[data-choose-from]", function (answer) {
      var found = companions(answer), spec = found.spec, source = found.source, by = found.by;
      if (!source) {
        return;
      }
      var kind = by ? by.value : "";
      var listed = (spec.one || []).concat(spec.many || []).indexOf(kind) >= 0;
      var group = source.closest(".form-group");
      if (group) {
        group.hidden = Boolean(kind) && (!listed || Boolean((spec.fixed || {})[kind]));
      }
      if (document.getElementById(source.id + "-rows")) {
        return;
      }
      var box = document.createElement("div");
      box.className = "option-rows";
      box.id = source.id + "-rows";
      var list = document.createElement("div");
      box.appendChild(list);

      function rows() {
        return Array.prototype.slice.call(list.querySelectorAll("input.option-row"));
      }
      function renumber() {
        rows().forEach(function (input, i) {
          input.id = source.id + "-row-" + i;
          input.setAttribute("aria-label", "Option " + (i + 1));
          input.parentNode.querySelector("button").setAttribute("aria-label", "Remove option " + (i + 1));
        });
      }
      function retick(before, after) {
        var lines = answer.value.split("\n").map(function (l) { return l.trim(); });
        var at = before ? lines.indexOf(before) : -1;
        if (at < 0 || lines.indexOf(after) >= 0 && after) {
          return;
        }
        if (after) {
          lines[at] = after;
        } else {
          lines.splice(at, 1);
        }
        answer.value = lines.filter(function (l) { return l; }).join("\n");
      }
      function write() {
        source.value = rows().map(function (r) { return r.value.trim(); }).filter(function (v) { return v; }).join("\n");
        chooseAnswers();
      }
      function add(value, focus) {
        var row = document.createElement("div");
        row.className = "option-row-line";
        var input = document.createElement("input");
        input.type = "text";
        input.className = "form-control option-row";
        input.value = value;
        input.setAttribute("form", "igot-no-form");  // a helper, not sent with the record
        input.setAttribute("data-was", value.trim());
        input.addEventListener("input", function () {
          retick(input.getAttribute("data-was"), input.value.trim());
          input.setAttribute("data-was", input.value.trim());
          write();
        });
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "btn btn-outline-secondary btn-sm";
        remove.textContent = "Remove";
        remove.addEventListener("click", function () {
          retick(input.value.trim(), "");
          list.removeChild(row);
          renumber();
          write();
        });
        row.appendChild(input);
        row.appendChild(remove);
        list.appendChild(row);
        renumber();
        if (focus) {
          input.focus();
        }
      }
      source.value.split("\n").map(function (l) { return l.trim(); }).filter(function (l) { return l; })
        .forEach(function (line) { add(line, false); });
      if (!rows().length) {
        add("", false);
      }
      var more = document.createElement("button");
      more.type = "button";
      more.id = source.id + "-add";
      more.className = "btn btn-outline-primary btn-sm";
      more.textContent = "Add option";
      more.addEventListener("click", function () { add("", true); });
      box.appendChild(more);
      source.hidden = true;
      source.parentNode.insertBefore(box, source.nextSibling);
    });
  }

  // Answers picked from the options typed above them (an assessment question's correct
  // answer): ticks built from the options' lines, one or several by the question's kind,
  // written back to the answer's text box, one a line; other kinds keep the text box.
  function chooseAnswers() {
    each("textarea[data-choose-from]", function (answer) {
      var found = companions(answer), spec = found.spec, source = found.source, by = found.by;
      var old = answer.parentNode.querySelector(".answer-choices");
      var kind = by ? by.value : "";
      var fixed = (spec.fixed || {})[kind];
      var one = (spec.one || []).indexOf(kind) >= 0;
      var many = (spec.many || []).indexOf(kind) >= 0;
      if (old) {
        old.parentNode.removeChild(old);
      }
      if (!(one || many)) {
        answer.hidden = false;
        return;
      }
      var lines = fixed || (source ? source.value.split("\n") : []);
      lines = lines.map(function (l) { return l.trim(); }).filter(function (l) { return l; });
      var chosen = answer.value.split("\n").map(function (l) { return l.trim(); });
      var box = document.createElement("div");
      box.className = "answer-choices";
      box.id = answer.id + "-choices";
      if (!lines.length) {
        box.textContent = "Type the options above, one a row: then tick the correct " + (many ? "ones" : "one") + " here.";
        box.className += " text-muted small";
      }
      lines.forEach(function (line, i) {
        var label = document.createElement("label");
        label.className = "d-block mb-1";
        var tick = document.createElement("input");
        tick.type = many ? "checkbox" : "radio";
        tick.name = answer.id + "-choice";
        tick.value = line;
        tick.id = answer.id + "-choice-" + i;
        tick.className = "mr-2";
        tick.checked = chosen.indexOf(line) >= 0;
        tick.setAttribute("form", "igot-no-form");  // a helper, not sent with the record
        tick.addEventListener("change", function () {
          var picked = [];
          each("#" + box.id + " input", function (t) { if (t.checked) { picked.push(t.value); } });
          answer.value = picked.join("\n");
        });
        label.appendChild(tick);
        label.appendChild(document.createTextNode(line));
        box.appendChild(label);
      });
      answer.hidden = true;
      answer.required = false;  // the server says, by label, when no option is ticked
      answer.parentNode.insertBefore(box, answer.nextSibling);
    });
  }
  optionRows();
  chooseAnswers();
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("select, textarea:not([data-choose-from])")) {
      optionRows();
      chooseAnswers();
    }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-inline-add]")) {
      window.setTimeout(function () { optionRows(); chooseAnswers(); }, 0);
    }
  });

  // Charts: each canvas carries its figures as JSON in data-chart (the home page).
  if (window.Chart) {
    each("canvas[data-chart]", function (canvas) {
      var spec = JSON.parse(canvas.getAttribute("data-chart"));
      new window.Chart(canvas, {
        type: spec.type,
        data: {labels: spec.labels, datasets: [{label: spec.title, data: spec.values,
          backgroundColor: "rgba(0, 94, 184, 0.5)", borderColor: "rgb(0, 94, 184)"}]},
        options: {animation: false, plugins: {legend: {display: false}},
          scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}
      });
    });
  }
})();

/* A create form sent, then Back. Pages are not kept by the browser (Cache-Control: no-store),
   so Back loads the form afresh, with a new key, and the browser puts back what was typed: Save
   would make a second record. The key a form was sent with is remembered for this tab, and a
   form reached by Back or Forward sends that key again, so the server answers that it was
   saved before (admin.submissions) instead of making another. */
(function () {
  "use strict";
  var key = document.querySelector('input[name="form_key"]');
  if (!key || !key.form || !window.sessionStorage) return;
  var slot = "igot-form-key:" + location.pathname + location.search;
  var nav = window.performance && performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
  if (nav && nav.type === "back_forward") {
    var sent = sessionStorage.getItem(slot);
    if (sent) key.value = sent;
  }
  key.form.addEventListener("submit", function () {
    try { sessionStorage.setItem(slot, key.value); } catch (e) { /* storage full or off: the server's check still holds for a double click */ }
  });
})();
