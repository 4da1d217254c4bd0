// Inventory pages: "add a line" on delivery notes and transfers, confirmation before posting.
(function () {
  "use strict";
  document.querySelectorAll("[data-add-line]").forEach(function (button) {
    button.addEventListener("click", function () {
      var table = button.previousElementSibling;
      if (!table || !table.matches("[data-lines]")) { return; }
      var body = table.tBodies[0];
      var last = body.rows[body.rows.length - 1];
      var row = last.cloneNode(true);
      var n = body.rows.length + 1;
      row.querySelectorAll("input").forEach(function (input) {
        input.value = "";
        var label = input.getAttribute("aria-label") || "";
        input.setAttribute("aria-label", label.replace(/\d+/, String(n)));
      });
      body.appendChild(row);
      row.querySelector("input").focus();
    });
  });
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  // A barcode scanner types the code and presses Enter: in a line table, Enter moves to the
  // quantity field instead of submitting the whole note.
  document.querySelectorAll("[data-lines]").forEach(function (table) {
    table.addEventListener("keydown", function (event) {
      var t = event.target;
      if (event.key !== "Enter" || t.name !== "barcode") { return; }
      event.preventDefault();
      var qty = t.closest("tr").querySelector("input[name=quantity]");
      if (qty) { qty.focus(); }
    });
  });
}());
