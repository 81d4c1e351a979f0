// Irreversible actions ask first: a form (or its submit button) with data-confirm="问题？" submits
// only after the user says yes. One listener for every page; no inline script (CSP).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var button = event.submitter;
  var question = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
}, true);
