/* 慈善超市 till: opening and closing the shift (Z report, printed), and the recent sales (reprint,
 * void with a confirmation of what is voided and refunded, a manager's authorisation for a
 * cashier). Plain script, no build step; till.js calls TillShift.init with what it shares
 * (element look-up, API client, keypads, texts, receipts). */
(function (root) {
  "use strict";

  function init(ctx) {
    var $ = ctx.$, api = ctx.api, fail = ctx.fail, T = ctx.T, CONFIG = ctx.CONFIG;
    var K = root.TillKit, fen = K.fen, yuanToFen = K.yuanToFen, el = K.el;
    var keypad = ctx.keypad, printReceipt = ctx.printReceipt, loadProducts = ctx.loadProducts;
    // each of these sends one idempotency key per action: a double tap or a retry does it once
    var openShift = K.onceSender(api), closeShift = K.onceSender(api), voidSale = K.onceSender(api);
    function quiet(e) { if (!e.busy) fail(e); }
    function amountOf(pad) { return yuanToFen(pad.get().replace(/\.$/, "")) || 0; }
    function hhmm(iso) {
      if (!iso) return "";
      var d = new Date(iso);
      return isNaN(d) ? "" : ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
    }
    function dayTime(iso) {
      if (!iso) return "—";
      var d = new Date(iso);
      return isNaN(d) ? "—" : d.getFullYear() + "-" + ("0" + (d.getMonth() + 1)).slice(-2) + "-" +
        ("0" + d.getDate()).slice(-2) + " " + hhmm(iso);
    }
    function methodName(m) { return T[m] || m; }

    // ---------------------------------------------------------------- shifts
    var shiftPad = keypad($("shift-keypad"), function (v) { $("shift-amount").textContent = fen(yuanToFen(v.replace(/\.$/, "")) || 0); });
    $("shift-open").addEventListener("click", function () {
      openShift("POST", "/shifts", { float_fen: amountOf(shiftPad) }).then(function () {
        $("dlg-shift").close(); CONFIG.shift_open = true;
      }, quiet);
    });
    var closePad = keypad($("close-keypad"), function (v) { $("close-amount").textContent = fen(yuanToFen(v.replace(/\.$/, "")) || 0); });
    var lastZ = null;
    $("btn-close-shift").addEventListener("click", function () {
      closePad.set("");
      $("close-report").textContent = ""; $("close-report").hidden = true;
      $("close-count").hidden = false; $("close-print").hidden = true;
      $("close-confirm").hidden = false; $("close-confirm").disabled = false;
      $("close-cancel").textContent = T.cancel;
      $("dlg-close").showModal();
    });
    function zRow(label, value) { return el("div", {}, [el("dt", { text: label }), el("dd", { text: value })]); }
    function showZ(z) {
      lastZ = z;
      var box = $("close-report"), t = z.totals || {};
      box.textContent = "";
      box.appendChild(el("p", { class: "till-z-head", text: T.z_report + " Z" + ("000" + z.number).slice(-4) +
        " · " + T.cashier + " " + (z.cashier || "—") }));
      var dl = el("dl", {}, [
        zRow(T.shift_start, dayTime(z.opened_at)), zRow(T.shift_end, dayTime(z.closed_at)),
        zRow(T.sales, String(t.sales_count || 0)), zRow(T.sales_total, fen(t.sales_fen || 0)),
        zRow(T.float, fen(t.float_fen || 0)), zRow(T.expected, fen(z.expected_cash_fen)),
        zRow(T.counted, fen(z.counted_fen)), zRow(T.difference, fen(z.difference_fen))
      ]);
      box.appendChild(dl);
      box.appendChild(el("a", { class: "till-z-link", href: "/pos/z/" + z.id, text: T.z_open }));
      box.hidden = false;
      $("close-count").hidden = true;
      $("close-confirm").hidden = true;
      $("close-print").hidden = false;
      $("close-cancel").textContent = T.close;
    }
    $("close-confirm").addEventListener("click", function () {
      closeShift("POST", "/shifts/current/close", { counted_fen: amountOf(closePad) }).then(function (z) {
        CONFIG.shift_open = false;
        showZ(z);
        printZ(z);
      }, quiet);
    });
    function printZ(z) {
      api("POST", "/z-reports/" + z.id + "/print", {}).then(function (r) {
        if (r && r.mode === "browser") {
          window.open("/api/v1/z-reports/" + z.id + "/receipt#print", "zreport", "width=420,height=700");
        }
      }, fail);
    }
    $("close-print").addEventListener("click", function () { if (lastZ) printZ(lastZ); });

    // ---------------------------------------------------------------- recent sales: void and reprint
    var voidTarget = null;
    function itemsShort(s) {
      var names = (s.lines || []).map(function (l) { return l.name + "×" + l.qty; });
      return names.length > 3 ? names.slice(0, 3).join("、") + " " + T.and_more.replace("%(n)s", names.length) : names.join("、");
    }
    function paymentsShort(payments) {
      return (payments || []).map(function (p) { return methodName(p.method) + " " + fen(p.amount_fen); }).join(" · ");
    }
    function showList() {
      $("recent-view").hidden = false; $("void-form").hidden = true;
      $("void-back").hidden = true; $("void-confirm").hidden = true; $("recent-close").hidden = false;
      $("recent-title").textContent = CONFIG.role === "manager" ? T.recent_shop : T.recent_shift;
    }
    function renderRecent(rows) {
      var ul = $("recent-list");
      ul.textContent = "";
      if (!rows.length) ul.appendChild(el("li", { text: T.no_results }));
      rows.forEach(function (s) {
        var who = [s.cashier && CONFIG.role === "manager" ? s.cashier : null, s.recipient_masked || null,
                   paymentsShort(s.payments)].filter(Boolean).join(" · ");
        ul.appendChild(el("li", { class: "till-recent" + (s.fully_voided ? " is-voided" : ""), "data-sale-id": s.id }, [
          el("span", { class: "till-recent-time", text: hhmm(s.created_at) }),
          el("span", { class: "till-recent-main" }, [
            el("span", { text: s.receipt_no + " · " + itemsShort(s) }),
            el("span", { class: "till-recent-sub", text: who })
          ]),
          el("span", { class: "till-recent-total", text: fen(s.total_fen) + (s.fully_voided ? " · " + T.voided : "") }),
          el("span", { class: "till-recent-actions" }, [
            el("button", { type: "button", class: "btn", text: T.reprint, "aria-label": T.reprint + " " + s.receipt_no,
                           onclick: function () { printReceipt(s, true); } }),
            s.fully_voided ? null : el("button", { type: "button", class: "btn btn-secondary", text: T["void"],
              "aria-label": T["void"] + " " + s.receipt_no, onclick: function () { askVoid(s); } })
          ])
        ]));
      });
    }
    // the confirmation: what will be voided and what goes back to each method
    function askVoid(s) {
      voidTarget = s;
      ctx.hideError();
      $("void-sale").textContent = s.receipt_no + " · " + hhmm(s.created_at) + " · " + fen(s.total_fen) +
        (s.recipient_masked ? " · " + s.recipient_masked : "");
      var ul = $("void-lines");
      ul.textContent = "";
      (s.lines || []).forEach(function (l) {
        var left = l.qty - ((s.voided || {})[String(l.id)] || 0);
        if (left > 0) ul.appendChild(el("li", { text: l.name + " × " + left + (l.unit || "") + " · " + fen(l.price_fen * left) }));
      });
      var refunds = (s.refund_preview || []).map(function (r) {
        return (r.method === "voucher" ? T.voucher_back : methodName(r.method)) + " " + fen(r.amount_fen);
      });
      $("void-refund").textContent = T.refund + "：" + (refunds.length ? refunds.join(" · ") : fen(0));
      $("void-auth").hidden = CONFIG.role === "manager";
      $("void-confirm").textContent = T.confirm_void_amount.replace("%(amount)s", fen(s.refund_total_fen != null ? s.refund_total_fen : s.total_fen));
      $("recent-view").hidden = true; $("void-form").hidden = false;
      $("void-back").hidden = false; $("void-confirm").hidden = false; $("recent-close").hidden = true;
      $("recent-title").textContent = T.confirm_void;
      $("void-reason").focus();
    }
    function loadRecent() {
      return api("GET", "/sales").then(function (rows) { renderRecent(rows || []); });
    }
    $("btn-recent").addEventListener("click", function () {
      showList();
      loadRecent().then(function () { $("dlg-recent").showModal(); }, fail);
    });
    ["void-reason", "void-manager", "void-pin"].forEach(function (id) {   // typing again: the error is read
      $(id).addEventListener("input", function () { $("dlg-recent").querySelector(".till-dialog-error").hidden = true; });
    });
    $("void-back").addEventListener("click", function () { ctx.hideError(); showList(); });
    $("void-confirm").addEventListener("click", function () {
      if (!voidTarget) return;
      var body = { reason: $("void-reason").value.trim() };
      if (!body.reason) { ctx.showError("invalid_input", T.void_reason_needed); $("void-reason").focus(); return; }
      if (CONFIG.role !== "manager") { body.manager = $("void-manager").value.trim(); body.manager_pin = $("void-pin").value; }
      voidSale("POST", "/sales/" + voidTarget.id + "/void", body).then(function () {
        $("dlg-recent").close(); voidTarget = null; $("void-reason").value = ""; $("void-pin").value = "";
        loadProducts();
      }, function (e) { $("void-pin").value = ""; quiet(e); });
    });

    return { askToOpen: function () { shiftPad.set(""); $("dlg-shift").showModal(); } };
  }

  root.TillShift = { init: init };
})(window);
