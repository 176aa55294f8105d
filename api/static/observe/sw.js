/* Keeps the observer's pages and their files available offline.
 *
 * Pages: network first, the last copy when the network fails or stalls. Static files: cache
 * first, refreshed when this script changes (its version is the files' hash). The outbox itself
 * is sent by the pages (outbox.js), never only from here: Safari has no Background Sync.
 * Served by the site from /observe/sw.js, which fills in the values below.
 */
"use strict";

var VERSION = "__VERSION__";
var STATIC_PREFIX = "__STATIC_PREFIX__";
var PRECACHE = "__PRECACHE__".split(" ");
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

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("baqylau-static-") === 0 && name !== STATIC_CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function cacheFirst(request) {
  return caches.open(STATIC_CACHE).then(function (cache) {
    return cache.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) {
        if (response.ok) cache.put(request, response.clone());
        return response;
      });
    });
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
    event.respondWith(cacheFirst(request));
  } else if (request.mode === "navigate" && url.pathname.indexOf(SCOPE) === 0 &&
             url.pathname.indexOf(SCOPE + "photos/") !== 0) {
    // Evidence photos are never kept here: they stay behind the permission check.
    event.respondWith(networkFirst(request));
  }
});
