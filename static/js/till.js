/* 慈善超市 till: touch first, scanner anywhere, never double-charges.
 * Reads its configuration and every text it shows from the JSON blocks the page renders.
 * The server prices everything; the numbers here are a preview of what it will charge. */
(function () {
  "use strict";

  var CONFIG = JSON.parse(document.getElementById("till-config").textContent);
  var T = JSON.parse(document.getElementById("till-i18n").textContent);
  var API = CONFIG.api;
  var $ = function (id) { return document.getElementById(id); };

  var state = {
    products: [],          // every active product (GET /products/catalogue)
    byBarcode: {},
    category: null,
    cart: [],              // [{product, qty}]
    who: null,             // {voucher?, recipient, limits}
    pending: null,         // {key, plain, bodyText}: a sale sent but not yet answered
    method: "cash",
    tendered: "",          // what the keypad shows, in yuan text
    busy: false,
    quote: null,           // the server's answer for the basket (POST /sales/quote), with its key
    overLimit: "refuse"    // "market" once the cashier chose to sell what is over a limit at market price
  };

  var K = window.TillKit;
  var fen = K.fen, yuanToFen = K.yuanToFen, el = K.el, uuid4 = K.uuid4;
  var api = K.apiClient(API, CONFIG.csrf_token);
  function keypad(container, onChange) { return K.keypad(container, onChange, T.clear); }

  // ---------------------------------------------------------------- feedback: banner and sound
  function beep(kind) {
    if (window.Beep) window.Beep.play(kind === "error" ? "error" : kind === "scan" ? "scan" : "ok");
  }
  // An error shows where the cashier is looking: inside the open dialog (under its title), else
  // in the banner over the till.
  function showError(code, message) {
    var text = message || T.errors[code] || T.errors.unknown;
    var dialog = document.querySelector("dialog[open]");
    var slot = dialog && dialog.querySelector(".till-dialog-error");
    if (slot) {
      slot.textContent = text;
      slot.dataset.code = code || "unknown";
      slot.hidden = false;
    } else {
      $("banner-text").textContent = text;
      $("banner").dataset.code = code || "unknown";
      $("banner").hidden = false;
    }
    beep("error");
  }
  function hideError() {
    $("banner").hidden = true;
    Array.prototype.forEach.call(document.querySelectorAll(".till-dialog-error"), function (p) { p.hidden = true; });
  }
  // a dialog opens and closes without an old error in it
  Array.prototype.forEach.call(document.querySelectorAll("dialog"), function (d) {
    d.addEventListener("close", function () {
      var slot = d.querySelector(".till-dialog-error");
      if (slot) slot.hidden = true;
    });
  });
  $("banner-close").addEventListener("click", hideError);

  function fail(e) { showError(e.code, e.network ? null : e.message); }

  // weighed goods and scale labels (till-scale.js): hooks below are marked "scale"
  var scale = window.TillScale ? window.TillScale.init({
    $: $, api: api, el: el, fen: fen, T: T, state: state, showError: showError, hideError: hideError,
    addToCart: function (p, q) { addToCart(p, q); }, renderCart: function () { renderCart(); }, beep: beep
  }) : null;
  function perUnit(p) { return scale && scale.isWeighed(p) ? "/" + p.unit : ""; }
  function tapProduct(p) { if (!(scale && scale.tap(p))) addToCart(p, 1); }

  // ---------------------------------------------------------------- products
  // The whole catalogue in one request (GET /products/catalogue: rows of one column list, with
  // each name's pinyin initials computed on the server); the till searches it itself.
  var GRID_MAX = 120;   // tiles drawn at once: the rest are found by searching
  function loadProducts() {
    return api("GET", "/products/catalogue").then(function (data) {
      var fields = data.fields || [];
      state.products = (data.rows || []).map(function (row) {
        var p = {};
        fields.forEach(function (f, i) { p[f] = row[i]; });
        p.search = (p.name || "").toLowerCase();
        return p;
      });
      state.byBarcode = {};
      state.products.forEach(function (p) { if (p.barcode) state.byBarcode[p.barcode] = p; });
      renderCategories();
      renderProducts();
    }, fail);
  }
  function categoryName(p) { return (p.category && (p.category.name || p.category)) || ""; }
  function categoriesOf(products) {
    var seen = {}, out = [];
    products.forEach(function (p) {
      var c = categoryName(p);
      if (c && !seen[c]) { seen[c] = true; out.push(c); }
    });
    return out;
  }
  function renderCategories() {
    var box = $("categories");
    box.textContent = "";
    [null].concat(categoriesOf(state.products)).forEach(function (c) {
      box.appendChild(el("button", {
        type: "button", class: "btn till-cat", role: "tab",
        "aria-selected": String(state.category === c), text: c === null ? T.all : c,
        onclick: function () { state.category = c; renderCategories(); renderProducts(); }
      }));
    });
  }
  function findProducts(query, max) {
    return K.searchProducts(state.products, query, max, state.category === null ? null
      : function (p) { return categoryName(p) === state.category; });
  }
  function unitPrice(p) {
    return charityApplies(p) ? p.charity_price_fen : p.market_price_fen;
  }
  function renderProducts() {
    var grid = $("products");
    var shown = findProducts($("search").value, GRID_MAX + 1);
    grid.textContent = "";
    shown.slice(0, GRID_MAX).forEach(function (p) {
      var out = p.stock !== undefined && p.stock !== null && p.stock <= 0;
      var charity = charityApplies(p);
      grid.appendChild(el("button", {
        type: "button", class: "till-product" + (out ? " is-out" : ""), "data-product-id": p.id,
        onclick: function () { tapProduct(p); }
      }, [
        el("span", { class: "till-product-name", text: p.name }),
        el("span", { class: "till-product-price", text: fen(unitPrice(p)) + (p.unit ? " / " + p.unit : "") }),
        charity && p.charity_price_fen < p.market_price_fen
          ? el("span", { class: "till-product-market", text: T.market + " " + fen(p.market_price_fen) }) : null,
        state.who && limitLeft(p) === 0 ? el("span", { class: "till-product-limit", text: T.limit_reached }) : null,
        out ? el("span", { class: "till-product-out", text: T.out_of_stock }) : null
      ]));
    });
    if (shown.length > GRID_MAX) grid.appendChild(el("p", { class: "till-more", text: T.more_products }));
    else if (!shown.length && state.products.length) grid.appendChild(el("p", { class: "till-more", text: T.no_results }));
  }
  $("search").addEventListener("input", renderProducts);
  $("search").addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.isComposing) {
      var code = $("search").value.trim();
      if (!code) return;
      var found = state.byBarcode[code] ? [] : findProducts(code, 2);
      if (found.length === 1 && !voucherCodeFrom(code)) tapProduct(found[0]);  // one match: sell it
      else handleCode(code);
      $("search").value = ""; renderProducts();
    }
  });

  // ---------------------------------------------------------------- cart
  function addToCart(p, qty) {
    if (scale && !scale.allow(p, qty)) return;
    hideError();
    var line = state.cart.filter(function (l) { return l.product.id === p.id; })[0];
    if (line) line.qty += qty; else state.cart.push({ product: p, qty: qty });
    state.cart = state.cart.filter(function (l) { return l.qty > 0; });
    beep("ok");
    renderCart();
  }
  function cartQty(p) {
    var line = state.cart.filter(function (l) { return l.product.id === p.id; })[0];
    return line ? line.qty : 0;
  }
  // what the recipient may still buy at charity price beyond what is in the cart (null: no limit)
  function limitLeft(p) {
    var lim = limitFor(p);
    return lim ? Math.max(0, lim.remaining - cartQty(p)) : null;
  }
  // the next unit of p at charity price? (a recipient is known and the month's limit not reached)
  function charityApplies(p) {
    return !!state.who && p.charity_price_fen != null && limitLeft(p) !== 0;
  }
  function limitFor(p) {
    if (!state.who || !state.who.limits) return null;
    return state.who.limits.filter(function (l) { return l.product_id === p.id; })[0] || null;
  }
  // ---------------------------------------------------------------- the server's quote
  // The page shows what the server will charge: every change of the basket or of the buyer asks
  // POST /sales/quote (reads only) and the totals, the per-line split and the limit notice come
  // from its answer. Until it answers, the totals show "…" and 收款 waits.
  var quoteTimer = null, quoteSeq = 0;
  function quoteBody() {
    var body = { lines: state.cart.map(function (l) {
                   return scale ? scale.lineBody(l) : { product_id: l.product.id, qty: l.qty }; }),
                 over_limit: state.overLimit };
    if (state.who && state.who.voucher) body.voucher_code = state.who.voucher.code;
    else if (state.who) body.recipient_id = state.who.recipient.id;
    return body;
  }
  function basketKey() { return JSON.stringify(quoteBody()); }
  function freshQuote() { return state.quote && state.quote.key === basketKey() ? state.quote : null; }
  function requestQuote() {
    clearTimeout(quoteTimer);
    if (!state.cart.length) { state.quote = null; return; }
    var key = basketKey(), seq = ++quoteSeq;
    quoteTimer = setTimeout(function () {
      api("POST", "/sales/quote", key).then(function (q) {
        if (seq !== quoteSeq) return;          // a newer basket was sent meanwhile
        q.key = key;
        state.quote = q;
        renderTotals();
      }, function (e) {
        if (seq !== quoteSeq) return;
        state.quote = null;
        fail(e);
        renderTotals();
      });
    }, 120);
  }
  // what the page shows: the quote's numbers (null while it is being asked)
  function preview() {
    var q = freshQuote();
    if (!q) return null;
    return { market: q.market_total_fen, total: q.total_fen, savings: q.savings_fen,
             voucher: q.voucher_pays_fen, due: q.due_fen };
  }
  function quoteLine(p) {
    var q = freshQuote();
    return q ? q.lines.filter(function (x) { return x.product_id === p.id; })[0] || null : null;
  }
  function lineText(p, ql) {
    if (!ql) return (state.who ? T.charity + " " + fen(p.charity_price_fen) + perUnit(p) + " · " : "") +
                    T.market + " " + fen(p.market_price_fen) + perUnit(p);
    var parts = [];
    if (ql.charity_qty) parts.push(T.charity + " " + (ql.unit_grams ? ql.charity_qty_text : ql.charity_qty) + " × " +
                                   fen(ql.charity_price_fen) + perUnit(p));
    if (ql.market_qty) parts.push(T.market + " " + (ql.unit_grams ? ql.market_qty_text : ql.market_qty) + " × " +
                                  fen(ql.market_price_fen) + perUnit(p));
    return parts.join(" · ") + " = " + fen(ql.line_total_fen);
  }
  function renderCart() {
    var list = $("cart");
    list.textContent = "";
    state.cart.forEach(function (l) {
      var p = l.product;
      list.appendChild(el("li", { class: "till-line", "data-product-id": p.id }, [
        el("div", { class: "till-line-name" }, [
          el("span", { text: p.name }),
          el("small", { class: "till-line-split" })
        ]),
        el("div", { class: "till-line-qty" }, scale && scale.isWeighed(p) ? scale.lineControls(l) : [
          el("button", { type: "button", class: "btn", "aria-label": T.less + " " + p.name, text: "−",
                         onclick: function () { addToCart(p, -1); } }),
          el("span", { class: "till-qty", text: String(l.qty) }),
          el("button", { type: "button", class: "btn", "aria-label": T.more + " " + p.name, text: "+",
                         onclick: function () { addToCart(p, 1); } }),
          el("button", { type: "button", class: "btn btn-secondary", text: T.remove,
                         "aria-label": T.remove + " " + p.name,
                         onclick: function () { addToCart(p, -l.qty); } })
        ])
      ]));
    });
    $("cart-empty").hidden = state.cart.length > 0;
    if (!state.cart.length) state.overLimit = "refuse";
    requestQuote();
    renderTotals();
    renderProducts();
  }
  // the numbers, the per-line split and the limit notice, from the quote
  function renderTotals() {
    var t = preview(), q = freshQuote();
    var empty = !state.cart.length, wait = "…";
    $("t-market").textContent = empty ? fen(0) : t ? fen(t.market) : wait;
    $("t-savings").textContent = empty ? fen(0) : t ? fen(t.savings) : wait;
    $("t-total").textContent = empty ? fen(0) : t ? fen(t.total) : wait;
    $("t-voucher").textContent = empty ? fen(0) : t ? fen(t.voucher) : wait;
    $("t-due").textContent = empty ? fen(0) : t ? fen(t.due) : wait;
    $("totals").setAttribute("aria-busy", String(!empty && !t));
    Array.prototype.forEach.call($("cart").children, function (li) {
      var p = state.cart.filter(function (l) { return String(l.product.id) === li.dataset.productId; })[0];
      if (!p) return;
      var ql = quoteLine(p.product);
      li.querySelector(".till-line-split").textContent = lineText(p.product, ql);
      li.classList.toggle("is-over", !!(ql && state.who && ql.market_qty && ql.charity_price_fen < ql.market_price_fen));
    });
    renderLimitNotice(q);
    $("btn-pay").disabled = empty || state.busy || !q || !q.sellable;
    if ($("dlg-pay").open) renderPay();
  }
  function overText(x) { return x.unit_grams ? x.over_text : x.over_qty + (x.unit || ""); }
  // over a monthly limit: say so, and offer in one tap to sell the rest at market price or take it out
  function renderLimitNotice(q) {
    var box = $("limit-notice");
    box.textContent = "";
    var over = q ? q.limits.filter(function (x) { return x.over_qty > 0; }) : [];
    box.hidden = !over.length;
    over.forEach(function (x) {
      var item = el("div", { class: "till-limit-item", "data-product-id": x.product_id }, [
        el("p", { class: "till-limit-text", text: x.message })
      ]);
      if (state.overLimit === "market") {
        item.appendChild(el("p", { class: "till-limit-chosen",
          text: T.over_at_market.replace("%(n)s", overText(x)) }));
      } else {
        item.appendChild(el("div", { class: "till-limit-actions" }, [
          el("button", { type: "button", class: "btn btn-primary", "data-limit": "market",
            text: T.sell_at_market.replace("%(n)s", overText(x)),
            onclick: function () { state.overLimit = "market"; hideError(); renderCart(); } }),
          el("button", { type: "button", class: "btn btn-secondary", "data-limit": "remove",
            text: T.remove_over.replace("%(n)s", overText(x)),
            onclick: function () {
              var line = state.cart.filter(function (l) { return l.product.id === x.product_id; })[0];
              if (line) addToCart(line.product, -x.over_qty);
            } })
        ]));
      }
      box.appendChild(item);
    });
  }
  $("btn-clear").addEventListener("click", function () {
    state.cart = []; state.pending = null; state.overLimit = "refuse"; renderCart();
  });

  // ---------------------------------------------------------------- who is buying
  function voucherCodeFrom(text) {
    var t = text.trim();
    var i = t.indexOf("/v#");                                     // a voucher QR: PUBLIC_BASE_URL/v#CODE
    if (i >= 0) t = t.slice(i + 3);
    else if ((i = t.indexOf("/v/")) >= 0) t = t.slice(i + 3).split(/[?#]/)[0];  // sheets printed before
    var compact = t.replace(/[\s-]/g, "");
    if (/^\d+$/.test(compact)) return null;                       // EAN and internal codes are digits
    // 20 data symbols and Crockford's check symbol, which may be one of * ~ $ = U
    return /^[0-9A-Za-z]{20}[0-9A-Za-z*~$=]$/.test(compact) ? t : null;
  }
  function identifyVoucher(code) {
    // by POST: a code in a URL would end up in access logs
    return api("POST", "/vouchers/lookup", { code: code }).then(function (v) {
      if (v.status === "expired" || v.status === "revoked") {
        showError("voucher_" + v.status);
        return;
      }
      setWho({ voucher: { code: code, balance_fen: v.balance_fen, valid_until: v.valid_until,
                          status: v.status },
               recipient: v.recipient, limits: v.limits || [] });
      if (v.status === "exhausted") showError("voucher_exhausted");
    }, fail);
  }
  function setWho(who) {
    state.who = who;
    state.pending = null;
    state.overLimit = "refuse";
    $("who-none").hidden = !!who;
    $("who-some").hidden = !who;
    if (who) {
      $("who-name").textContent = who.recipient.name_masked;
      $("who-balance").textContent = who.voucher ? fen(who.voucher.balance_fen) : "—";
      $("who-valid").textContent = who.voucher ? who.voucher.valid_until : "—";
      var ul = $("who-limits");
      ul.textContent = "";
      (who.limits || []).forEach(function (l) {
        ul.appendChild(el("li", { text: l.name + " · " + T.limit_left + " " +
                                  (scale ? scale.limitText(l) : l.remaining + (l.unit || "")) }));
      });
      beep("ok");
    }
    renderCart();
  }
  $("btn-forget").addEventListener("click", function () { setWho(null); });

  function handleCode(raw) {
    var code = String(raw || "").trim();
    if (!code) return;
    var vcode = voucherCodeFrom(code);
    if (vcode) { identifyVoucher(vcode); return; }
    var p = state.byBarcode[code];
    if (p) { tapProduct(p); return; }
    if (scale && scale.handleCode(code, lookupBarcode)) return;
    lookupBarcode(code);
  }
  function lookupBarcode(code) {
    api("GET", "/products?barcode=" + encodeURIComponent(code)).then(function (data) {
      var items = Array.isArray(data) ? data : (data.items || []);
      if (items.length) {
        var known = state.products.filter(function (x) { return x.id === items[0].id; })[0];
        tapProduct(known || items[0]);
      }
      else showError("not_found", T.scan_not_voucher + "：" + code);
    }, fail);
  }
  document.addEventListener("scan", function (ev) {
    var code = ev.detail && ev.detail.code;
    if ($("dlg-camera").open) stopCamera();
    else if ($("dlg-done").open) nextCustomer(false);          // the next customer's first item: a new sale
    else if (document.querySelector("dialog[open]")) return;  // a dialog (keypad, look-up) owns the keys
    beep("scan");
    handleCode(code);
  });

  // look-up by name + last ID digits
  var lookupTimer = null;
  $("btn-lookup").addEventListener("click", function () {
    $("lookup-q").value = ""; $("lookup-results").textContent = "";
    $("dlg-lookup").showModal(); $("lookup-q").focus();
  });
  $("lookup-q").addEventListener("input", function () {
    clearTimeout(lookupTimer);
    lookupTimer = setTimeout(function () {
      var q = $("lookup-q").value.trim();
      var ul = $("lookup-results");
      if (q.length < 2) { ul.textContent = ""; return; }
      api("GET", "/recipients?q=" + encodeURIComponent(q)).then(function (rows) {
        rows = Array.isArray(rows) ? rows : (rows.items || []);
        ul.textContent = "";
        if (!rows.length) ul.appendChild(el("li", { text: T.no_results }));
        rows.forEach(function (r) {
          ul.appendChild(el("li", {}, [el("button", {
            type: "button", class: "btn till-result",
            text: r.name_masked + " · " + (r.id_masked || "") + (r.community ? " · " + r.community : ""),
            onclick: function () {
              $("dlg-lookup").close();
              api("GET", "/recipients/" + r.id + "/limits").then(function (limits) {
                setWho({ voucher: null, recipient: { id: r.id, name_masked: r.name_masked }, limits: limits || [] });
              }, function () {
                setWho({ voucher: null, recipient: { id: r.id, name_masked: r.name_masked }, limits: [] });
              });
            }
          })]));
        });
      }, fail);
    }, 250);
  });

  // camera (tablets): Scanner.startCamera reads QR codes (BarcodeDetector, else jsQR) and sends
  // the same `scan` event as a handheld scanner
  var camera = null;
  $("btn-camera").addEventListener("click", function () {
    if (!window.Scanner) { showError("unknown", T.camera_unavailable); return; }
    $("dlg-camera").showModal();
    window.Scanner.startCamera($("camera-video"), { target: document }).then(function (c) { camera = c; },
      function () { $("dlg-camera").close(); showError("unknown", T.camera_unavailable); });
  });
  function stopCamera() {
    if (camera) camera.stop();
    camera = null;
    if ($("dlg-camera").open) $("dlg-camera").close();
  }
  $("dlg-camera").addEventListener("close", stopCamera);

  // ---------------------------------------------------------------- paying
  var payPad = keypad($("pay-keypad"), function (v) {
    state.tendered = v;
    $("dlg-pay").querySelector(".till-dialog-error").hidden = true;   // typing again: the error is read
    renderPay();
  });
  function renderPay() {
    var t = preview();
    $("pay-confirm").disabled = !t || state.busy;
    if (!t) return;                          // the basket is being priced again
    var amount = yuanToFen(state.tendered.replace(/\.$/, "")) || 0;
    $("pay-due").textContent = fen(t.due);
    $("pay-amount").textContent = fen(amount);
    $("pay-change").textContent = fen(state.method === "cash" ? Math.max(0, amount - t.due) : 0);
    var quick = $("pay-quick");
    quick.textContent = "";
    var options = [t.due];
    [1000, 2000, 5000, 10000].forEach(function (step) {
      var v = Math.ceil(t.due / step) * step;
      if (v > t.due && options.indexOf(v) < 0) options.push(v);
    });
    options.slice(0, 4).forEach(function (v, i) {
      quick.appendChild(el("button", { type: "button", class: "btn till-quickbtn",
        text: i === 0 ? T.exact + " " + fen(v) : fen(v),
        onclick: function () { payPad.set((v / 100).toFixed(2).replace(/\.00$/, "")); } }));
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-method]"), function (b) {
      b.setAttribute("aria-pressed", String(b.dataset.method === state.method));
    });
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-method]"), function (b) {
    b.addEventListener("click", function () { state.method = b.dataset.method; renderPay(); });
  });
  $("btn-pay").addEventListener("click", function () {
    if (!state.cart.length || !freshQuote()) return;
    state.method = "cash";
    payPad.set("");
    $("dlg-pay").showModal();
  });

  function saleBody() {
    var t = preview();
    var amount = yuanToFen(state.tendered.replace(/\.$/, "")) || 0;
    var body = quoteBody();
    body.payments = t.due > 0 || amount > 0 ? [{ method: state.method, amount_fen: amount }] : [];
    return body;
  }

  function sendSale(attempt) {
    return api("POST", "/sales", state.pending.bodyText, { timeout: 12000 }).catch(function (e) {
      // a lost answer, or the server unavailable for now (503): the same body with the same key
      // again; the server answers the first result if the sale was recorded
      if ((e.network || e.retryable) && attempt < 4) {
        showError(e.network ? "network" : "database_unavailable");
        return new Promise(function (r) { setTimeout(r, 500 * Math.pow(2, attempt)); })
          .then(function () { return sendSale(attempt + 1); });
      }
      throw e;
    });
  }

  $("pay-confirm").addEventListener("click", function () {
    if (state.busy || !preview()) return;
    var body = saleBody();
    var plain = JSON.stringify(body);
    if (!state.pending || state.pending.plain !== plain) {   // a new basket or payment: a new key
      var key = uuid4();
      body.idempotency_key = key;
      state.pending = { key: key, plain: plain, bodyText: JSON.stringify(body) };
    }
    state.busy = true;
    $("pay-confirm").disabled = true;
    sendSale(0).then(function (sale) {
      state.pending = null;
      hideError();
      $("dlg-pay").close();
      done(sale);
    }, function (e) {
      if (e.network) showError("network_failed");
      else if (e.retryable) showError("unavailable_failed");   // keep the key: pressing again is safe
      else { state.pending = null; fail(e); }
    }).then(function () { state.busy = false; $("pay-confirm").disabled = false; renderCart(); });
  });

  var lastSale = null;
  function done(sale) {
    lastSale = sale;
    $("done-change").textContent = fen(sale.change_fen);
    $("done-receipt-no").textContent = T.receipt_no + " " + sale.receipt_no;
    $("done-voucher").textContent = sale.voucher_balance_fen != null
      ? T.voucher_left + " " + fen(sale.voucher_balance_fen) : "";
    $("dlg-done").showModal();
    beep("ok");
    printReceipt(sale);
  }
  function printReceipt(sale, reprint) {
    var status = $("done-print");
    status.textContent = T.printing;
    status.dataset.state = "printing";
    api("POST", "/sales/" + sale.id + "/print", { reprint: !!reprint }).then(function (r) {
      if (r && r.mode === "browser") {
        window.open("/api/v1/sales/" + sale.id + "/receipt" + (reprint ? "?reprint=true" : "") + "#print",
                    "receipt", "width=420,height=700");
      }
      status.textContent = T.printed;
      status.dataset.state = "printed";
    }, function (e) {
      status.textContent = T.print_failed + (e.message && !e.network ? "：" + e.message : "");
      status.dataset.state = "failed";
      beep("error");
    });
  }
  $("done-reprint").addEventListener("click", function () { if (lastSale) printReceipt(lastSale, true); });
  // the paid screen closes and the till starts an empty sale (by 下一位, or by the next scan)
  function nextCustomer(focusSearch) {
    $("dlg-done").close();
    state.cart = []; state.quote = null; setWho(null); renderCart();
    if (focusSearch) $("search").focus();
  }
  $("done-next").addEventListener("click", function () { nextCustomer(true); });

  // ---------------------------------------------------------------- shifts, recent sales (till-shift.js)
  var shifts = window.TillShift.init({ $: $, api: api, fail: fail, keypad: keypad, T: T, CONFIG: CONFIG,
                                       showError: showError, hideError: hideError,
                                       printReceipt: printReceipt, loadProducts: loadProducts });

  // dialogs close with their [data-close] buttons
  Array.prototype.forEach.call(document.querySelectorAll("[data-close]"), function (b) {
    b.addEventListener("click", function () { b.closest("dialog").close(); });
  });

  // ---------------------------------------------------------------- start
  if (window.Scanner) window.Scanner.listen({ target: document });
  window.till = { state: state, handleCode: handleCode };   // for the browser tests
  loadProducts();
  renderCart();
  if (!CONFIG.shift_open) shifts.askToOpen();
})();
