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
      row.querySelectorAll("output[data-product]").forEach(function (out) {
        out.textContent = ""; out.classList.remove("unknown");
      });
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
  // a weighed product's stock is grams: shown in its 斤 or kg (at most 3 decimals, exact)
  function stockText(p) {
    if (p.sale_unit !== "weight" || !p.unit_grams) { return String(p.stock); }
    var whole = Math.floor(p.stock / p.unit_grams), rest = (p.stock % p.unit_grams) * 1000 / p.unit_grams;
    return (rest ? whole + "." + String(1000 + rest).slice(1).replace(/0+$/, "") : String(whole)) + " " + p.unit;
  }
  // Receiving: after a scan (or a typed code) the row shows the product the code names — name,
  // unit and the stock at the form's shop — or says that no product has that code, so the
  // receiver can check what was scanned before the quantity.
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_m, key) { return values[key]; });
  }
  document.querySelectorAll("table[data-lookup]").forEach(function (table) {
    var asked = 0;  // each lookup's number: a row shows only the answer to its latest code
    table.addEventListener("change", function (event) {
      var input = event.target;
      if (input.name !== "barcode") { return; }
      var out = input.closest("tr").querySelector("output[data-product]");
      if (!out) { return; }
      var code = input.value.trim();
      var mine = String(++asked);
      out.setAttribute("data-ask", mine);
      out.classList.remove("unknown");
      out.textContent = "";
      if (!code) { return; }
      var shopField = input.form && input.form.elements.namedItem("shop");
      var url = table.getAttribute("data-lookup") + "?include_inactive=true&limit=1&barcode=" +
        encodeURIComponent(code) + (shopField && shopField.value ? "&shop=" + encodeURIComponent(shopField.value) : "");
      out.setAttribute("aria-busy", "true");
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (resp) { if (!resp.ok) { throw new Error(String(resp.status)); } return resp.json(); })
        .then(function (products) {
          if (out.getAttribute("data-ask") !== mine) { return; }
          var p = products[0];
          if (!p) {
            out.classList.add("unknown");
            out.textContent = fill(table.getAttribute("data-unknown"), { code: code });
            if (window.Beep && window.Beep.play) { window.Beep.play("error"); }
            return;
          }
          out.textContent = fill(table.getAttribute("data-found"), {
            name: p.name, unit: p.unit, stock: p.stock === null || p.stock === undefined ? "—" : stockText(p)
          }) + (p.active ? "" : table.getAttribute("data-inactive"));
        })
        .catch(function () {
          if (out.getAttribute("data-ask") !== mine) { return; }
          out.classList.add("unknown");
          out.textContent = table.getAttribute("data-failed");
        })
        .then(function () { out.removeAttribute("aria-busy"); });
    });
  });
}());
