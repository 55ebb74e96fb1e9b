// Keeps "N min" counters current between page loads (the session record's time since
// each partner's last dose). The server renders the first value; this only recounts it.
(function () {
  "use strict";
  function recount() {
    document.querySelectorAll("[data-minutes-since]").forEach(function (element) {
      var since = Date.parse(element.dataset.minutesSince);
      if (isNaN(since)) { return; }
      var minutes = Math.max(0, Math.floor((Date.now() - since) / 60000));
      element.textContent = minutes + " min";
    });
  }
  recount();
  setInterval(recount, 15000);
})();
