// Progressive enhancement of the payment pages: every page works without it.
// - A payable bill's page asks for the bill's status and reloads when it changes (the payment arrived,
//   the bill expired), instead of the meta refresh that pages without scripts get.
// - "Copy the text" copies the QR payload; "Print" prints a receipt. Both are hidden without a script.
(function () {
  "use strict";

  var status = document.querySelector("[data-bill-status-url]");
  if (status) {
    var url = status.getAttribute("data-bill-status-url");
    var shown = status.getAttribute("data-bill-state");
    var every = Number(status.getAttribute("data-poll-seconds") || "3") * 1000;
    var poll = function () {
      fetch(url, { headers: { Accept: "application/json" }, cache: "no-store", credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (answer) {
          if (answer && answer.state !== shown) {
            window.location.reload();
          } else {
            window.setTimeout(poll, every);
          }
        })
        .catch(function () {
          window.setTimeout(poll, every);
        });
    };
    window.setTimeout(poll, every);
  }

  document.querySelectorAll("[data-copy-target]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    if (!field || !navigator.clipboard) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        button.textContent = button.getAttribute("data-copied-text");
      });
    });
  });

  document.querySelectorAll("[data-print-button]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
