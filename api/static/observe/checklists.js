/* Checklists on the phone.
 *
 * The form is drawn from the definition embedded in the page (the API's JSON, in the page's
 * language). Questions appear and hide as answers change, and answers are checked before sending
 * with the rules of checklists/validation.py, read from the same definition; the server checks
 * them again and says the same words (they come from the page). A half-filled checklist is kept on
 * the phone as a draft (per observer, station and version) until it goes to the outbox
 * (outbox.js), which sends it as multipart: the JSON in a part named data, each photo, downscaled
 * as report photos are, in a part named photo.<question code>.
 * On a station's list of checklists, each form page is kept for use without a network.
 */
(function () {
  "use strict";

  var box = window.baqylauOutbox;
  var USER = document.body.dataset.user || "";
  var LANG = document.documentElement.lang || "en";
  var PAGE_CACHE = "baqylau-pages";
  var TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

  function draftKey(station, code, version) {
    return ["baqylau-checklist-draft", USER, station, code, version].join(":");
  }

  function readDraft(key) {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  var el = box.el;

  /* ---- A station's list: drafts marked, every form kept for offline use ------------------- */

  function keepPages(list) {
    var links = Array.from(list.querySelectorAll("a[data-code]"));
    links.forEach(function (link) {
      if (readDraft(draftKey(list.dataset.station, link.dataset.code, link.dataset.version))) {
        link.appendChild(el("span", "badge", list.dataset.draftText));
      }
    });
    if (!window.caches || !navigator.onLine) return;
    caches.open(PAGE_CACHE).then(function (cache) {
      return Promise.all(links.map(function (link) {
        return fetch(link.href, { credentials: "same-origin" }).then(function (response) {
          // Kept as the service worker keeps a page it served (sw.js, isPage).
          var html = (response.headers.get("Content-Type") || "").indexOf("text/html") === 0;
          var storable = (response.headers.get("Cache-Control") || "").indexOf("no-store") === -1;
          if (response.ok && !response.redirected && html && storable) return cache.put(link.href, response);
        });
      }));
    }).catch(function () { /* kept when opened instead */ });
  }

  var list = document.querySelector("[data-checklist-pages]");
  if (list) keepPages(list);
  var form = document.querySelector("form[data-checklist]");
  if (!form) return;

  /* ---- The form ---------------------------------------------------------------------------- */

  var def = JSON.parse(document.getElementById("checklist-definition").textContent);
  var T = JSON.parse(document.getElementById("checklist-texts").textContent);
  var tz = form.dataset.tz || "";
  var key = draftKey(form.dataset.station, def.code, def.version);
  var status = form.querySelector("[data-status]");
  var submit = form.querySelector("button[type=submit]");
  var questions = [];
  var kept = {}; // photos of a refused checklist being corrected, by question code

  function message(name, values) {
    var text = T[name];
    Object.keys(values || {}).forEach(function (k) { text = text.split("%(" + k + ")d").join(values[k]); });
    return text;
  }

  function option(q, id, value, label) {
    var wrap = el("label", "choice");
    var input = el("input");
    input.type = q.kind === "choices" ? "checkbox" : "radio";
    input.name = id;
    input.value = value;
    wrap.appendChild(input);
    wrap.appendChild(el("span", "", label));
    return wrap;
  }

  function field(q, id) {
    var input;
    if (q.kind === "text") {
      input = el("textarea");
      input.rows = 2;
      input.maxLength = T.max_text;
    } else {
      input = el("input");
      input.type = { number: "text", time: "time", photo: "file" }[q.kind];
      if (q.kind === "number") {
        input.inputMode = "numeric";
        input.autocomplete = "off";
      }
      if (q.kind === "photo") input.accept = "image/*";
    }
    input.id = id;
    input.name = id;
    return input;
  }

  function questionNode(q) {
    var grouped = q.kind === "yes_no" || q.kind === "choice" || q.kind === "choices";
    var node = el(grouped ? "fieldset" : "div", grouped ? "cq choices" : "cq stack");
    var id = "a-" + q.code;
    var title = el(grouped ? "legend" : "label", "", q.label);
    node.id = "q-" + q.code;
    if (!grouped) title.htmlFor = id;
    if (q.required) title.appendChild(el("span", "req", " " + T.required_mark));
    node.appendChild(title);
    if (q.kind === "yes_no") {
      node.appendChild(option(q, id, "true", T.yes));
      node.appendChild(option(q, id, "false", T.no));
    } else if (grouped) {
      q.choices.forEach(function (c) { node.appendChild(option(q, id, c.code, c.label)); });
    } else {
      node.appendChild(field(q, id));
    }
    if (q.kind === "photo") q.keptNote = node.appendChild(el("p", "muted", T.kept_photo));
    q.error = node.appendChild(el("p", "error"));
    q.error.id = "e-" + q.code;
    q.error.dataset.errorFor = "answers." + q.code;
    q.node = node;
    q.inputs = Array.from(node.querySelectorAll("input, textarea"));
    q.inputs.forEach(function (input) { input.setAttribute("aria-describedby", q.error.id); });
    return node;
  }

  function build() {
    var all = document.createDocumentFragment();
    def.sections.forEach(function (section) {
      var part = el("section", "card");
      if (section.title) part.appendChild(el("h2", "", section.title));
      section.questions.forEach(function (q) {
        questions.push(q);
        part.appendChild(questionNode(q));
      });
      all.appendChild(part);
    });
    form.querySelector("[data-questions]").appendChild(all);
  }

  /* ---- Answers, as the API takes them -------------------------------------------------------- */

  function read(q) {
    var on = q.inputs.filter(function (input) { return input.checked; });
    if (q.kind === "yes_no") return on.length ? on[0].value === "true" : undefined;
    if (q.kind === "choice") return on.length ? on[0].value : undefined;
    if (q.kind === "choices") return on.map(function (input) { return input.value; });
    if (q.kind === "photo") return undefined;
    var text = q.inputs[0].value;
    if (q.kind === "number") {
      text = text.trim();
      // A typo stays text, so that the check below names it rather than sends a wrong number.
      return text === "" ? undefined : /^[-+]?\d+$/.test(text) ? parseInt(text, 10) : text;
    }
    return text === "" ? undefined : text;
  }

  function fill(answers) {
    questions.forEach(function (q) {
      var a = answers[q.code];
      if (q.kind === "photo" || a === undefined || a === null) return;
      var values = [].concat(a).map(String);
      if (q.kind === "yes_no" || q.kind === "choice" || q.kind === "choices") {
        q.inputs.forEach(function (input) { input.checked = values.indexOf(input.value) !== -1; });
      } else {
        q.inputs[0].value = String(a);
      }
    });
  }

  function empty(a) {
    return a === undefined || a === null || a === "" || (Array.isArray(a) && !a.length);
  }

  function hasPhoto(q) {
    return !!(q.inputs[0].files && q.inputs[0].files.length) || !!kept[q.code];
  }

  /* ---- The rules of checklists/validation.py ------------------------------------------------ */

  function same(a, b) {
    return typeof a === typeof b && a === b;
  }

  function isShown(q, answers, shown) {
    var c = q.show_if;
    if (!c) return true;
    if (!shown[c.question]) return false;
    var a = answers[c.question];
    return Array.isArray(a) ? a.indexOf(c.equals) !== -1 : same(a, c.equals);
  }

  function codes(q) {
    return q.choices.map(function (c) { return c.code; });
  }

  var KIND_CHECKS = {
    yes_no: function (q, a) { return typeof a === "boolean" ? null : T.yes_no; },
    choice: function (q, a) { return codes(q).indexOf(a) !== -1 ? null : T.choice; },
    choices: function (q, a) {
      var known = codes(q);
      var fits = Array.isArray(a) && a.every(function (c) { return typeof c === "string" && known.indexOf(c) !== -1; });
      if (!fits) return T.choices;
      return a.some(function (c, i) { return a.indexOf(c) !== i; }) ? T.twice : null;
    },
    number: function (q, a) {
      if (typeof a !== "number" || !Number.isInteger(a)) return T.number;
      if (q.min !== null && a < q.min) return message("min", { min: q.min });
      if (q.max !== null && a > q.max) return message("max", { max: q.max });
      return null;
    },
    time: function (q, a) { return typeof a === "string" && TIME.test(a) ? null : T.time; },
    text: function (q, a) {
      if (typeof a !== "string") return T.text;
      // The server counts characters, not UTF-16 units.
      if (Array.from(a).length > T.max_text) return message("long", { max: T.max_text });
      return a.indexOf("\u0000") === -1 ? null : T.stored;
    }
  };

  function problem(q, a) {
    if (q.kind === "photo") return q.required && !hasPhoto(q) ? T.photo : null;
    if (empty(a)) return q.required ? T.required : null;
    return KIND_CHECKS[q.kind](q, a);
  }

  var COMPARE = {
    "<": function (a, b) { return a < b; },
    "<=": function (a, b) { return a <= b; },
    "=": function (a, b) { return a === b; },
    ">=": function (a, b) { return a >= b; },
    ">": function (a, b) { return a > b; }
  };

  /* Broken consistency rules never stop a checklist: the observer is only asked to look again. */
  function brokenRules(answers) {
    return (def.rules || []).filter(function (rule) {
      var left = answers[rule.left];
      var right = rule.right ? answers[rule.right] : rule.value;
      if (left === undefined || left === null || right === undefined || right === null) return false;
      return !COMPARE[rule.operator](left, right);
    });
  }

  /* Everything the form shows follows from its answers: which questions, which faults, which flags. */
  function check() {
    var all = {};
    var shown = {};
    var result = { answers: {}, errors: {}, all: all, photos: [] };
    questions.forEach(function (q) {
      var a = read(q);
      if (a !== undefined) all[q.code] = a;
      shown[q.code] = isShown(q, all, shown);
      q.node.hidden = !shown[q.code];
      if (!shown[q.code]) return;
      var fault = problem(q, a);
      if (fault) result.errors[q.code] = fault;
      else if (q.kind === "photo" && hasPhoto(q)) result.photos.push(q);
      else if (!empty(a)) result.answers[q.code] = a;
    });
    return result;
  }

  function showFlags(answers) {
    var flags = form.querySelector("[data-flags]");
    var items = flags.querySelector("ul");
    var broken = brokenRules(answers);
    items.textContent = "";
    broken.forEach(function (rule) { items.appendChild(el("li", "", rule.message)); });
    flags.hidden = !broken.length;
  }

  function showErrors(errors, general) {
    questions.forEach(function (q) {
      q.error.textContent = errors[q.code] || "";
      q.inputs.forEach(function (input) { input.setAttribute("aria-invalid", errors[q.code] ? "true" : "false"); });
    });
    form.querySelector("[data-error-for=__all__]").textContent = general || "";
  }

  function refresh() {
    var result = check();
    showFlags(result.answers);
    questions.forEach(function (q) { if (q.keptNote) q.keptNote.hidden = !kept[q.code]; });
    // Once a send was refused, each fault goes away as soon as it is corrected.
    if (form.dataset.tried) showErrors(result.errors);
    if (!form.dataset.editing) saveDraft(result.all);
    return result;
  }

  /* ---- The draft ------------------------------------------------------------------------------ */

  function saveDraft(all) {
    try {
      if (Object.keys(all).some(function (code) { return !empty(all[code]); })) {
        localStorage.setItem(key, JSON.stringify({ answers: all, saved_at: Date.now() }));
      } else {
        localStorage.removeItem(key);
      }
    } catch (e) {
      // Private browsing or a full storage: the form still works, only without a draft.
    }
  }

  function restoreDraft() {
    var draft = readDraft(key);
    if (!draft || !draft.answers) return;
    fill(draft.answers);
    var time = new Intl.DateTimeFormat(LANG, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .format(new Date(draft.saved_at));
    form.querySelector("[data-draft]").textContent = T.draft.split("{time}").join(time);
  }

  /* ---- Into the outbox ------------------------------------------------------------------------ */

  async function makeItem(result) {
    var id = form.dataset.editing || box.uuid();
    var before = form.dataset.editing ? await box.getItem(id) : null;
    var data = {
      id: id, checklist: def.code, version: def.version, station: +form.dataset.station,
      answered_at: new Date().toISOString(), answers: result.answers
    };
    var item = box.newItem("checklist", id, box.api + "checklist-answers/", { data: JSON.stringify(data) },
      form.dataset.summary, tz);
    for (var i = 0; i < result.photos.length; i++) {
      var q = result.photos[i];
      var file = q.inputs[0].files && q.inputs[0].files[0];
      item.blobs.push(file ? { field: "photo." + q.code, blob: await box.downscale(file), name: q.code + ".jpg" }
        : kept[q.code]);
    }
    item.edit_url = location.pathname;
    if (before) item.created_at = before.created_at;
    return item;
  }

  function focusFirst(errors) {
    var first = questions.filter(function (q) { return errors[q.code]; })[0];
    first.node.scrollIntoView({ block: "center" });
    first.inputs[0].focus({ preventScroll: true });
  }

  function startAgain() {
    form.reset();
    kept = {};
    delete form.dataset.editing;
    delete form.dataset.tried;
    if (location.hash) history.replaceState(null, "", location.pathname + location.search);
    try { localStorage.removeItem(key); } catch (e) { /* nothing kept */ }
    form.querySelector("[data-draft]").textContent = "";
    showErrors({});
    refresh();
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    form.dataset.tried = "1";
    var result = refresh();
    if (Object.keys(result.errors).length) return focusFirst(result.errors);
    if (!box || !(await box.ready)) return showErrors({}, T.no_outbox);
    submit.disabled = true;
    status.textContent = result.photos.length ? box.t("preparing") : "";
    try {
      await box.queue([await makeItem(result)]);
    } catch (e) {
      status.textContent = "";
      return showErrors({}, box.t("save_failed") + " " + ((e && e.message) || e));
    } finally {
      submit.disabled = false;
    }
    startAgain();
    status.textContent = box.t("saved");
    window.scrollTo(0, 0);
  });

  form.addEventListener("input", refresh);
  form.addEventListener("change", refresh);
  form.querySelector("[data-clear]").addEventListener("click", function () {
    if (window.confirm(T.clear_confirm)) {
      startAgain();
      status.textContent = "";
    }
  });

  /* "Edit" in the outbox panel: a refused checklist back in the form, with the server's words. */
  async function edit() {
    var wanted = /#edit=([0-9a-f-]{36})$/.exec(location.hash);
    if (!wanted || !box || !(await box.ready)) return;
    var item = await box.getItem(wanted[1]);
    if (!item || item.kind !== "checklist" || item.state === "sent") return;
    var data = JSON.parse(item.fields.data);
    if (data.checklist !== def.code) return;
    form.dataset.editing = item.id;
    form.dataset.tried = "1";
    kept = {};
    item.blobs.forEach(function (part) { kept[part.field.replace(/^photo\./, "")] = part; });
    form.reset();
    fill(data.answers);
    refresh();
    var error = item.error || {};
    var errors = {};
    Object.keys(error.fields || {}).forEach(function (name) {
      errors[name.replace(/^answers\./, "")] = [].concat(error.fields[name]).join(" ");
    });
    showErrors(errors, [T.editing].concat(Object.keys(errors).length ? [] : [error.message || ""]).join(" "));
  }

  function start() {
    build();
    if (!/#edit=/.test(location.hash)) restoreDraft();
    refresh();
    window.addEventListener("hashchange", edit);
    edit();
    // For bench/checklist_render.py: the form is drawn and answers; then the frame that shows it.
    performance.mark("checklist-ready");
    requestAnimationFrame(function () { setTimeout(function () { performance.mark("checklist-painted"); }, 0); });
  }

  // Drawn when the page is parsed (DOMContentLoaded), the moment the benchmark measures from.
  if (document.readyState === "complete") start();
  else document.addEventListener("DOMContentLoaded", start);
})();
