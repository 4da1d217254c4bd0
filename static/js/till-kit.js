/* 慈善超市 till: small building blocks (money text, DOM, ids, the JSON API client, keypads).
 * Plain script, no build step; till.js uses it as window.TillKit. */
(function (root) {
  "use strict";

  function fen(n) {
    var sign = n < 0 ? "-" : "";
    n = Math.abs(n);
    var yuan = Math.floor(n / 100), cents = n % 100;
    return sign + "¥" + yuan.toLocaleString("en-US") + "." + (cents < 10 ? "0" : "") + cents;
  }
  function yuanToFen(text) {
    if (!text) return 0;
    var m = /^(\d{1,7})(?:\.(\d{0,2}))?$/.exec(text);
    if (!m) return NaN;
    return parseInt(m[1], 10) * 100 + parseInt(((m[2] || "") + "00").slice(0, 2), 10);
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "class") node.className = attrs[k];
      else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), attrs[k]);
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }
  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }


  // the JSON API: resolves with the body, rejects with {code, status, details} or {network: true};
  // `retryable` when the server (or the proxy before it) says it is unavailable for now: 503
  // database_unavailable, 502/504 from the proxy. The same request may be sent again.
  function apiClient(base, csrfToken) {
    return function api(method, path, body, opts) {
      opts = opts || {};
      var ctrl = new AbortController();
      var timer = setTimeout(function () { ctrl.abort(); }, opts.timeout || 10000);
      var init = { method: method, credentials: "same-origin", signal: ctrl.signal,
                   headers: { "Accept": "application/json" } };
      if (body !== undefined) {
        init.headers["Content-Type"] = "application/json";
        init.body = typeof body === "string" ? body : JSON.stringify(body);
      }
      if (method !== "GET") init.headers["X-CSRFToken"] = csrfToken;
      return fetch(base + path, init).then(function (resp) {
        clearTimeout(timer);
        return resp.json().catch(function () { return {}; }).then(function (data) {
          if (resp.ok) return data;
          var err = (data && data.error) || { code: "unknown" };
          var e = new Error(err.message || err.code);
          e.code = err.code; e.status = resp.status; e.details = err.details;
          e.retryable = resp.status === 502 || resp.status === 503 || resp.status === 504;
          if (e.retryable && e.code === "unknown") e.code = "database_unavailable";
          throw e;
        });
      }, function () {
        clearTimeout(timer);
        var e = new Error("network");
        e.code = "network"; e.network = true;
        throw e;
      });
    };
  }

  // One action the cashier means (open a shift, void a sale...), sent with an idempotency key. The
  // key stays while the same request is sent again (a double tap, a retry after a lost answer), so
  // the server answers the first result and does it once; a changed request gets a new key.
  function onceSender(api) {
    var pending = null, busy = false;
    return function send(method, path, body) {
      if (busy) return Promise.reject(Object.assign(new Error("busy"), { code: "busy", busy: true }));
      var plain = method + " " + path + " " + JSON.stringify(body);
      if (!pending || pending.plain !== plain) pending = { plain: plain, key: uuid4() };
      var withKey = {};
      Object.keys(body || {}).forEach(function (k) { withKey[k] = body[k]; });
      withKey.idempotency_key = pending.key;
      busy = true;
      return api(method, path, withKey).then(function (data) {
        busy = false; pending = null; return data;
      }, function (e) {
        busy = false;
        if (!e.network) pending = null;   // answered: a new attempt is a new action
        throw e;
      });
    };
  }

  // a numeric keypad for amounts in yuan; onChange gets the text typed so far
  function keypad(container, onChange, clearLabel) {
    var keys = ["7", "8", "9", "4", "5", "6", "1", "2", "3", "00", "0", ".", "⌫", clearLabel];
    var value = "";
    function set(v) { value = v; onChange(value); }
    keys.forEach(function (k) {
      container.appendChild(el("button", { type: "button", class: "btn till-key", text: k, "data-key": k, onclick: function () {
        if (k === "⌫") set(value.slice(0, -1));
        else if (k === clearLabel) set("");
        else {
          var next = value === "" && k === "." ? "0." : value + k;
          if (!isNaN(yuanToFen(next.replace(/\.$/, "")))) set(next);
        }
      } }));
    });
    return { set: set, get: function () { return value; } };
  }

  // The till's product search over the whole catalogue (products carry `search`, the lower-case
  // name, and `initials`, the pinyin initials from the server): every word of the query must be in
  // the name, the initials (大米 by "dm") or the barcode. At most `max` products, in catalogue
  // order, that `keep` (optional: the category filter) also accepts.
  function searchProducts(products, query, max, keep) {
    var terms = String(query || "").trim().toLowerCase().split(/\s+/).filter(Boolean);
    var out = [];
    for (var i = 0; i < products.length && out.length < max; i++) {
      var p = products[i], ok = !keep || keep(p);
      for (var j = 0; ok && j < terms.length; j++) {
        var t = terms[j];
        ok = p.search.indexOf(t) >= 0 || (p.initials || "").indexOf(t) >= 0 ||
             (p.barcode || "").toLowerCase().indexOf(t) >= 0;
      }
      if (ok) out.push(p);
    }
    return out;
  }

  root.TillKit = { searchProducts: searchProducts, fen: fen, yuanToFen: yuanToFen, el: el, uuid4: uuid4, apiClient: apiClient, keypad: keypad,
                   onceSender: onceSender };
})(window);
