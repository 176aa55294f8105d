/* The count forms: a turnout count and a protocol copy.
 *
 * Both go through the observer's outbox (outbox.js) like reports: saved on the phone first with
 * an id made here, then sent with the API token, retried, and kept with the server's message when
 * refused. The protocol's arithmetic is checked as the observer types, with the five rules of
 * counts/arithmetic.py; a copy that breaks them can still be sent. Without JavaScript the forms
 * post to the server as they are. Every text comes translated from the page.
 */
(function () {
  "use strict";

  var form = document.querySelector("form[data-count]");
  if (!form) return;
  var f = form.elements;
  var kind = form.dataset.count;
  var box = window.baqylauOutbox;

  /* ---- The arithmetic: a rule is checked once all its numbers are typed -------------------- */

  var NUMBERS = ["registered", "received", "issued", "cancelled", "lost", "in_boxes", "invalid", "valid"];
  var RULES = {
    received_accounted: [["received", "issued", "cancelled", "lost"], function (n) {
      return n.received !== n.issued + n.cancelled + n.lost;
    }],
    boxes_within_issued: [["in_boxes", "issued"], function (n) { return n.in_boxes > n.issued; }],
    valid_plus_invalid: [["valid", "invalid", "in_boxes"], function (n) { return n.valid + n.invalid !== n.in_boxes; }],
    votes_sum_to_valid: [["votes", "valid"], function (n) { return n.votes !== n.valid; }],
    issued_within_registered: [["issued", "registered"], function (n) { return n.issued > n.registered; }]
  };
  var votes = Array.from(form.querySelectorAll("input[data-vote]"));

  function whole(input) {
    var text = input.value.trim();
    return /^\d+$/.test(text) ? +text : null;
  }

  function check() {
    var n = {};
    NUMBERS.forEach(function (name) { n[name] = whole(f[name]); });
    // No line for lost ballots on most protocols: empty means none.
    if (!f.lost.value.trim()) n.lost = 0;
    var typed = votes.map(whole);
    n.votes = typed.indexOf(null) === -1 ? typed.reduce(function (a, b) { return a + b; }, 0) : null;
    var known = 0;
    var broken = 0;
    Object.keys(RULES).forEach(function (code) {
      var rule = RULES[code];
      var ready = rule[0].every(function (name) { return n[name] !== null; });
      var fails = ready && rule[1](n);
      known += ready ? 1 : 0;
      broken += fails ? 1 : 0;
      form.querySelector("[data-rule=" + code + "]").hidden = !fails;
    });
    form.querySelector("[data-adds-up]").hidden = known < 5 || broken > 0;
    form.querySelector("[data-still-send]").hidden = !broken;
  }

  if (kind === "protocol") {
    form.addEventListener("input", check);
    check();
  }
  if (!box) return;

  /* ---- Into the outbox ----------------------------------------------------------------------- */

  var tz = form.dataset.tz || "";
  var time = f.counted_at;
  var status = form.querySelector("[data-status]");
  var submit = form.querySelector("button[type=submit]");

  if (time) {
    if (form.dataset.bound !== "1") time.value = box.nowAtStation(tz);
    time.addEventListener("input", function () { time.dataset.touched = "1"; });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible" && !time.dataset.touched) time.value = box.nowAtStation(tz);
    });
  }

  function showErrors(errors) {
    var rest = [];
    Object.keys(errors).forEach(function (key) {
      if (key !== "__all__" && !form.querySelector("[data-error-for=" + key + "]")) rest = rest.concat(errors[key]);
    });
    form.querySelectorAll("[data-error-for]").forEach(function (node) {
      var key = node.dataset.errorFor;
      node.textContent = [].concat(errors[key] || [], key === "__all__" ? rest : []).join(" ");
    });
  }

  async function makeItem(id) {
    var before = form.dataset.editing ? await box.getItem(id) : null;
    var fields = { id: id, station: +form.dataset.station, note: f.note.value };
    var item;
    if (kind === "turnout") {
      fields.counted_at = box.stationIso(time.value, tz);
      fields.voters = +f.voters.value;
      fields.method = f.method.value;
      item = box.newItem(kind, id, box.api + "turnout-counts/", fields,
        form.dataset.summary.replace("{n}", f.voters.value), tz);
      item.json = true;
      item.local = { counted_at: time.value };
    } else {
      fields.contest = form.dataset.contest;
      NUMBERS.forEach(function (name) { fields[name] = f[name].value.trim() || (name === "lost" ? "0" : ""); });
      var counted = {};
      votes.forEach(function (input) { counted[input.dataset.vote] = whole(input); });
      fields.votes = JSON.stringify(counted);
      item = box.newItem(kind, id, box.api + "protocols/", fields, form.dataset.summary, tz);
      var file = f.photo.files[0];
      // Editing a refused copy keeps its photo unless another one is chosen.
      item.blobs = file ? [{ field: "photo", blob: await box.downscale(file), name: "protocol.jpg" }]
        : (before ? before.blobs : []);
    }
    item.edit_url = form.action;
    if (before) item.created_at = before.created_at;
    return item;
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    if (!(await box.ready)) return HTMLFormElement.prototype.submit.call(form);
    showErrors({});
    submit.disabled = true;
    status.textContent = kind === "protocol" ? box.t("preparing") : "";
    try {
      await box.queue([await makeItem(form.dataset.editing || box.uuid())]);
    } catch (e) {
      status.textContent = "";
      if (navigator.onLine) return HTMLFormElement.prototype.submit.call(form);
      return showErrors({ __all__: [box.t("save_failed") + " " + ((e && e.message) || e)] });
    } finally {
      submit.disabled = false;
    }
    form.reset();
    delete form.dataset.editing;
    if (f.photo) f.photo.required = true;
    if (location.hash) history.replaceState(null, "", location.pathname + location.search);
    if (time) {
      delete time.dataset.touched;
      time.value = box.nowAtStation(tz);
    }
    if (kind === "protocol") check();
    status.textContent = box.t("saved");
    window.scrollTo(0, 0);
  });

  /* "Edit" in the outbox panel: the refused item back in the form, with the server's words. */
  async function edit() {
    var wanted = /#edit=([0-9a-f-]{36})$/.exec(location.hash);
    if (!wanted || !(await box.ready)) return;
    var item = await box.getItem(wanted[1]);
    if (!item || item.kind !== kind || item.state === "sent") return;
    form.dataset.editing = item.id;
    Object.keys(item.fields).forEach(function (name) {
      var input = f[name];
      if (input && name !== "id" && input.type !== "file") input.value = item.fields[name];
    });
    if (time) {
      time.value = item.local.counted_at;
      time.dataset.touched = "1";
    }
    if (kind === "protocol") {
      var counted = JSON.parse(item.fields.votes || "{}");
      votes.forEach(function (input) {
        var value = counted[input.dataset.vote];
        input.value = value === undefined || value === null ? "" : value;
      });
      f.photo.required = !item.blobs.length;
      check();
    }
    var error = item.error || {};
    var errors = Object.assign({}, error.fields || {});
    errors.__all__ = [form.dataset.editingText].concat(Object.keys(errors).length ? [] : [error.message || ""]);
    showErrors(errors);
  }
  window.addEventListener("hashchange", edit);
  edit();
})();
