// Copy buttons: <button data-copy="the full text" hidden> next to a shortened value
// (templates/includes/short_hash.html). Shown only where the clipboard can be written; the
// status next to the button says whether it worked, for screen readers too.
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) return;

  function reveal(root) {
    root.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.hidden = false;
    });
  }

  function say(button, text) {
    var status = button.parentElement.querySelector("[data-copy-status]");
    if (!status) return;
    status.textContent = text || "";
    window.clearTimeout(status.pgbTimer);
    status.pgbTimer = window.setTimeout(function () { status.textContent = ""; }, 4000);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button) return;
    navigator.clipboard.writeText(button.dataset.copy).then(
      function () { say(button, button.dataset.copied); },
      function () { say(button, button.dataset.copyFailed); }
    );
  });

  reveal(document);
  // parts of a page that htmx puts in later
  document.addEventListener("htmx:load", function (event) { reveal(event.target); });
})();
