// Intake draft autosave: a moment after the partner stops typing, the step's
// form is posted with then=autosave; the server keeps the valid answers in the
// draft, so a closed browser or tab loses at most the last second of typing.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) { return; }
  var status = document.getElementById("autosave-status");
  var timer = null;

  // The messages come translated from the page (data-* on the status line).
  function show(key, time) {
    if (status) { status.textContent = status.dataset[key].replace("{time}", time || ""); }
  }

  function save() {
    var data = new FormData(form);
    data.set("then", "autosave");
    fetch(window.location.href, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (response.ok) {
        var lang = document.documentElement.lang;
        show("saved", new Date().toLocaleTimeString([lang], { hour: "2-digit", minute: "2-digit" }));
      } else if (response.status === 401) {
        show("signedOut");
      } else {
        show("failed");
      }
    }).catch(function () {
      show("offline");
    });
  }

  function later(delay) {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, delay);
  }

  form.addEventListener("input", function () { later(1500); });
  form.addEventListener("change", function () { later(500); });
})();
