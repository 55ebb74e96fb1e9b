// Intake draft autosave: a moment after the partner stops typing, the step's
// form is posted with then=autosave; the server keeps the valid answers in the
// draft, so a closed browser or tab loses at most the last second of typing.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (!form) { return; }
  var status = document.getElementById("autosave-status");
  var timer = null;

  function show(text) { if (status) { status.textContent = text; } }

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
        show("Draft saved at " + new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) + ".");
      } else if (response.status === 401) {
        show("You were signed out. What you typed is kept: sign in again to continue.");
      } else {
        show("The draft could not be saved just now; use “Save and finish later”.");
      }
    }).catch(function () {
      show("No connection: the draft will be saved when you continue.");
    });
  }

  function later(delay) {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, delay);
  }

  form.addEventListener("input", function () { later(1500); });
  form.addEventListener("change", function () { later(500); });
})();
