/* The open safety alerts above every admin page, for the staff of their organization.
 *
 * Read from the alerts' own admin view rather than by each page, so that no admin page pays a query
 * for it, and read again every 30 seconds: a coordinator who keeps a page open on election day sees
 * a new alert without reloading.
 */
(function () {
  "use strict";

  var box = document.getElementById("open-alerts");
  if (!box || !window.fetch) return;
  var EVERY_MS = 30000;

  function load() {
    fetch(box.dataset.url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null) box.innerHTML = html; })
      .catch(function () { /* offline for a moment: the next round shows them */ });
  }

  load();
  setInterval(load, EVERY_MS);
})();
