// The missing list keeps itself up to date: every few seconds it asks the server for the list and
// brings the table in line, so a call marked by one reviewer shows on every open page. Rows already
// on the page are moved and their call cells rewritten, never replaced: a form being filled in
// keeps what was typed.
(function () {
  "use strict";

  function rowFrom(html) {
    var holder = document.createElement("template");
    holder.innerHTML = html.trim();
    return holder.content.firstElementChild;
  }

  function apply(table, data) {
    var body = table.tBodies[0];
    var present = {};
    Array.prototype.forEach.call(body.rows, function (row) {
      present[row.dataset.key] = row;
    });
    data.rows.forEach(function (entry) {
      var row = present[entry.key];
      if (row) {
        row.querySelector("[data-field=last-call]").textContent = entry.last_call;
        row.querySelector("[data-field=calls]").textContent = String(entry.calls);
        delete present[entry.key];
      } else {
        row = rowFrom(entry.html);
      }
      body.appendChild(row);
    });
    Object.keys(present).forEach(function (key) {
      present[key].remove();
    });
    document.getElementById("missing-summary").textContent = data.summary;
    document.getElementById("missing-updated").textContent = data.updated;
  }

  function refresh(table) {
    fetch(table.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (data) {
        apply(table, data);
      })
      .catch(function () {
        // A failed refresh leaves the list as it was; the next one tries again.
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var table = document.getElementById("missing");
    if (!table) {
      return;
    }
    var every = Number(table.dataset.every || "15") * 1000;
    window.setInterval(function () {
      if (document.visibilityState === "visible") {
        refresh(table);
      }
    }, every);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") {
        refresh(table);
      }
    });
  });
})();
