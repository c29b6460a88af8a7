// The week of care: each agreement's week total follows what is typed, in words
// ("12 van 16 afgesproken uur"), with the sentences the server wrote into data-words-*.
// After htmx swapped the saved form in, the first error (if any) gets the focus.
(function () {
  "use strict";

  var lang = document.documentElement.lang || "nl";

  function parseNumber(text) {
    var value = parseFloat(String(text || "").trim().replace(",", "."));
    return isNaN(value) ? 0 : value;
  }

  function minutes(text) {
    var parts = String(text || "").split(":");
    if (parts.length < 2) { return null; }
    var hours = parseInt(parts[0], 10), mins = parseInt(parts[1], 10);
    return isNaN(hours) || isNaN(mins) ? null : hours * 60 + mins;
  }

  function dayQuantity(day) {
    var quantity = day.querySelector("[data-quantity]");
    if (quantity) { return parseNumber(quantity.value); }
    var start = day.querySelector("[data-start]"), end = day.querySelector("[data-end]");
    if (start && end) {
      var from = minutes(start.value), to = minutes(end.value);
      if (from === null || to === null) { return 0; }
      if (to <= from) { to += 24 * 60; }  // a night shift runs past midnight
      return Math.round((to - from) / 60 * 100) / 100;
    }
    return parseNumber(day.dataset.fixed);
  }

  function format(number) {
    return number.toLocaleString(lang, { maximumFractionDigits: 2 });
  }

  function words(total, box) {
    var agreed = box.dataset.agreed === "" ? null : parseNumber(box.dataset.agreed);
    var key;
    if (agreed === null) {
      key = total === 1 ? "wordsPlainOne" : "wordsPlainOther";
    } else if (total > agreed) {
      key = Math.round((total - agreed) * 100) === 100 ? "wordsOverOne" : "wordsOverOther";
    } else {
      key = "wordsUnder";
    }
    var over = agreed === null ? 0 : Math.round((total - agreed) * 100) / 100;
    return (box.dataset[key] || "")
      .replace("{total}", format(total))
      .replace("{agreed}", agreed === null ? "" : format(agreed))
      .replace("{over}", format(over));
  }

  function updateTotal(section) {
    var total = 0;
    section.querySelectorAll("[data-day]").forEach(function (day) {
      total += dayQuantity(day);
    });
    total = Math.round(total * 100) / 100;
    var box = section.querySelector("[data-week-total]");
    if (!box) { return; }
    var agreed = box.dataset.agreed === "" ? null : parseNumber(box.dataset.agreed);
    box.querySelector("[data-week-words]").textContent = words(total, box);
    box.classList.toggle("week-total--over", agreed !== null && total > agreed);
  }

  document.addEventListener("input", function (event) {
    var section = event.target.closest("[data-week-form] [data-week-agreement]");
    if (section) { updateTotal(section); }
  });

  // what the page shows after a refused save (typed values kept) counts as typed too
  function updateAll() {
    document.querySelectorAll("[data-week-form] [data-week-agreement]").forEach(updateTotal);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", updateAll);
  } else {
    updateAll();
  }

  document.addEventListener("htmx:afterSettle", function () {
    updateAll();
    var summary = document.querySelector("#week-form [data-error-summary]");
    if (summary && document.activeElement !== summary) { summary.focus(); }
  });
})();
