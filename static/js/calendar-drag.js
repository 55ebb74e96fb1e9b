// Drag an appointment onto an empty calendar slot to move it. The move goes through the
// same reschedule form, and so the same conflict and readiness checks, as the keyboard and
// phone path: we open that form, change the day, the time and the room (or clinician),
// post it and show the server's answer. A refusal leaves the appointment where it was.
(function () {
  "use strict";
  var grid = document.querySelector("[data-calendar-grid]");
  var message = document.getElementById("calendar-message");
  if (!grid || !message) { return; }
  var by = grid.dataset.by;
  var dragged = null;

  function show(text) {
    message.textContent = text;
    message.classList.remove("d-none");
    message.focus();
  }

  // The slot under the pointer, even where an appointment covers it (its own old place,
  // or another's: the server then says why it cannot go there).
  function slotAt(event) {
    var under = document.elementsFromPoint(event.clientX, event.clientY);
    for (var i = 0; i < under.length; i += 1) {
      if (under[i].classList.contains("cal-slot") && grid.contains(under[i])) { return under[i]; }
    }
    return null;
  }

  function clearDrop() {
    grid.querySelectorAll(".cal-drop").forEach(function (slot) { slot.classList.remove("cal-drop"); });
  }

  grid.addEventListener("dragstart", function (event) {
    var chip = event.target.closest && event.target.closest(".cal-chip[draggable=true]");
    if (!chip) { return; }
    dragged = { chip: chip, url: chip.dataset.moveUrl, from: chip.closest(".cal-col").dataset.resource };
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", chip.dataset.moveUrl);
    chip.classList.add("cal-lifted");
  });

  grid.addEventListener("dragend", function () {
    grid.querySelectorAll(".cal-lifted").forEach(function (chip) { chip.classList.remove("cal-lifted"); });
    dragged = null;
    clearDrop();
  });

  grid.addEventListener("dragover", function (event) {
    var slot = slotAt(event);
    if (!slot || !dragged) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    if (!slot.classList.contains("cal-drop")) { clearDrop(); slot.classList.add("cal-drop"); }
  });

  grid.addEventListener("drop", function (event) {
    var slot = slotAt(event);
    if (!slot || !dragged) { return; }
    event.preventDefault();
    var moving = dragged;
    dragged = null;
    clearDrop();
    move(moving, slot);
  });

  function parse(html) {
    return new DOMParser().parseFromString(html, "text/html");
  }

  function moved(data, moving, slot) {
    data.set("date", slot.dataset.date);
    data.set("start_time", slot.dataset.time);
    if (by === "room") {
      data.set("room", slot.dataset.resource);
      return data;
    }
    // By clinician: the target clinician takes the place of the column it was dragged from.
    var clinicians = data.getAll("clinicians").filter(function (id) { return id !== moving.from; });
    if (clinicians.indexOf(slot.dataset.resource) < 0) { clinicians.push(slot.dataset.resource); }
    data.delete("clinicians");
    clinicians.forEach(function (id) { data.append("clinicians", id); });
    return data;
  }

  function refusal(html, status) {
    var doc = parse(html);
    var found = [];
    doc.querySelectorAll("main .alert-danger li, main .alert-danger, main .invalid-feedback").forEach(function (node) {
      var text = node.textContent.trim();
      if (text && !found.some(function (seen) { return seen.indexOf(text) >= 0; })) { found.push(text); }
    });
    if (!found.length) { return "Not moved: the server refused (" + status + "). Open the appointment to move it."; }
    return "Not moved: " + found.join(" ");
  }

  function move(moving, slot) {
    message.classList.add("d-none");
    fetch(moving.url, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("Not moved: the move form did not open (" + response.status + ")."); }
        return response.text();
      })
      .then(function (html) {
        var form = parse(html).querySelector("main form[method=post]");
        if (!form) { throw new Error("Not moved: the move form did not open."); }
        var data = moved(new FormData(form), moving, slot);
        return fetch(moving.url, {
          method: "POST",
          body: data,
          credentials: "same-origin",
          redirect: "manual",
          headers: { "X-CSRFToken": data.get("csrfmiddlewaretoken") || "" }
        });
      })
      .then(function (response) {
        // Moved: the view redirects; reloading shows the calendar and its "moved" message.
        if (response.type === "opaqueredirect" || (response.status >= 300 && response.status < 400)) {
          window.location.reload();
          return null;
        }
        return response.text().then(function (html) { show(refusal(html, response.status)); });
      })
      .catch(function (error) {
        show(error.message && error.message.indexOf("Not moved") === 0 ? error.message :
          "Not moved: the server could not be reached. Try again, or open the appointment to move it.");
      });
  }
})();
