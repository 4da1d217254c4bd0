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
    products: [],          // all products of this shop (GET /products)
    category: null,
    cart: [],              // [{product, qty}]
    who: null,             // {voucher?, recipient, limits}
    pending: null,         // {key, plain, bodyText}: a sale sent but not yet answered
    method: "cash",
    tendered: "",          // what the keypad shows, in yuan text
    busy: false
  };

  var K = window.TillKit;
  var fen = K.fen, yuanToFen = K.yuanToFen, el = K.el, uuid4 = K.uuid4;
  var api = K.apiClient(API, CONFIG.csrf_token);
  function keypad(container, onChange) { return K.keypad(container, onChange, T.clear); }

  // ---------------------------------------------------------------- feedback: banner and sound
  function beep(kind) {
    if (window.Beep) window.Beep.play(kind === "error" ? "error" : kind === "scan" ? "scan" : "ok");
  }
  function showError(code, message) {
    var text = message || T.errors[code] || T.errors.unknown;
    $("banner-text").textContent = text;
    $("banner").dataset.code = code || "unknown";
    $("banner").hidden = false;
    beep("error");
  }
  function hideError() { $("banner").hidden = true; }
  $("banner-close").addEventListener("click", hideError);

  function fail(e) { showError(e.code, e.network ? null : e.message); }

  // weighed goods and scale labels (till-scale.js): hooks below are marked "scale"
  var scale = window.TillScale ? window.TillScale.init({
    $: $, api: api, el: el, fen: fen, T: T, state: state, showError: showError, hideError: hideError,
    addToCart: function (p, q) { addToCart(p, q); }, renderCart: function () { renderCart(); }, beep: beep
  }) : null;
  function amount(price, qty, p) { return scale ? scale.amount(price, qty, p) : price * qty; }
  function perUnit(p) { return scale && scale.isWeighed(p) ? "/" + p.unit : ""; }

  // ---------------------------------------------------------------- products
  function loadProducts() {
    return api("GET", "/products").then(function (data) {
      state.products = Array.isArray(data) ? data : (data.items || []);
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
  function unitPrice(p) {
    return state.who && p.charity_price_fen != null ? p.charity_price_fen : p.market_price_fen;
  }
  function renderProducts() {
    var q = $("search").value.trim().toLowerCase();
    var grid = $("products");
    grid.textContent = "";
    state.products.filter(function (p) {
      if (state.category !== null && categoryName(p) !== state.category) return false;
      if (!q) return true;
      return p.name.toLowerCase().indexOf(q) >= 0 || (p.barcode || "").indexOf(q) >= 0;
    }).forEach(function (p) {
      var out = p.stock !== undefined && p.stock !== null && p.stock <= 0;
      grid.appendChild(el("button", {
        type: "button", class: "till-product" + (out ? " is-out" : ""), "data-product-id": p.id,
        onclick: function () { if (!(scale && scale.tap(p))) addToCart(p, 1); }
      }, [
        el("span", { class: "till-product-name", text: p.name }),
        el("span", { class: "till-product-price", text: fen(unitPrice(p)) + (p.unit ? " / " + p.unit : "") }),
        state.who && p.charity_price_fen < p.market_price_fen
          ? el("span", { class: "till-product-market", text: T.market + " " + fen(p.market_price_fen) }) : null
      ]));
    });
  }
  $("search").addEventListener("input", renderProducts);
  $("search").addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && !ev.isComposing) {
      var code = $("search").value.trim();
      if (code) { handleCode(code); $("search").value = ""; renderProducts(); }
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
  function limitFor(p) {
    if (!state.who || !state.who.limits) return null;
    return state.who.limits.filter(function (l) { return l.product_id === p.id; })[0] || null;
  }
  function preview() {
    var market = 0, total = 0, eligible = 0;
    state.cart.forEach(function (l) {
      var price = unitPrice(l.product), charityQty = l.qty, lim = limitFor(l.product);
      if (state.who && lim) charityQty = Math.min(l.qty, lim.remaining);
      var lineTotal = state.who ? amount(price, charityQty, l.product) +
                                  amount(l.product.market_price_fen, l.qty - charityQty, l.product)
                                : amount(l.product.market_price_fen, l.qty, l.product);
      market += amount(l.product.market_price_fen, l.qty, l.product);
      total += lineTotal;
      if (l.product.voucher_eligible) eligible += lineTotal;
    });
    var balance = state.who && state.who.voucher ? state.who.voucher.balance_fen : 0;
    var voucher = Math.min(balance, eligible);
    return { market: market, total: total, savings: market - total, voucher: voucher, due: total - voucher };
  }
  function renderCart() {
    var list = $("cart");
    list.textContent = "";
    state.cart.forEach(function (l) {
      var p = l.product, lim = limitFor(p);
      var over = lim && l.qty > lim.remaining;
      list.appendChild(el("li", { class: "till-line" + (over ? " is-over" : ""), "data-product-id": p.id }, [
        el("div", { class: "till-line-name" }, [
          el("span", { text: p.name }),
          el("small", { text: (state.who ? T.charity + " " + fen(unitPrice(p)) + perUnit(p) + " · " : "") +
                               T.market + " " + fen(p.market_price_fen) + perUnit(p) })
        ]),
        el("div", { class: "till-line-qty" }, scale && scale.isWeighed(p) ? scale.lineControls(l) : [
          el("button", { type: "button", class: "btn", "aria-label": T.less, text: "−",
                         onclick: function () { addToCart(p, -1); } }),
          el("span", { class: "till-qty", text: String(l.qty) }),
          el("button", { type: "button", class: "btn", "aria-label": T.more, text: "+",
                         onclick: function () { addToCart(p, 1); } }),
          el("button", { type: "button", class: "btn btn-secondary", text: T.remove,
                         onclick: function () { addToCart(p, -l.qty); } })
        ])
      ]));
    });
    $("cart-empty").hidden = state.cart.length > 0;
    var t = preview();
    $("t-market").textContent = fen(t.market);
    $("t-savings").textContent = fen(t.savings);
    $("t-total").textContent = fen(t.total);
    $("t-voucher").textContent = fen(t.voucher);
    $("t-due").textContent = fen(t.due);
    $("btn-pay").disabled = state.cart.length === 0 || state.busy;
    renderProducts();
  }
  $("btn-clear").addEventListener("click", function () { state.cart = []; state.pending = null; renderCart(); });

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
    var p = state.products.filter(function (x) { return x.barcode === code; })[0];
    if (p) { if (!(scale && scale.tap(p))) addToCart(p, 1); return; }
    if (scale && scale.handleCode(code, lookupBarcode)) return;
    lookupBarcode(code);
  }
  function lookupBarcode(code) {
    api("GET", "/products?barcode=" + encodeURIComponent(code)).then(function (data) {
      var items = Array.isArray(data) ? data : (data.items || []);
      if (items.length) { state.products.push(items[0]); if (!(scale && scale.tap(items[0]))) addToCart(items[0], 1); }
      else showError("not_found", T.scan_not_voucher + "：" + code);
    }, fail);
  }
  document.addEventListener("scan", function (ev) {
    var code = ev.detail && ev.detail.code;
    if ($("dlg-camera").open) stopCamera();
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
  var payPad = keypad($("pay-keypad"), function (v) { state.tendered = v; renderPay(); });
  function renderPay() {
    var t = preview();
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
    if (!state.cart.length) return;
    state.method = "cash";
    payPad.set("");
    $("dlg-pay").showModal();
  });

  function saleBody() {
    var t = preview();
    var amount = yuanToFen(state.tendered.replace(/\.$/, "")) || 0;
    var body = {
      lines: state.cart.map(function (l) { return scale ? scale.lineBody(l) : { product_id: l.product.id, qty: l.qty }; }),
      payments: t.due > 0 || amount > 0 ? [{ method: state.method, amount_fen: amount }] : []
    };
    if (state.who && state.who.voucher) body.voucher_code = state.who.voucher.code;
    else if (state.who) body.recipient_id = state.who.recipient.id;
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
    if (state.busy) return;
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
  $("done-next").addEventListener("click", function () {
    $("dlg-done").close();
    state.cart = []; setWho(null); renderCart();
    $("search").focus();
  });

  // ---------------------------------------------------------------- shifts, recent sales (till-shift.js)
  var shifts = window.TillShift.init({ $: $, api: api, fail: fail, keypad: keypad, T: T, CONFIG: CONFIG,
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
