/* 慈善超市 till: opening and closing the shift (Z report), and the shift's recent sales (reprint,
 * void with a manager's authorisation). Plain script, no build step; till.js calls
 * TillShift.init with what it shares (element look-up, API client, keypads, texts, receipts). */
(function (root) {
  "use strict";

  function init(ctx) {
    var $ = ctx.$, api = ctx.api, fail = ctx.fail, T = ctx.T, CONFIG = ctx.CONFIG;
    var K = root.TillKit, fen = K.fen, yuanToFen = K.yuanToFen, el = K.el;
    var keypad = ctx.keypad, printReceipt = ctx.printReceipt, loadProducts = ctx.loadProducts;
    // each of these sends one idempotency key per action: a double tap or a retry does it once
    var openShift = K.onceSender(api), closeShift = K.onceSender(api), voidSale = K.onceSender(api);
    function quiet(e) { if (!e.busy) fail(e); }

    // ---------------------------------------------------------------- shifts
    var shiftPad = keypad($("shift-keypad"), function (v) { $("shift-amount").textContent = fen(yuanToFen(v.replace(/\.$/, "")) || 0); });
    $("shift-open").addEventListener("click", function () {
      openShift("POST", "/shifts", { float_fen: yuanToFen(shiftPad.get().replace(/\.$/, "")) || 0 }).then(function () {
        $("dlg-shift").close(); CONFIG.shift_open = true;
      }, quiet);
    });
    var closePad = keypad($("close-keypad"), function (v) { $("close-amount").textContent = fen(yuanToFen(v.replace(/\.$/, "")) || 0); });
    $("btn-close-shift").addEventListener("click", function () {
      closePad.set(""); $("close-report").textContent = ""; $("close-confirm").disabled = false;
      $("dlg-close").showModal();
    });
    $("close-confirm").addEventListener("click", function () {
      closeShift("POST", "/shifts/current/close", { counted_fen: yuanToFen(closePad.get().replace(/\.$/, "")) || 0 }).then(function (z) {
        var box = $("close-report");
        box.textContent = "";
        box.appendChild(el("p", { class: "till-z", text: T.z_report + " Z" + z.number + " · " + T.sales + " " +
          z.totals.sales_count + " · " + T.expected + " " + fen(z.expected_cash_fen) + " · " + T.counted + " " +
          fen(z.counted_fen) + " · " + T.difference + " " + fen(z.difference_fen) }));
        box.appendChild(el("a", { class: "btn", href: "/pos/z/" + z.id, text: T.z_report }));
        $("close-confirm").disabled = true;
        CONFIG.shift_open = false;
      }, quiet);
    });

    // ---------------------------------------------------------------- recent sales: void and reprint
    var voidTarget = null;
    $("btn-recent").addEventListener("click", function () {
      $("void-form").hidden = true;
      api("GET", "/sales?shift=current").then(function (rows) {
        var ul = $("recent-list");
        ul.textContent = "";
        (rows || []).forEach(function (s) {
          ul.appendChild(el("li", { class: "till-recent" }, [
            el("span", { text: s.receipt_no + " · " + fen(s.total_fen) + (s.fully_voided ? " · " + T.voided : "") }),
            el("button", { type: "button", class: "btn", text: T.reprint, onclick: function () { printReceipt(s, true); } }),
            s.fully_voided ? null : el("button", { type: "button", class: "btn btn-secondary", text: T["void"],
              onclick: function () {
                voidTarget = s;
                $("void-sale").textContent = s.receipt_no + " · " + fen(s.total_fen);
                $("void-auth").hidden = CONFIG.role === "manager";
                $("void-form").hidden = false;
                $("void-reason").focus();
              } })
          ]));
        });
        $("dlg-recent").showModal();
      }, fail);
    });
    $("void-confirm").addEventListener("click", function () {
      if (!voidTarget) return;
      var body = { reason: $("void-reason").value.trim() };
      if (CONFIG.role !== "manager") { body.manager = $("void-manager").value.trim(); body.manager_pin = $("void-pin").value; }
      voidSale("POST", "/sales/" + voidTarget.id + "/void", body).then(function () {
        $("dlg-recent").close(); voidTarget = null; $("void-reason").value = ""; $("void-pin").value = "";
        loadProducts();
      }, quiet);
    });

    return { askToOpen: function () { shiftPad.set(""); $("dlg-shift").showModal(); } };
  }

  root.TillShift = { init: init };
})(window);
