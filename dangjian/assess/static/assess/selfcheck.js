// Self-check and spot-check sheets on a phone: "x / y 已填" per item and for the whole sheet
// while typing, and a link of the error summary opens the collapsed item holding its field.
// Loaded from a file (no inline script: CSP); the page works without it.
(function () {
  "use strict";

  function update() {
    var total = 0;
    var filled = 0;
    document.querySelectorAll("[data-item]").forEach(function (item) {
      var inputs = item.querySelectorAll("input[data-points]");
      var n = 0;
      inputs.forEach(function (input) {
        if (input.value.trim() !== "") {
          n += 1;
        }
      });
      var out = item.querySelector("[data-progress]");
      if (out && inputs.length) {
        out.textContent = n + " / " + inputs.length + " 已填";
        out.classList.toggle("done", n === inputs.length);
      }
      total += inputs.length;
      filled += n;
    });
    var all = document.querySelector("[data-progress-total]");
    if (all) {
      all.textContent = filled + " / " + total + " 已填";
    }
  }

  function reveal(hash) {
    if (!hash || hash.length < 2) {
      return;
    }
    var field = document.getElementById(decodeURIComponent(hash.slice(1)));
    if (!field) {
      return;
    }
    var item = field.closest("details");
    if (item) {
      item.open = true;
    }
    field.focus();
    field.scrollIntoView({block: "center"});
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("input[data-points]")) {
      update();
    }
  });
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-error-link]");
    if (link) {
      event.preventDefault();
      reveal(link.getAttribute("href"));
    }
  });
  window.addEventListener("hashchange", function () {
    reveal(window.location.hash);
  });
  function ready() {
    update();
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
}());
