/* The observer's outbox.
 *
 * Every check-in, report and photo is written to IndexedDB first, with the UUID the server will
 * keep, and only then sent to the API. Sending is retried on page load, when the network comes
 * back, when the page becomes visible and on a timer: Safari has no Background Sync, so the pages
 * do the work and the service worker only keeps them and their files available offline.
 * The server treats a repeated UUID as the same row, so a retry can never create a second one.
 * Without JavaScript (or without IndexedDB) the forms post to the server as they are.
 */
(function () {
  "use strict";

  var DB_NAME = "baqylau-outbox";
  var PAGE_CACHE = "baqylau-pages";
  var LOCK = "baqylau-outbox";
  var GEO_KEY = "baqylau-attach-location";
  var MAX_SIDE = 2560;
  var JPEG_QUALITY = 0.85;
  var FLUSH_EVERY_MS = 20000;
  var MAX_BACKOFF_S = 300;
  var KEEP_SENT = 30;
  var SHOW_SENT = 3;

  var body = document.body;
  var USER = body.dataset.user || "";
  var API = body.dataset.api || "/api/v1/";
  var LANG = document.documentElement.lang || "en";

  /* Texts come translated from the page (a hidden list such as #outbox-text); "{name}" marks a value. */
  function texts(selector) {
    var TEXT = {};
    document.querySelectorAll(selector + " [data-k]").forEach(function (node) {
      TEXT[node.dataset.k] = node.textContent.trim();
    });
    return function (key, values) {
      var text = TEXT[key] || key;
      Object.keys(values || {}).forEach(function (name) {
        text = text.split("{" + name + "}").join(String(values[name]));
      });
      return text;
    };
  }
  var t = texts("#outbox-text");

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function pad(n) {
    return String(n).padStart(2, "0");
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    // crypto.randomUUID needs a secure context; getRandomValues does not.
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.from(b, function (x) { return pad(x.toString(16)); }).join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  }

  /* ---- IndexedDB ---------------------------------------------------------------------- */

  /* A phone may hold items written by an earlier deployment's copy of this file: each version reads
   * the items and their fields as they are. A change of format raises the version in open() with an
   * onupgradeneeded step that converts the items; no version deletes the stores. */
  var dbPromise = null;
  function openDb() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        var request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          var db = request.result;
          if (!db.objectStoreNames.contains("items")) db.createObjectStore("items", { keyPath: "id" });
          if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta", { keyPath: "key" });
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return dbPromise;
  }

  function run(storeName, mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(storeName, mode);
        var result;
        var request = work(tx.objectStore(storeName));
        if (request) request.onsuccess = function () { result = request.result; };
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  function allItems() { return run("items", "readonly", function (s) { return s.getAll(); }); }
  function getItem(id) { return run("items", "readonly", function (s) { return s.get(id); }); }
  function putItems(items) {
    return run("items", "readwrite", function (s) { items.forEach(function (item) { s.put(item); }); });
  }
  function deleteItems(ids) {
    return run("items", "readwrite", function (s) { ids.forEach(function (id) { s.delete(id); }); });
  }
  /* Read, change and write every item `match` accepts, in one transaction. */
  function updateItems(match, change) {
    return run("items", "readwrite", function (s) {
      var request = s.getAll();
      request.onsuccess = function () {
        request.result.forEach(function (item) {
          if (match(item)) { change(item); s.put(item); }
        });
      };
    });
  }
  function updateItem(id, change) {
    return updateItems(function (item) { return item.id === id; }, change);
  }
  function metaGet(key) { return run("meta", "readonly", function (s) { return s.get(key); }); }
  function metaPut(value) { return run("meta", "readwrite", function (s) { s.put(value); }); }
  function metaDelete(key) { return run("meta", "readwrite", function (s) { s.delete(key); }); }

  var dbReady = window.indexedDB ? openDb().then(function () { return true; }, function () { return false; })
    : Promise.resolve(false);

  function newItem(kind, id, url, fields, summary, tz) {
    return {
      id: id, kind: kind, url: url, fields: fields, blobs: [], created_at: Date.now(), attempts: 0,
      next_try_at: 0, state: "waiting", error: null, receipt: null,
      owner: USER, summary: summary, tz: tz || "", parent: null
    };
  }

  function byAge(a, b) { return a.created_at - b.created_at; }
  /* A safety alert ("I need help", outreach.js) goes before everything else queued. */
  function sendOrder(a, b) { return (b.urgent ? 1 : 0) - (a.urgent ? 1 : 0) || byAge(a, b); }

  function requestPersistence() {
    // Ask the browser not to evict the queue when the phone runs short of space.
    if (navigator.storage && navigator.storage.persist) {
      navigator.storage.persisted().then(function (yes) { return yes || navigator.storage.persist(); })
        .catch(function () {});
    }
  }

  /* ---- Time at the station ------------------------------------------------------------- */

  function zoneParts(date, tz) {
    var parts = {};
    new Intl.DateTimeFormat("en-US", {
      timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit"
    }).formatToParts(date).forEach(function (p) { parts[p.type] = p.value; });
    return parts;
  }

  /* Minutes east of UTC in `tz` at `date`. */
  function zoneOffset(date, tz) {
    var p = zoneParts(date, tz);
    var wall = Date.UTC(+p.year, p.month - 1, +p.day, p.hour % 24, +p.minute, +p.second);
    return Math.round((wall - Math.floor(date.getTime() / 1000) * 1000) / 60000);
  }

  function offsetText(minutes) {
    var a = Math.abs(minutes);
    return (minutes < 0 ? "-" : "+") + pad(Math.floor(a / 60)) + ":" + pad(a % 60);
  }

  /* Now, as the value of <input type="datetime-local"> at the station. */
  function nowAtStation(tz) {
    var now = new Date();
    try {
      var p = zoneParts(now, tz);
      return p.year + "-" + p.month + "-" + p.day + "T" + pad(p.hour % 24) + ":" + p.minute;
    } catch (e) {
      return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate()) + "T" +
        pad(now.getHours()) + ":" + pad(now.getMinutes());
    }
  }

  /* A wall-clock time at the station as ISO 8601 with its UTC offset. */
  function stationIso(local, tz) {
    var m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d))?/.exec(local || "");
    if (!m) return local;
    var wall = Date.UTC(+m[1], m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
    var offset;
    try {
      offset = zoneOffset(new Date(wall), tz);
      offset = zoneOffset(new Date(wall - offset * 60000), tz);
    } catch (e) {
      offset = -new Date(+m[1], m[2] - 1, +m[3], +m[4], +m[5]).getTimezoneOffset();
    }
    return m[1] + "-" + m[2] + "-" + m[3] + "T" + m[4] + ":" + m[5] + ":" + (m[6] || "00") + offsetText(offset);
  }

  function clock(when, tz) {
    var date = new Date(when);
    try {
      return new Intl.DateTimeFormat(LANG, {
        hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: tz || undefined
      }).format(date);
    } catch (e) {
      return pad(date.getHours()) + ":" + pad(date.getMinutes());
    }
  }

  /* ---- Photos: downscaled on the phone, capture time kept ------------------------------ */

  function loadImage(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () { URL.revokeObjectURL(url); resolve(img); };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("decode")); };
      img.src = url;
    });
  }

  /* DateTimeOriginal and OffsetTimeOriginal from a JPEG's EXIF, or null. */
  function readCaptureTime(file) {
    return file.slice(0, 262144).arrayBuffer().then(function (buffer) {
      var v = new DataView(buffer);
      if (v.getUint16(0) !== 0xffd8) return null;
      var at = 2;
      while (at + 10 < v.byteLength) {
        var marker = v.getUint16(at);
        if ((marker & 0xff00) !== 0xff00 || marker === 0xffda) return null;
        if (marker === 0xffe1 && v.getUint32(at + 4) === 0x45786966) return readTiffTimes(v, at + 10);
        at += 2 + v.getUint16(at + 2);
      }
      return null;
    }).catch(function () { return null; });
  }

  function readTiffTimes(v, start) {
    var little = v.getUint16(start) === 0x4949;
    function u16(o) { return v.getUint16(start + o, little); }
    function u32(o) { return v.getUint32(start + o, little); }
    function entries(ifd) {
      var found = {};
      for (var i = 0, n = u16(ifd); i < n; i++) found[u16(ifd + 2 + i * 12)] = ifd + 2 + i * 12;
      return found;
    }
    function ascii(entry) {
      var count = u32(entry + 4);
      var from = count > 4 ? u32(entry + 8) : entry + 8;
      var text = "";
      for (var i = 0; i < count; i++) {
        var c = v.getUint8(start + from + i);
        if (!c) break;
        text += String.fromCharCode(c);
      }
      return text;
    }
    var ifd0 = entries(u32(4));
    if (!ifd0[0x8769]) return null;
    var exif = entries(u32(ifd0[0x8769] + 8));
    var date = exif[0x9003] ? ascii(exif[0x9003]) : "";
    if (!/^\d{4}:\d\d:\d\d \d\d:\d\d:\d\d$/.test(date) || date.indexOf("0000") === 0) return null;
    var offset = exif[0x9011] ? ascii(exif[0x9011]) : "";
    if (!/^[+-]\d\d:\d\d$/.test(offset)) {
      // A camera without an offset wrote the phone's wall-clock time.
      var d = date.split(/[: ]/).map(Number);
      offset = offsetText(-new Date(d[0], d[1] - 1, d[2], d[3], d[4], d[5]).getTimezoneOffset());
    }
    return { date: date, offset: offset };
  }

  /* A minimal EXIF block holding only the capture time, so the server keeps it as evidence. */
  function exifSegment(taken) {
    var values = [[0x9003, taken.date], [0x9011, taken.offset]];
    var exifIfd = 26;
    var dataAt = exifIfd + 2 + 12 * values.length + 4;
    var tiffLength = dataAt + values.reduce(function (n, v) { return n + v[1].length + 1; }, 0);
    var v = new DataView(new ArrayBuffer(10 + tiffLength));
    var tiff = 10;
    v.setUint16(0, 0xffe1);
    v.setUint16(2, 8 + tiffLength);
    [0x45, 0x78, 0x69, 0x66, 0, 0].forEach(function (c, i) { v.setUint8(4 + i, c); });
    v.setUint16(tiff, 0x4d4d);
    v.setUint16(tiff + 2, 42);
    v.setUint32(tiff + 4, 8);
    v.setUint16(tiff + 8, 1);
    v.setUint16(tiff + 10, 0x8769);
    v.setUint16(tiff + 12, 4);
    v.setUint32(tiff + 14, 1);
    v.setUint32(tiff + 18, exifIfd);
    v.setUint32(tiff + 22, 0);
    v.setUint16(tiff + exifIfd, values.length);
    var data = dataAt;
    values.forEach(function (value, i) {
      var entry = tiff + exifIfd + 2 + 12 * i;
      var text = value[1];
      v.setUint16(entry, value[0]);
      v.setUint16(entry + 2, 2);
      v.setUint32(entry + 4, text.length + 1);
      v.setUint32(entry + 8, data);
      for (var k = 0; k < text.length; k++) v.setUint8(tiff + data + k, text.charCodeAt(k));
      v.setUint8(tiff + data + text.length, 0);
      data += text.length + 1;
    });
    v.setUint32(tiff + exifIfd + 2 + 12 * values.length, 0);
    return v.buffer;
  }

  /* The photo as it goes into the outbox: at most MAX_SIDE px, upright, JPEG. */
  async function downscale(file) {
    try {
      var picture, width, height;
      try {
        picture = await createImageBitmap(file, { imageOrientation: "from-image" });
        width = picture.width;
        height = picture.height;
      } catch (e) {
        picture = await loadImage(file);
        width = picture.naturalWidth;
        height = picture.naturalHeight;
      }
      if (file.type === "image/jpeg" && Math.max(width, height) <= MAX_SIDE) {
        // Small enough: the camera's own file, whose SHA-256 then matches the one in the gallery.
        if (picture.close) picture.close();
        return file;
      }
      var scale = Math.min(1, MAX_SIDE / Math.max(width, height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(width * scale));
      canvas.height = Math.max(1, Math.round(height * scale));
      canvas.getContext("2d").drawImage(picture, 0, 0, canvas.width, canvas.height);
      if (picture.close) picture.close();
      var blob = await new Promise(function (resolve) { canvas.toBlob(resolve, "image/jpeg", JPEG_QUALITY); });
      canvas.width = canvas.height = 0;
      if (!blob) return file;
      var taken = await readCaptureTime(file);
      return taken ? new Blob([blob.slice(0, 2), exifSegment(taken), blob.slice(2)], { type: "image/jpeg" }) : blob;
    } catch (e) {
      // A format this browser cannot draw (HEIC in most): the server can read it.
      return file;
    }
  }

  /* ---- The API token -------------------------------------------------------------------- */

  var tokenAnswered = false;

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  /* The stored token; a fresh one is asked for while the session still lets us. */
  async function currentAuth() {
    var auth = await metaGet("auth");
    var usable = auth && !auth.failed && auth.username === USER && Date.parse(auth.expires_at) > Date.now() + 3600e3;
    if (USER && !usable && !tokenAnswered && navigator.onLine) {
      try {
        var response = await fetch(body.dataset.tokenUrl, {
          method: "POST", credentials: "same-origin",
          headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" }
        });
        tokenAnswered = true;
        if (response.status === 201) {
          var data = await response.json();
          auth = {
            key: "auth", username: data.username, token: data.token, expires_at: data.expires_at, failed: false
          };
          await metaPut(auth);
        }
      } catch (e) {
        // No network: asked again on the next flush.
      }
    }
    return auth;
  }

  /* ---- Sending -------------------------------------------------------------------------- */

  function errorFrom(data, status) {
    var error = data && data.error;
    if (error && typeof error === "object") {
      return {
        code: error.code || "", message: error.message || t("http", { status: status }), fields: error.fields || {}
      };
    }
    if (data && typeof data.detail === "string") return { code: "", message: data.detail, fields: {} };
    return { code: "", message: t("http", { status: status }), fields: {} };
  }

  async function send(item, auth) {
    var headers = { Authorization: "Bearer " + auth.token, Accept: "application/json", "Accept-Language": LANG };
    var payload;
    var size = 0;
    if (item.kind === "checkin" || item.json) {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(item.fields);
    } else {
      payload = new FormData();
      Object.keys(item.fields).forEach(function (name) {
        var value = item.fields[name];
        if (value !== "" && value !== null && value !== undefined) payload.append(name, value);
      });
      item.blobs.forEach(function (part) {
        payload.append(part.field, part.blob, part.name);
        size += part.blob.size;
      });
    }
    var controller = window.AbortController ? new AbortController() : null;
    // A stalled connection must not hold the queue: 30 s plus 1 s per 25 kB.
    var timer = controller && setTimeout(function () { controller.abort(); }, 30000 + size / 25);
    var response;
    try {
      response = await fetch(item.url, {
        method: "POST", headers: headers, body: payload, credentials: "omit", cache: "no-store",
        signal: controller ? controller.signal : undefined
      });
    } catch (e) {
      return { type: "retry", network: true };
    } finally {
      if (timer) clearTimeout(timer);
    }
    var data = null;
    if ((response.headers.get("Content-Type") || "").indexOf("json") !== -1) {
      try { data = await response.json(); } catch (e) { data = null; }
    }
    if (response.status === 200 || response.status === 201) {
      // A captive portal answers 200 with a web page: only the API's JSON counts as received.
      return data && typeof data === "object" ? { type: "ok", data: data, status: response.status } : { type: "retry" };
    }
    if (response.status === 401) return { type: "auth" };
    if (response.status === 408 || response.status === 429 || response.status >= 500) {
      return { type: "retry", after: parseInt(response.headers.get("Retry-After"), 10) || 0 };
    }
    return { type: "attention", error: errorFrom(data, response.status) };
  }

  function backoffMs(attempts, after) {
    var seconds = Math.min(MAX_BACKOFF_S, 5 * Math.pow(2, attempts - 1)) * (0.5 + Math.random() / 2);
    return Math.min(MAX_BACKOFF_S, Math.max(seconds, after || 0)) * 1000;
  }

  async function settle(item, result) {
    await updateItem(item.id, function (it) {
      if (it.state !== "waiting") return;
      if (result.type === "ok") {
        var data = result.data;
        it.state = "sent";
        it.error = null;
        it.receipt = {
          server_id: data.id || it.id,
          received_at: data.received_at || new Date().toISOString(),
          status: data.status || "",
          repeat: result.status === 200,
          // What the server found wrong but kept (a protocol copy that does not add up, a checklist's
          // answers that break a consistency rule).
          notes: (data.failures || []).concat(data.flags || []).map(function (f) { return f.message; })
        };
        // Sent: nothing of what was reported stays on the phone, only the receipt.
        it.fields = {};
        it.blobs = [];
      } else if (result.type === "retry") {
        it.attempts += 1;
        it.next_try_at = Date.now() + backoffMs(it.attempts, result.after);
      } else {
        it.state = "needs_attention";
        it.error = result.error;
      }
    });
    if (result.type === "ok") {
      // The report exists now: its photos may follow.
      await updateItems(function (it) { return it.parent === item.id; }, function (it) { it.parent = null; });
    }
  }

  async function prune(owner) {
    var sent = (await allItems()).filter(function (it) { return it.owner === owner && it.state === "sent"; });
    sent.sort(function (a, b) { return b.created_at - a.created_at; });
    if (sent.length > KEEP_SENT) await deleteItems(sent.slice(KEEP_SENT).map(function (it) { return it.id; }));
  }

  var sendingId = null;
  var urgentQueued = false;
  /* Run after each pass while online, with the token: outreach.js fetches the messages. */
  var syncs = [];

  function waitingFor(owner) {
    return allItems().then(function (items) {
      return items.filter(function (it) { return it.owner === owner && it.state === "waiting"; }).sort(sendOrder);
    });
  }

  async function flushNow(force) {
    if (!navigator.onLine) return;
    var auth = await currentAuth();
    if (!auth || auth.failed) return;
    urgentQueued = false;
    var queue = await waitingFor(auth.username);
    for (var i = 0; i < queue.length; i++) {
      if (urgentQueued) {
        // An alert queued while this pass runs goes next, not after the rest of the pass.
        urgentQueued = false;
        queue = await waitingFor(auth.username);
        i = 0;
        if (!queue.length) break;
      }
      var item = await getItem(queue[i].id);
      if (!item || item.state !== "waiting" || item.parent) continue;
      if (!force && item.next_try_at > Date.now()) continue;
      sendingId = item.id;
      render();
      var result = await send(item, auth);
      sendingId = null;
      if (result.type === "auth") {
        auth.failed = true;
        await metaPut(auth);
        break;
      }
      await settle(item, result);
      render();
      if (result.network) break;
    }
    await prune(auth.username);
    for (var k = 0; k < syncs.length; k++) {
      try { await syncs[k](auth); } catch (e) { /* the next pass fetches again */ }
    }
  }

  /* Two tabs never send at once (a Web Lock); the server would see the same UUID anyway. */
  function withLock(work) {
    if (navigator.locks && navigator.locks.request) {
      return navigator.locks.request(LOCK, { ifAvailable: true }, function (lock) { return lock ? work() : null; });
    }
    return work();
  }

  var flushing = null;
  function flush(force) {
    if (!flushing) {
      flushing = withLock(function () { return flushNow(force); })
        .catch(function (e) { if (window.console) console.warn("outbox:", e); })
        .then(function () { flushing = null; sendingId = null; return render(); });
    }
    return flushing;
  }

  /* ---- The panel ------------------------------------------------------------------------ */

  var panel = document.getElementById("outbox");
  var renderCount = 0;

  function itemLine(item) {
    var li = el("li", item.state);
    li.dataset.id = item.id;
    li.appendChild(el("div", "what", item.summary));
    if (item.state === "sent") {
      var receipt = item.receipt || {};
      li.appendChild(el("div", "when", t(receipt.repeat ? "repeat" : "received", {
        time: clock(receipt.received_at, item.tz), ref: String(receipt.server_id).slice(0, 8)
      })));
      (receipt.notes || []).forEach(function (line) { li.appendChild(el("div", "why", line)); });
    } else if (item.state === "waiting") {
      var note = item.id === sendingId ? t("sending")
        : item.attempts ? t("next_try", { time: clock(Math.max(item.next_try_at, Date.now())) }) : t("queued");
      li.appendChild(el("div", "when", note));
    } else {
      errorLines(item.error).forEach(function (line) { li.appendChild(el("div", "why", line)); });
      var actions = el("div", "actions");
      if (item.edit_url) {
        var edit = el("a", "btn small", t("edit"));
        edit.href = item.edit_url + "#edit=" + item.id;
        actions.appendChild(edit);
      }
      actions.appendChild(button(t("retry"), function () { retry(item.id); }));
      actions.appendChild(button(t("discard"), function () { discard(item); }));
      li.appendChild(actions);
    }
    return li;
  }

  /* The server's message and its per-field messages, each once. */
  function errorLines(error) {
    var all = [(error && error.message) || ""];
    var fields = (error && error.fields) || {};
    Object.keys(fields).forEach(function (name) { all = all.concat(fields[name]); });
    return all.filter(function (line, i) { return line && all.indexOf(line) === i; }).map(String);
  }

  function button(label, action) {
    var b = el("button", "btn small", label);
    b.type = "button";
    b.addEventListener("click", action);
    return b;
  }

  async function render() {
    if (!panel) return;
    var mine = ++renderCount;
    var auth = await metaGet("auth").catch(function () { return null; });
    var items = (await allItems()).sort(byAge);
    if (mine !== renderCount) return;
    var owner = auth ? auth.username : USER;
    var own = items.filter(function (it) { return !owner || it.owner === owner; });
    var waiting = own.filter(function (it) { return it.state === "waiting"; });
    var attention = own.filter(function (it) { return it.state === "needs_attention"; });
    var sent = own.filter(function (it) { return it.state === "sent"; }).reverse().slice(0, SHOW_SENT);
    var others = items.filter(function (it) { return owner && it.owner !== owner && it.state !== "sent"; });
    var parts = [];
    if (waiting.length) parts.push(t("waiting", { n: waiting.length }));
    if (attention.length) parts.push(t("attention", { n: attention.length }));
    if (others.length) parts.push(t("other", { n: others.length }));
    document.getElementById("outbox-summary").textContent = parts.length ? parts.join(" · ") : t("nothing");
    var signIn = (auth && auth.failed) || (!auth && !USER && waiting.length > 0);
    document.getElementById("outbox-auth").hidden = !signIn;
    document.getElementById("outbox-send").hidden = !waiting.length || signIn;
    var list = document.getElementById("outbox-items");
    list.textContent = "";
    attention.concat(waiting, sent).forEach(function (it) { list.appendChild(itemLine(it)); });
  }

  async function retry(id) {
    await updateItem(id, function (it) {
      it.state = "waiting";
      it.attempts = 0;
      it.next_try_at = 0;
      it.error = null;
    });
    flush(true);
  }

  async function discard(item) {
    if (!window.confirm(t(item.kind === "report" ? "discard_report" : "discard_confirm"))) return;
    var items = await allItems();
    var ids = items.filter(function (it) { return it.id === item.id || it.parent === item.id; })
      .map(function (it) { return it.id; });
    await deleteItems(ids);
    render();
  }

  /* ---- Forms ---------------------------------------------------------------------------- */

  /* The plain post, when the outbox cannot be used on this browser. */
  function plainSubmit(form, submitter) {
    if (submitter && submitter.name) {
      var hidden = el("input");
      hidden.type = "hidden";
      hidden.name = submitter.name;
      hidden.value = submitter.value;
      form.appendChild(hidden);
    }
    HTMLFormElement.prototype.submit.call(form);
  }

  function setupCheckin(form) {
    var pressed = null;
    var status = form.querySelector("[data-status]");
    form.addEventListener("click", function (event) {
      var b = event.target.closest("button[name=kind]");
      if (b) pressed = b;
    });
    form.addEventListener("submit", async function (event) {
      var submitter = event.submitter || pressed;
      event.preventDefault();
      if (!submitter || !(await dbReady)) return plainSubmit(form, submitter);
      // A nervous double tap is one check-in, as a double post of the same form is without JavaScript.
      var buttons = form.querySelectorAll("button");
      buttons.forEach(function (b) { b.disabled = true; });
      setTimeout(function () { buttons.forEach(function (b) { b.disabled = false; }); }, 1500);
      var now = new Date();
      var label = submitter.textContent.trim();
      var id = uuid();
      var item = newItem("checkin", id, API + "checkins/", {
        id: id, station: +form.dataset.station, kind: submitter.value, at: now.toISOString(),
        all_clear: form.elements.all_clear.checked, note: ""
      }, t("checkin") + " · " + label + " · " + form.dataset.stationLabel, form.dataset.tz);
      try {
        await putItems([item]);
      } catch (e) {
        return plainSubmit(form, submitter);
      }
      form.querySelector(".error").textContent = "";
      status.textContent = t("saved_checkin", { kind: label, time: clock(now, form.dataset.tz) });
      form.elements.all_clear.checked = false;
      requestPersistence();
      render();
      flush(true);
    });
  }

  function showErrors(form, errors) {
    var shown = {};
    form.querySelectorAll("[data-error-for]").forEach(function (box) {
      var key = box.dataset.errorFor;
      box.textContent = [].concat(errors[key] || []).join(" ");
      shown[key] = true;
    });
    var rest = Object.keys(errors).filter(function (key) { return !shown[key]; }).map(function (key) {
      return [].concat(errors[key]).join(" ");
    });
    if (rest.length) {
      var general = form.querySelector("[data-error-for=__all__]");
      general.textContent = [general.textContent].concat(rest).join(" ").trim();
    }
  }

  function checkedRadio(form, name) {
    return form.querySelector("input[name=" + name + "]:checked");
  }

  function setupGeo(form) {
    var box = form.querySelector("[data-geo]");
    if (!box || !navigator.geolocation) return function () {};
    box.hidden = false;
    var toggle = box.querySelector("[data-geo-toggle]");
    var note = box.querySelector("[data-geo-status]");
    var f = form.elements;
    function clear() { f.latitude.value = f.longitude.value = f.accuracy_m.value = ""; }
    function locate() {
      note.textContent = t("locating");
      navigator.geolocation.getCurrentPosition(function (position) {
        if (!toggle.checked) return;
        var c = position.coords;
        f.latitude.value = c.latitude.toFixed(6);
        f.longitude.value = c.longitude.toFixed(6);
        f.accuracy_m.value = Math.round(c.accuracy);
        note.textContent = t("located", { m: Math.round(c.accuracy) });
      }, function () {
        note.textContent = t("no_location");
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 60000 });
    }
    function wanted() {
      try { return localStorage.getItem(GEO_KEY) === "1"; } catch (e) { return false; }
    }
    toggle.addEventListener("change", function () {
      try { localStorage.setItem(GEO_KEY, toggle.checked ? "1" : ""); } catch (e) { /* private mode */ }
      clear();
      note.textContent = "";
      if (toggle.checked) locate();
    });
    function restart() {
      clear();
      note.textContent = "";
      toggle.checked = wanted();
      if (toggle.checked) locate();
    }
    if (!f.latitude.value) restart();
    return restart;
  }

  async function loadForEdit(form, id) {
    var item = await getItem(id);
    if (!item || item.kind !== "report" || item.state === "sent") return;
    var fields = item.fields;
    form.dataset.editing = id;
    ["category", "phase"].forEach(function (name) {
      var radio = form.querySelector("input[name=" + name + "][value='" + fields[name] + "']");
      if (radio) radio.checked = true;
    });
    form.elements.occurred_at.value = (item.local && item.local.occurred_at) || form.elements.occurred_at.value;
    form.elements.occurred_at.dataset.touched = "1";
    form.elements.description.value = fields.description || "";
    var error = item.error || {};
    var errors = Object.assign({}, error.fields || {});
    // The message repeats the field's own; say it at the top only when no field is named.
    errors.__all__ = [t("editing")].concat(Object.keys(errors).length ? [] : [error.message || ""]);
    showErrors(form, errors);
  }

  function setupReport(form) {
    var tz = form.dataset.tz;
    var time = form.elements.occurred_at;
    var status = form.querySelector("[data-status]");
    var submit = form.querySelector("button[type=submit]");
    if (form.dataset.bound !== "1") time.value = nowAtStation(tz);
    time.addEventListener("input", function () { time.dataset.touched = "1"; });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible" && !time.dataset.touched) time.value = nowAtStation(tz);
    });
    var restartGeo = setupGeo(form);
    function editFromAddress() {
      var editing = /#edit=([0-9a-f-]{36})$/.exec(location.hash);
      if (editing) dbReady.then(function (ok) { if (ok) loadForEdit(form, editing[1]); });
    }
    // "Edit" in the panel may point at this very page: only the address's fragment changes.
    window.addEventListener("hashchange", editFromAddress);
    editFromAddress();

    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      if (!(await dbReady)) return plainSubmit(form);
      var files = Array.from(form.elements.photos.files || []);
      var most = +form.dataset.maxPhotos || 6;
      showErrors(form, {});
      if (files.length > most) return showErrors(form, { photos: [t("too_many", { max: most })] });
      submit.disabled = true;
      status.textContent = files.length ? t("preparing") : "";
      try {
        await queueReport(form, files);
      } catch (e) {
        status.textContent = "";
        if (navigator.onLine) return plainSubmit(form);
        showErrors(form, { __all__: [t("save_failed") + " " + ((e && e.message) || e)] });
        return;
      } finally {
        submit.disabled = false;
      }
      form.reset();
      delete form.dataset.editing;
      delete time.dataset.touched;
      if (location.hash) history.replaceState(null, "", location.pathname + location.search);
      time.value = nowAtStation(tz);
      restartGeo();
      status.textContent = t("saved");
      requestPersistence();
      window.scrollTo(0, 0);
      render();
      flush(true);
    });
  }

  async function queueReport(form, files) {
    var f = form.elements;
    var tz = form.dataset.tz;
    var where = form.dataset.stationLabel;
    var category = checkedRadio(form, "category");
    var id = form.dataset.editing || uuid();
    var report = newItem("report", id, API + "reports/", {
      id: id, station: +form.dataset.station, category: category.value,
      phase: (checkedRadio(form, "phase") || {}).value || "", occurred_at: stationIso(f.occurred_at.value, tz),
      description: f.description.value, latitude: f.latitude.value, longitude: f.longitude.value,
      accuracy_m: f.accuracy_m.value
    }, t("report") + " · " + category.closest("label").textContent.trim() + " · " + where, tz);
    report.edit_url = form.action;
    report.local = { occurred_at: f.occurred_at.value };
    var before = form.dataset.editing ? await getItem(id) : null;
    if (before) report.created_at = before.created_at;
    var items = [report];
    for (var i = 0; i < files.length; i++) {
      // Sent one by one after the report: on a weak network a small request gets through first.
      var photoId = uuid();
      var photo = newItem("photo", photoId, API + "reports/" + id + "/photos/", { id: photoId },
        t("photo") + " " + (i + 1) + "/" + files.length + " · " + where, tz);
      photo.parent = id;
      photo.created_at = report.created_at + i + 1;
      photo.blobs = [{ field: "photo", blob: await downscale(files[i]), name: "photo-" + (i + 1) + ".jpg" }];
      items.push(photo);
    }
    await putItems(items);
  }

  function setupLogout(form) {
    form.addEventListener("submit", async function (event) {
      if (form.dataset.go) return;
      event.preventDefault();
      try {
        if (await dbReady) {
          var items = await allItems();
          var pending = items.filter(function (it) { return it.owner === USER && it.state !== "sent"; });
          if (pending.length && !window.confirm(t("logout_confirm", { n: pending.length }))) return;
          // What was sent, the token and the kept pages leave the phone; what waits stays for next time.
          await deleteItems(items.filter(function (it) { return it.owner === USER && it.state === "sent"; })
            .map(function (it) { return it.id; }));
          await metaDelete("auth");
          await metaDelete("messages");
        }
        if (window.caches) {
          var names = await caches.keys();
          await Promise.all(names.filter(function (n) { return n.indexOf(PAGE_CACHE) === 0; })
            .map(function (n) { return caches.delete(n); }));
        }
      } catch (e) {
        // Signing out matters more than tidying up.
      }
      form.dataset.go = "1";
      HTMLFormElement.prototype.submit.call(form);
    });
  }

  /* ---- Start ---------------------------------------------------------------------------- */

  /* For the other forms of these pages (counts.js, checklists.js, outreach.js): the same outbox, the
   * same sending, the same helpers (texts(selector) reads another hidden list of texts as t reads
   * #outbox-text). */
  window.baqylauOutbox = {
    ready: dbReady, uuid: uuid, newItem: newItem, getItem: getItem, downscale: downscale, t: t,
    texts: texts, el: el,
    stationIso: stationIso, nowAtStation: nowAtStation, api: API,
    meta: { get: metaGet, put: metaPut }, onSync: function (work) { syncs.push(work); }, flush: flush,
    queue: async function (items) {
      await putItems(items);
      if (items.some(function (it) { return it.urgent; })) urgentQueued = true;
      requestPersistence();
      render();
      flush(true);
    }
  };

  document.querySelectorAll("form[data-checkin]").forEach(setupCheckin);
  document.querySelectorAll("form[data-report]").forEach(setupReport);
  document.querySelectorAll("form[data-logout]").forEach(setupLogout);

  dbReady.then(function (ok) {
    if (!ok) return;
    if ("serviceWorker" in navigator && body.dataset.sw) {
      navigator.serviceWorker.register(body.dataset.sw, { scope: body.dataset.scope }).catch(function () {});
    }
    if (USER) requestPersistence();
    document.getElementById("outbox-send").addEventListener("click", function () { flush(true); });
    window.addEventListener("online", function () { flush(true); });
    window.addEventListener("offline", render);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") flush(true);
    });
    window.addEventListener("pageshow", function (event) { if (event.persisted) flush(true); });
    setInterval(function () { flush(false); }, FLUSH_EVERY_MS);
    render();
    flush(true);
  });
})();
