/* The card's QR code opens /observe/login/#code=…. The fragment never reaches a server, a log or a
   Referer; here it is taken off the address bar at once and posted with the sign-in form. */
(function () {
  "use strict";
  var match = /(?:^#|&)code=([^&]*)/.exec(window.location.hash);
  if (!match) return;
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
  var form = document.querySelector("form[data-sign-in-code]");
  var code = decodeURIComponent(match[1]).trim();
  if (!form || !code) return;
  form.elements.code.value = code;
  form.submit();
})();
