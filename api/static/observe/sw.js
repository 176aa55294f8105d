/* Keeps the observer's pages and their files available offline.
 *
 * Pages: network first, the last copy when the network fails or stalls. Static files: cache
 * first, under this deployment's names (hashed by collectstatic, so a name always holds the same
 * bytes); a new deployment brings a new script, which keeps the new files before the old ones go.
 * A station's list of checklists puts each checklist's page in the same page cache (checklists.js),
 * so that a checklist never opened before opens offline too.
 * The outbox (IndexedDB) is never touched here, on an upgrade or ever: it is sent by the pages
 * (outbox.js), whichever version wrote it; Safari has no Background Sync.
 * Served by the site from /observe/sw.js, which fills in the values below.
 */
"use strict";

var VERSION = "__VERSION__";
var STATIC_PREFIX = "__STATIC_PREFIX__";
/* Each file of the pages by its plain address: this deployment's address for it. */
var SHELL = __SHELL__;
var PRECACHE = Object.keys(SHELL).map(function (plain) { return SHELL[plain]; });
var STATIC_CACHE = "baqylau-static-" + VERSION;
var PAGE_CACHE = "baqylau-pages";
var PAGE_TIMEOUT_MS = 8000;
var SCOPE = new URL(self.registration.scope).pathname;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(STATIC_CACHE).then(function (cache) {
      // Straight from the server: the browser's HTTP cache may still hold the previous files.
      return cache.addAll(PRECACHE.map(function (url) { return new Request(url, { cache: "reload" }); }));
    }).then(function () {
      return self.skipWaiting();
    })
  );
});

function complete(cache) {
  return Promise.all(PRECACHE.map(function (url) { return cache.match(url); })).then(function (hits) {
    return hits.every(Boolean);
  });
}

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.open(STATIC_CACHE).then(complete).then(function (ready) {
      // Until every new file is kept, the old ones are the only copy a phone offline has.
      if (!ready) return;
      return caches.keys().then(function (names) {
        return Promise.all(names.filter(function (name) {
          return name.indexOf("baqylau-static-") === 0 && name !== STATIC_CACHE;
        }).map(function (name) { return caches.delete(name); }));
      });
    }).then(function () { return self.clients.claim(); })
  );
});

/* "observe.3f2a1b9c8d7e.css" (collectstatic's name) is "observe.css". */
function plain(url) {
  return new URL(url).pathname.replace(/\.[0-9a-f]{12}(\.[^./]+)$/, "$1");
}

/* A page kept from an earlier deployment asks for files that are gone: this deployment's stand in. */
function current(request, answer) {
  var url = SHELL[plain(request.url)];
  return (url ? caches.match(url) : Promise.resolve()).then(function (kept) {
    if (kept) return kept;
    if (answer) return answer;
    throw new TypeError("offline");
  });
}

function staticFile(request) {
  // Any version's copy will do: the hash in a name means the same bytes (the query is a version too).
  return caches.match(request, { ignoreSearch: true }).then(function (hit) {
    return hit || fetch(request).then(function (response) {
      if (!response.ok) return current(request, response);
      var copy = response.clone();
      caches.open(STATIC_CACHE).then(function (cache) { return cache.put(request, copy); });
      return response;
    }, function () { return current(request); });
  });
}

function isPage(response) {
  return response.ok && !response.redirected && response.type === "basic" &&
    (response.headers.get("Content-Type") || "").indexOf("text/html") === 0 &&
    (response.headers.get("Cache-Control") || "").indexOf("no-store") === -1;
}

function networkFirst(request) {
  return caches.open(PAGE_CACHE).then(function (cache) {
    var network = fetch(request).then(function (response) {
      if (isPage(response)) cache.put(request.url, response.clone());
      return response;
    });
    return cache.match(request.url).then(function (kept) {
      if (!kept) {
        return network.catch(function () {
          return cache.match(SCOPE).then(function (start) { return start || Response.error(); });
        });
      }
      // On a network that answers too slowly, the kept copy now beats a fresh one later.
      var late = new Promise(function (resolve) { setTimeout(function () { resolve(kept); }, PAGE_TIMEOUT_MS); });
      return Promise.race([network.catch(function () { return kept; }), late]);
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf(STATIC_PREFIX) === 0) {
    event.respondWith(staticFile(request));
  } else if (request.mode === "navigate" && url.pathname.indexOf(SCOPE) === 0 &&
             url.pathname.indexOf(SCOPE + "photos/") !== 0) {
    // Evidence photos are never kept here: they stay behind the permission check.
    event.respondWith(networkFirst(request));
  }
});
