// On a phone the calendar shows one room (or clinician): choosing another shows it at once.
// Without JavaScript the picker's "Show" button does the same.
(function () {
  "use strict";
  var picker = document.querySelector("[data-calendar-picker]");
  if (!picker) { return; }
  picker.querySelector("select").addEventListener("change", function () { picker.submit(); });
})();
