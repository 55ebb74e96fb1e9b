// Session timeout warning. The server ends idle sessions (staff 15 min,
// partners 30 min); while someone is typing or tapping we tell the server they
// are still here, and shortly before the limit we offer to stay signed in.
(function () {
  "use strict";
  var body = document.body;
  var idleSeconds = parseInt(body.dataset.idleSeconds || "0", 10);
  if (!idleSeconds) { return; }
  var keepaliveUrl = body.dataset.keepaliveUrl;
  var warning = document.getElementById("session-warning");
  var stay = document.getElementById("session-stay");
  var lastServerContact = Date.now();
  var lastActivity = Date.now();
  var WARN_BEFORE_MS = Math.min(120000, idleSeconds * 500);
  var PING_EVERY_MS = Math.min(300000, idleSeconds * 500);

  function csrfToken() {
    var match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    if (match) { return decodeURIComponent(match[1]); }
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function ping() {
    lastServerContact = Date.now();
    warning.classList.add("d-none");
    return fetch(keepaliveUrl, {
      method: "POST",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      if (response.status === 401) { lastServerContact = 0; }
    }).catch(function () { /* offline: the next activity tries again */ });
  }

  ["keydown", "input", "pointerdown", "touchstart"].forEach(function (name) {
    document.addEventListener(name, function () {
      lastActivity = Date.now();
      if (lastActivity - lastServerContact > PING_EVERY_MS) { ping(); }
    }, { passive: true });
  });

  if (stay) { stay.addEventListener("click", ping); }

  window.setInterval(function () {
    var idleFor = Date.now() - lastServerContact;
    if (idleFor > idleSeconds * 1000) {
      // No reload: a form posted now is kept for the user until they sign in again.
      document.getElementById("session-warning-text").textContent =
        warning.dataset.signedOutText;
      stay.classList.add("d-none");
      warning.classList.remove("d-none");
      return;
    }
    if (idleFor > idleSeconds * 1000 - WARN_BEFORE_MS) { warning.classList.remove("d-none"); }
  }, 5000);
})();
