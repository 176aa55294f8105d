/* Messages from the coordinators, kept on the phone, and the "I need help" form.
 *
 * Both go through the outbox (outbox.js, window.baqylauOutbox). Each time the outbox has sent what
 * waits, it asks the API for the observer's messages and this file keeps them in the outbox's
 * IndexedDB, so the "Messages" page and the badge in the header work without a network. Opening a
 * message marks it read on the phone at once and queues the receipt in the outbox. An alert is queued
 * as an urgent item: the outbox sends it before everything else, even in the middle of a pass.
 * Without JavaScript the pages post their plain forms.
 */
(function () {
  "use strict";

  var box = window.baqylauOutbox;
  if (!box) return;

  var GEO_KEY = "baqylau-attach-location";
  var USER = document.body.dataset.user || "";
  var LANG = document.documentElement.lang || "en";

  /* Its own texts (#help-text: "saved" and the position lines say other words than the outbox's). */
  var t = box.texts("#help-text");
  var el = box.el;

  /* ---- Messages ------------------------------------------------------------------------- */

  var list = document.querySelector("[data-messages]");
  /* The outbox syncs every 20 s: messages are asked for at most once a minute, except on "Messages". */
  var REFETCH_MS = 60000;
  var fetchNow = !!list;

  function kept() {
    return box.meta.get("messages").then(function (row) {
      return row && (!USER || row.owner === USER) ? row : null;
    }).catch(function () { return null; });
  }

  function when(iso) {
    try {
      return new Intl.DateTimeFormat(LANG, {
        day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
        timeZone: (list && list.dataset.tz) || undefined
      }).format(new Date(iso));
    } catch (e) {
      return iso;
    }
  }

  function showUnread(count) {
    document.querySelectorAll("[data-unread]").forEach(function (badge) {
      badge.textContent = String(count);
      badge.hidden = !count;
    });
  }

  function messageCard(message) {
    var card = el("article", "card message" + (message.read_at ? "" : " unread"));
    card.id = "message-" + message.id;
    card.dataset.message = message.id;
    var details = el("details");
    var summary = el("summary");
    summary.appendChild(el("h2", "", message.subject));
    summary.appendChild(el("span", "muted", when(message.sent_at)));
    if (!message.read_at) summary.appendChild(el("span", "badge status-new", t("unread")));
    details.appendChild(summary);
    var text = el("div", "message-body");
    message.body.split(/\n{2,}/).forEach(function (paragraph) {
      text.appendChild(el("p", "", paragraph));
    });
    details.appendChild(text);
    card.appendChild(details);
    return card;
  }

  function showList(messages) {
    if (!list) return;
    list.textContent = "";
    if (!messages.length) list.appendChild(el("p", "", t("no_messages")));
    messages.forEach(function (message) { list.appendChild(messageCard(message)); });
  }

  function show(row) {
    var messages = (row && row.items) || [];
    showUnread(messages.filter(function (m) { return !m.read_at; }).length);
    showList(messages);
  }

  async function fetchMessages(auth) {
    var before = await kept();
    if (!fetchNow && before && Date.now() - before.fetched_at < REFETCH_MS) return;
    fetchNow = false;
    var response = await fetch(box.api + "messages/", {
      headers: { Authorization: "Bearer " + auth.token, Accept: "application/json", "Accept-Language": LANG },
      credentials: "omit", cache: "no-store"
    });
    var data = response.ok ? await response.json().catch(function () { return null; }) : null;
    if (!data || !Array.isArray(data.results)) return;
    // Read here while offline, its receipt still queued: it stays read.
    before = await kept();
    var readHere = {};
    ((before && before.items) || []).forEach(function (m) { if (m.read_at) readHere[m.id] = m.read_at; });
    var messages = data.results.map(function (m) {
      if (!m.read_at && readHere[m.id]) m.read_at = readHere[m.id];
      return m;
    });
    var row = { key: "messages", owner: auth.username, items: messages, fetched_at: Date.now() };
    await box.meta.put(row);
    show(row);
  }

  async function markRead(id) {
    var row = await kept();
    var message = row && row.items.filter(function (m) { return String(m.id) === String(id); })[0];
    var card = document.getElementById("message-" + id);
    var subject = message ? message.subject : (card ? card.querySelector("h2").textContent : "");
    if (message && message.read_at) return;
    if (message) {
      message.read_at = new Date().toISOString();
      await box.meta.put(row);
      showUnread(row.items.filter(function (m) { return !m.read_at; }).length);
    }
    if (card) {
      card.classList.remove("unread");
      card.querySelectorAll(".status-new, form[data-read]").forEach(function (node) { node.remove(); });
    }
    var itemId = box.uuid();
    var item = box.newItem("read", itemId, box.api + "messages/" + id + "/read/", {}, t("read") + " · " + subject, "");
    item.json = true;
    await box.queue([item]);
  }

  function setupMessages() {
    if (!list) return;
    list.addEventListener("toggle", function (event) {
      var card = event.target.closest("[data-message]");
      if (!event.target.open || !card || !card.classList.contains("unread")) return;
      box.ready.then(function (ok) { if (ok) markRead(card.dataset.message); });
    }, true);
    list.addEventListener("submit", function (event) {
      var form = event.target.closest("form[data-read]");
      if (!form) return;
      event.preventDefault();
      box.ready.then(function (ok) {
        if (ok) markRead(form.closest("[data-message]").dataset.message);
        else HTMLFormElement.prototype.submit.call(form);
      });
    });
  }

  /* ---- I need help ---------------------------------------------------------------------- */

  function setupGeo(form) {
    var geo = form.querySelector("[data-geo]");
    var f = form.elements;
    if (!geo || !navigator.geolocation) return;
    geo.hidden = false;
    var toggle = geo.querySelector("[data-geo-toggle]");
    var note = geo.querySelector("[data-geo-status]");
    function locate() {
      note.textContent = t("locating");
      navigator.geolocation.getCurrentPosition(function (position) {
        if (!toggle.checked) return;
        f.latitude.value = position.coords.latitude.toFixed(6);
        f.longitude.value = position.coords.longitude.toFixed(6);
        note.textContent = t("located", { m: Math.round(position.coords.accuracy) });
      }, function () {
        note.textContent = t("no_location");
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
    }
    toggle.addEventListener("change", function () {
      try { localStorage.setItem(GEO_KEY, toggle.checked ? "1" : ""); } catch (e) { /* private mode */ }
      f.latitude.value = f.longitude.value = "";
      note.textContent = "";
      if (toggle.checked) locate();
    });
    var wanted = false;
    try { wanted = localStorage.getItem(GEO_KEY) === "1"; } catch (e) { /* private mode */ }
    // Asked only once the form is opened: a page view never asks for the position by itself.
    form.closest("details").addEventListener("toggle", function (event) {
      if (event.target.open && wanted && !toggle.checked) {
        toggle.checked = true;
        locate();
      }
    });
  }

  /* The observer's stations, as the stations page lists them: kept, so that the form of every page,
   * offline too, offers them without asking the server. */
  async function knownStations() {
    var forms = document.querySelectorAll("form[data-checkin]");
    if (forms.length) {
      var listed = Array.from(forms).map(function (f) { return { id: f.dataset.station, label: f.dataset.stationLabel }; });
      await box.meta.put({ key: "stations", owner: USER, items: listed }).catch(function () {});
      return listed;
    }
    var row = await box.meta.get("stations").catch(function () { return null; });
    return row && row.owner === USER ? row.items : [];
  }

  async function fillStations(select) {
    var marked = Array.from(document.querySelectorAll("main [data-station]")).map(function (n) { return n.dataset.station; });
    var here = marked.filter(function (id, i) { return marked.indexOf(id) === i; });
    var stations = await knownStations();
    var offered = Array.from(select.options).map(function (o) { return o.value; });
    stations.forEach(function (station) {
      if (offered.indexOf(String(station.id)) !== -1) return;
      var option = el("option", "", station.label);
      option.value = station.id;
      select.appendChild(option);
    });
    if (select.value) return;
    // Where the observer is now: the station of this page, or their only station.
    var guess = here.length === 1 ? here[0] : stations.length === 1 ? stations[0].id : "";
    if (guess && Array.from(select.options).some(function (o) { return o.value === String(guess); })) {
      select.value = String(guess);
    }
  }

  function setupHelp(form) {
    setupGeo(form);
    box.ready.then(function (ok) { if (ok) fillStations(form.elements.station); });
    var status = form.querySelector("[data-status]");
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      if (!(await box.ready)) return HTMLFormElement.prototype.submit.call(form);
      var f = form.elements;
      var kind = form.querySelector("input[name=kind]:checked");
      var id = f.id.value || box.uuid();
      var label = kind.closest("label").textContent.trim();
      var item = box.newItem("alert", id, box.api + "alerts/", {
        id: id, station: f.station.value ? +f.station.value : null, kind: kind.value, note: f.note.value,
        at: new Date().toISOString(),
        latitude: f.latitude.value ? +f.latitude.value : null,
        longitude: f.longitude.value ? +f.longitude.value : null
      }, t("alert") + " · " + label, "");
      item.json = true;
      item.urgent = true;
      try {
        await box.queue([item]);
      } catch (e) {
        return HTMLFormElement.prototype.submit.call(form);
      }
      // The next alert is another one, with an id of its own.
      f.id.value = box.uuid();
      kind.checked = false;
      f.note.value = "";
      status.textContent = t("saved");
    });
  }

  /* ---- Start ---------------------------------------------------------------------------- */

  setupMessages();
  document.querySelectorAll("form[data-help]").forEach(setupHelp);

  box.ready.then(function (ok) {
    if (!ok) return;
    box.onSync(fetchMessages);
    // Online, the page just came from the server: the list is fresh and the sync follows.
    kept().then(function (row) {
      if (!row) return;
      if (navigator.onLine) showUnread(row.items.filter(function (m) { return !m.read_at; }).length);
      else show(row);
    });
    box.flush(false);
  });
})();
