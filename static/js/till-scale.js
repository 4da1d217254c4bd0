/* 慈善超市 till: weighed goods (sold per 斤 or kg, counted in grams).
 * - a scale label (EAN-13 starting with 2) scanned like any barcode adds a line with its weight;
 * - a tap on a weighed tile asks the weight on a touch keypad, in 斤 (or kg) or in grams;
 * - the amount of a weight is the server's rule: round half up (price × grams / unit grams);
 * - a fraction of a piece product is refused, never truncated.
 * till.js calls the hooks below (TillScale.init returns them); the server prices everything. */
(function (root) {
  "use strict";

  var MAX_GRAMS = 100000;

  function isWeighed(p) { return !!(p && p.sale_unit === "weight" && p.unit_grams); }

  // the one money rule (app/core/money.py line_amount_fen), in integers
  function amount(price, qty, p) {
    if (!isWeighed(p)) return price * qty;
    var ug = p.unit_grams;
    return Math.floor((2 * price * qty + ug) / (2 * ug));
  }

  // grams as "0.75" in 斤 (500 g) or kg (1000 g): exact, at most 3 decimals
  function decimal(grams, per) {
    var whole = Math.floor(grams / per), rest = grams % per;
    var thousandths = rest * 1000 / per;              // an integer: per is 500 or 1000
    if (!thousandths) return String(whole);
    return whole + "." + String(1000 + thousandths).slice(1).replace(/0+$/, "");
  }
  function unitName(p) { return p.unit || (p.unit_grams === 1000 ? "kg" : "斤"); }
  function weightText(p, grams) { return decimal(grams, p.unit_grams) + " " + unitName(p); }

  // what was typed ("0.75", "375") in 斤/kg (per = unit grams) or grams (per = 1): grams, or
  // null when it is not a whole number of grams
  function typedGrams(text, per) {
    var m = /^(\d{0,6})(?:\.(\d{0,3}))?$/.exec(text);
    if (!m || text === "" || text === ".") return null;
    var thousandths = parseInt(m[1] || "0", 10) * 1000 + parseInt(((m[2] || "") + "000").slice(0, 3), 10);
    var scaled = thousandths * per;
    if (scaled % 1000) return null;
    return scaled / 1000;
  }

  function init(ctx) {
    // ctx: {$, api, el, fen, T, state, addToCart, showError, hideError, renderCart, beep}
    var $ = ctx.$, el = ctx.el, fen = ctx.fen, T = ctx.T.scale;
    var dlg = $("dlg-weight");
    var typed = "", inGrams = false, product = null, editing = null;

    function unitPrice(p) {
      return ctx.state.who && p.charity_price_fen != null ? p.charity_price_fen : p.market_price_fen;
    }
    function grams() { return product ? typedGrams(typed, inGrams ? 1 : product.unit_grams) : null; }

    function render() {
      var p = product, g = grams();
      $("weight-value").textContent = (typed || "0") + " " + (inGrams ? "g" : unitName(p));
      $("weight-unit-jin").textContent = unitName(p);
      $("weight-unit-jin").setAttribute("aria-pressed", String(!inGrams));
      $("weight-unit-g").setAttribute("aria-pressed", String(inGrams));
      var error = "";
      if (typed && g === null) error = T.whole_grams;
      else if (g !== null && g > MAX_GRAMS) error = T.too_heavy;
      $("weight-error").textContent = error;
      $("weight-error").hidden = !error;
      $("weight-equals").textContent = g ? (inGrams ? weightText(p, g) : g + " g") + " · " +
        fen(amount(unitPrice(p), g, p)) : "";
      $("weight-ok").disabled = !g || !!error;
    }
    function press(k) {
      if (k === "⌫") typed = typed.slice(0, -1);
      else if (k === "clear") typed = "";
      else if (k === "." && (inGrams || typed.indexOf(".") >= 0)) return;
      else if (typed.length < 9) typed = (typed === "" && k === "." ? "0" : typed === "0" && k !== "." ? "" : typed) + k;
      render();
    }
    ["7", "8", "9", "4", "5", "6", "1", "2", "3", "0", ".", "⌫"].forEach(function (k) {
      $("weight-keypad").appendChild(el("button", { type: "button", class: "btn till-key", text: k, "data-key": k,
        "aria-label": k === "⌫" ? T.backspace : k === "." ? T.point : k, onclick: function () { press(k); } }));
    });
    $("weight-keypad").appendChild(el("button", { type: "button", class: "btn till-key till-key-wide", "data-key": "clear",
      text: ctx.T.clear, onclick: function () { press("clear"); } }));
    $("weight-unit-jin").addEventListener("click", function () { inGrams = false; typed = ""; render(); });
    $("weight-unit-g").addEventListener("click", function () { inGrams = true; typed = ""; render(); });
    $("weight-ok").addEventListener("click", function () {
      var g = grams();
      if (!g || g > MAX_GRAMS) return;
      dlg.close();
      if (editing) { editing.qty = g; ctx.renderCart(); ctx.beep("ok"); }
      else ctx.addToCart(product, g);
    });
    // a key on a hardware keypad types into the dialog too
    dlg.addEventListener("keydown", function (ev) {
      if (/^[0-9.]$/.test(ev.key)) { press(ev.key); ev.preventDefault(); }
      else if (ev.key === "Backspace") { press("⌫"); ev.preventDefault(); }
      else if (ev.key === "Enter" && !$("weight-ok").disabled) { $("weight-ok").click(); ev.preventDefault(); }
    });

    function ask(p, line) {
      product = p; editing = line || null; typed = ""; inGrams = false;
      $("weight-name").textContent = p.name;
      $("weight-price").textContent = fen(unitPrice(p)) + " / " + unitName(p) +
        (ctx.state.who && p.charity_price_fen < p.market_price_fen
          ? " · " + ctx.T.market + " " + fen(p.market_price_fen) + " / " + unitName(p) : "");
      render();
      ctx.hideError();
      dlg.showModal();
      $("weight-ok").focus();
    }

    function rememberProduct(p) {
      var list = ctx.state.products, i;
      for (i = 0; i < list.length; i++) if (list[i].id === p.id) { list[i] = p; return p; }
      list.push(p);
      return p;
    }

    return {
      isWeighed: isWeighed,
      amount: amount,
      weightText: weightText,
      // a tap on a tile: a weighed product asks its weight (true: handled here)
      tap: function (p) { if (!isWeighed(p)) return false; ask(p); return true; },
      // a count for a piece product must be whole: refused (never truncated) with a Chinese message
      allow: function (p, qty) {
        if (isWeighed(p) || qty === Math.floor(qty)) return true;
        ctx.showError("quantity_not_whole");
        return false;
      },
      // a scanned code: a scale label (13 digits starting with 2) adds its product and weight;
      // a code that is no label of the shop's layouts goes to `fallback` (the product look-up)
      handleCode: function (code, fallback) {
        if (!/^2\d{12}$/.test(code)) return false;
        ctx.api("GET", "/scale-labels/" + code).then(function (label) {
          ctx.addToCart(rememberProduct(label.product), label.grams);
        }, function (e) {
          if (e.code === "invalid_input") fallback(code);
          else ctx.showError(e.code, e.network ? null : e.message);
        });
        return true;
      },
      // the body of a basket line for POST /sales
      lineBody: function (l) {
        return isWeighed(l.product) ? { product_id: l.product.id, grams: l.qty }
                                    : { product_id: l.product.id, qty: l.qty };
      },
      // the controls of a weighed cart line: its weight (tap to change it), its amount, remove
      lineControls: function (l) {
        var p = l.product;
        return [
          el("button", { type: "button", class: "btn till-weight-btn", "aria-label": T.change_weight + "：" + p.name,
                         onclick: function () { ask(p, l); } }, [
            el("span", { class: "till-weight", text: weightText(p, l.qty) }),
            el("small", { text: l.qty + " g" })
          ]),
          el("span", { class: "till-line-amount", text: fen(amount(unitPrice(p), l.qty, p)) }),
          el("button", { type: "button", class: "btn btn-secondary", text: ctx.T.remove,
                         onclick: function () { ctx.addToCart(p, -l.qty); } })
        ];
      },
      limitText: function (l) {
        return l.remaining_text || (l.remaining + (l.unit || ""));
      }
    };
  }

  root.TillScale = { init: init, amount: amount, typedGrams: typedGrams, decimal: decimal, isWeighed: isWeighed };
})(window);
