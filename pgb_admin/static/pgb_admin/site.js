// pgb-admin: small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // A form sends once: the submit buttons are disabled after the first submit.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.sent === "yes") { event.preventDefault(); return; }
    form.dataset.sent = "yes";
    form.querySelectorAll("button[type=submit]").forEach(function (button) {
      button.setAttribute("aria-disabled", "true");
    });
  });

  // Forms that ask first (data-confirm="…"), e.g. deleting an entry.
  document.addEventListener("submit", function (event) {
    var question = event.target.dataset.confirm;
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.target.dataset.sent = "";
    }
  }, true);

  // The hour grid: week and month totals follow what is typed.
  function parseHours(text) {
    var value = parseFloat((text || "").replace(",", "."));
    return isNaN(value) ? 0 : value;
  }
  function updateTotals(grid) {
    var weeks = {};
    var month = 0;
    grid.querySelectorAll("input[data-week]").forEach(function (input) {
      var hours = parseHours(input.value);
      weeks[input.dataset.week] = (weeks[input.dataset.week] || 0) + hours;
      month += hours;
    });
    grid.querySelectorAll("[data-week-total]").forEach(function (cell) {
      var total = weeks[cell.dataset.weekTotal] || 0;
      cell.textContent = total.toLocaleString(document.documentElement.lang, { maximumFractionDigits: 2 });
      var limit = parseFloat(cell.dataset.limit);
      cell.classList.toggle("over", !isNaN(limit) && total > limit);
    });
    var monthCell = grid.querySelector("[data-month-total]");
    if (monthCell) {
      monthCell.textContent = month.toLocaleString(document.documentElement.lang, { maximumFractionDigits: 2 });
    }
  }
  document.addEventListener("input", function (event) {
    var grid = event.target.closest("[data-hour-grid]");
    if (grid) { updateTotals(grid); }
  });
})();

// The header menu closes on Escape and on a click elsewhere; an error summary takes the focus.
(function () {
  "use strict";
  var menu = document.querySelector("[data-menu]");
  if (menu) {
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open) { menu.open = false; menu.querySelector("summary").focus(); }
    });
    document.addEventListener("click", function (event) {
      if (menu.open && !menu.contains(event.target)) { menu.open = false; }
    });
  }
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }
})();
