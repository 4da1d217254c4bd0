/* 爱心捐赠: "add a line" on the donation form and +/- steppers on the pickup screen.
   Everything works without this file; it only saves typing on a touchscreen. */
(function () {
  "use strict";

  function clamp(input, value) {
    var min = input.min === "" ? 0 : Number(input.min);
    var max = input.max === "" ? Infinity : Number(input.max);
    return Math.max(min, Math.min(max, value));
  }

  // The pickup screen: an item may not go past its own stock, nor its kind past what the
  // recipient may still take (the limit, shared by every item of the kind). When "+" (or a typed
  // number) would, the item says why instead of silently staying where it is.
  function itemMax(item, input) {
    var kindMax = Number(item.getAttribute("data-kind-max"));
    var others = 0;
    document.querySelectorAll('.item[data-kind="' + item.getAttribute("data-kind") + '"]').forEach(function (other) {
      var q = other.querySelector('input[type="number"]');
      if (other !== item && q) { others += parseInt(q.value, 10) || 0; }
    });
    return Math.max(0, Math.min(Number(item.getAttribute("data-stock")), kindMax - others));
  }

  function setItemQty(item, input, wanted) {
    var value = Math.max(0, Math.min(itemMax(item, input), wanted));
    input.value = value;
    var note = item.querySelector(".item-note");
    if (!note) { return; }
    if (wanted > value) {
      var limitNote = item.getAttribute("data-limit-note");
      note.textContent = wanted > Number(item.getAttribute("data-stock")) || !limitNote
        ? item.getAttribute("data-stock-note") : limitNote;
      if (window.Beep && window.Beep.play) { window.Beep.play("error"); }
    } else if (!item.classList.contains("item-blocked")) {
      note.textContent = "";
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.step");
    if (!button) { return; }
    var input = document.getElementById(button.getAttribute("data-target"));
    if (!input) { return; }
    var current = parseInt(input.value, 10) || 0;
    var wanted = current + Number(button.getAttribute("data-step"));
    var item = button.closest(".item[data-kind]");
    if (item) {
      setItemQty(item, input, wanted);
    } else {
      input.value = clamp(input, wanted);
    }
    input.dispatchEvent(new Event("change", { bubbles: true }));
  });
  document.addEventListener("input", function (event) {
    var item = event.target.closest && event.target.closest(".item[data-kind]");
    if (item && event.target.type === "number" && event.target.value !== "") {
      setItemQty(item, event.target, parseInt(event.target.value, 10) || 0);
    }
  });

  // the pickup screen: a scanned voucher QR identifies the recipient (handheld scanner anywhere);
  // the code is posted, never put in a URL (access logs would keep it)
  var searchForm = document.querySelector("form[data-scan-form]");
  var scanForm = searchForm && document.getElementById(searchForm.getAttribute("data-scan-form"));
  if (scanForm && window.Scanner) {
    window.Scanner.listen({ target: document });
    document.addEventListener("scan", function (event) {
      var code = event.detail && event.detail.code;
      if (!code) { return; }
      scanForm.querySelector('input[name="code"]').value = code;
      scanForm.submit();
    });
  }

  // a form sent back with an error: the field the server refused has the focus
  var refused = document.querySelector('#donation-lines [aria-invalid="true"]');
  if (refused) { refused.focus(); }

  var add = document.getElementById("add-line");
  var list = document.getElementById("donation-lines");
  if (add && list) {
    add.hidden = false;
    add.addEventListener("click", function () {
      var rows = list.querySelectorAll("fieldset.donation-line");
      var last = rows[rows.length - 1];
      var n = rows.length;
      var copy = last.cloneNode(true);
      copy.classList.remove("has-error");
      copy.querySelectorAll(".line-error").forEach(function (p) { p.remove(); });
      copy.querySelectorAll("[name]").forEach(function (field) {
        field.name = field.name.replace(/^line-\d+-/, "line-" + n + "-");
        field.removeAttribute("aria-invalid");
        field.removeAttribute("aria-describedby");
        if (field.tagName === "INPUT") { field.value = ""; }
      });
      var legend = copy.querySelector("legend");
      if (legend) { legend.textContent = legend.textContent.replace(/\d+/, String(n + 1)); }
      list.appendChild(copy);
      var first = copy.querySelector("select, input");
      if (first) { first.focus(); }
    });
  }
})();
