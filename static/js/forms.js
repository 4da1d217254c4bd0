/* 慈善超市: a form that writes is sent once. Its submit buttons are disabled while the page waits for
 * the answer (a double click sends nothing more); the server refuses a second copy anyway (each form
 * carries an idempotency key). Plain script, no build step; loaded on every page. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.querySelector || !form.querySelector("input[name=idempotency_key]")) return;
    if (event.defaultPrevented) return;
    if (form.dataset.sent === "1") { event.preventDefault(); return; }
    form.dataset.sent = "1";
    // after this event, so that the pressed button's own name/value is still sent
    setTimeout(function () {
      Array.prototype.forEach.call(form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]"),
        function (b) { b.disabled = true; b.setAttribute("aria-busy", "true"); });
    }, 0);
  });
  // back/forward cache: a page shown again can be sent again (it is a new attempt only if reloaded)
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    Array.prototype.forEach.call(document.querySelectorAll("form[data-sent='1']"), function (form) {
      delete form.dataset.sent;
      Array.prototype.forEach.call(form.querySelectorAll("[aria-busy=true]"), function (b) {
        b.disabled = false; b.removeAttribute("aria-busy");
      });
    });
  });
})();
