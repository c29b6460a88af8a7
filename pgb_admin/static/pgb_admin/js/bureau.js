// The bureau console, enhanced; every part works without it.
(function () {
  "use strict";

  // A BSN is never searched: it would end up in the address bar and the server's logs. A
  // number that could be one (8 or 9 digits passing the 11-proef) is stopped before it is sent.
  function looksLikeBsn(text) {
    var digits = (text || "").replace(/[\s.\-]/g, "");
    if (/^\d{8}$/.test(digits)) { digits = "0" + digits; }
    if (!/^\d{9}$/.test(digits) || digits === "000000000") { return false; }
    var sum = 0;
    for (var i = 0; i < 8; i++) { sum += Number(digits[i]) * (9 - i); }
    sum -= Number(digits[8]);
    return sum % 11 === 0;
  }
  document.querySelectorAll("form[data-bureau-search]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var field = form.querySelector("input[name=q]");
      var message = form.querySelector("[data-bsn-refused]");
      if (field && message && looksLikeBsn(field.value)) {
        event.preventDefault();
        event.stopImmediatePropagation();
        form.dataset.sent = "";
        message.hidden = false;
        field.setAttribute("aria-invalid", "true");
        if (field.getAttribute("aria-describedby").indexOf(message.id) < 0) {
          field.setAttribute("aria-describedby", field.getAttribute("aria-describedby") + " " + message.id);
        }
        field.value = "";
        field.focus();
      }
    }, true);
  });

  // Tick every holder on this page at once.
  var toggle = document.getElementById("select-page");
  if (toggle) {
    var boxes = function () {
      return document.querySelectorAll("input[type=checkbox][name=holders][form=bureau-run]");
    };
    toggle.closest("[data-select-page]").hidden = false;
    toggle.addEventListener("change", function () {
      boxes().forEach(function (box) { box.checked = toggle.checked; });
    });
    document.addEventListener("change", function (event) {
      if (event.target.name === "holders") {
        var all = Array.prototype.every.call(boxes(), function (box) { return box.checked; });
        toggle.checked = all;
      }
    });
  }
})();
