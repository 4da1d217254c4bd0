/* 慈善超市 — the public voucher page (/v). Plain script, no build step.
 *
 * The voucher's QR code holds PUBLIC_BASE_URL/v#CODE: the code is in the URL fragment, which a
 * browser never sends, so no server or proxy log can hold it. This script reads the fragment,
 * takes it out of the address bar (and so out of the history) at once, and asks the server by
 * POST with a JSON body; a code typed into the form is asked the same way. The balance card is
 * the page's own <template>, filled with textContent only. Without JavaScript the form still
 * posts to /v and the server answers with the card.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var api = script && script.getAttribute("data-api");
  var result = document.getElementById("voucher-result");
  var form = document.getElementById("voucher-lookup");
  if (!api || !result || !form) return;

  function fen(n) {
    var yuan = Math.floor(n / 100), cents = n % 100;
    return "¥" + yuan.toLocaleString("en-US") + "." + (cents < 10 ? "0" : "") + cents;
  }

  function show(node) {
    Array.prototype.forEach.call(result.querySelectorAll("section"), function (s) { s.remove(); });
    document.getElementById("voucher-busy").hidden = true;
    document.getElementById("voucher-failed").hidden = true;
    if (node) result.appendChild(node);
  }

  function fill(info) {
    var card = document.getElementById("tpl-balance").content.firstElementChild.cloneNode(true);
    card.setAttribute("data-status", info.status);
    function slot(name, text) {
      var el = card.querySelector('[data-slot="' + name + '"]');
      if (el) el.textContent = text;
    }
    slot("balance", fen(info.balance_fen));
    slot("face", fen(info.face_fen));
    slot("valid_from", info.valid_from);
    slot("valid_until", info.valid_until);
    slot("code_tail", info.code_tail);
    fillHistory(card, info.history || []);
    var status = card.querySelector('[data-slot="status"]');
    status.classList.add("status-" + info.status);
    Array.prototype.forEach.call(status.querySelectorAll("[data-status-text]"), function (s) {
      s.hidden = s.getAttribute("data-status-text") !== info.status;
    });
    return card;
  }

  // the voucher's history: day, shop, amount, what happened (the server's words), oldest first
  function fillHistory(card, rows) {
    var list = card.querySelector('[data-slot="history"]');
    var empty = card.querySelector('[data-slot="history-empty"]');
    var tpl = document.getElementById("tpl-history-item");
    if (!list || !tpl) return;
    rows.forEach(function (h) {
      var item = tpl.content.firstElementChild.cloneNode(true);
      function part(name, text) {
        var el = item.querySelector('[data-h="' + name + '"]');
        if (el) el.textContent = text;
        return el;
      }
      part("day", h.day_text || h.day);
      part("what", h.what);
      part("shop", h.shop || "").hidden = !h.shop;
      part("amount", fen(Math.abs(h.amount_fen)));
      part("balance", fen(h.balance_after_fen));
      item.querySelector('[data-h="up"]').hidden = h.amount_fen < 0;
      item.querySelector('[data-h="down"]').hidden = h.amount_fen > 0;
      list.appendChild(item);
    });
    if (empty) empty.hidden = rows.length > 0;
  }

  function lookup(code) {
    show(null);
    document.getElementById("voucher-busy").hidden = false;
    var shops = document.getElementById("voucher-shops");
    return fetch(api, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ code: code })
    }).then(function (resp) {
      return resp.json().catch(function () { return {}; }).then(function (body) {
        if (resp.ok) {
          show(fill(body));
          if (shops) shops.hidden = body.status !== "active";
        } else if (resp.status === 404 || resp.status === 400) {
          show(document.getElementById("tpl-unknown").content.firstElementChild.cloneNode(true));
          if (shops) shops.hidden = true;
        } else {
          show(null);
          document.getElementById("voucher-failed").hidden = false;
        }
      });
    }, function () {
      show(null);
      document.getElementById("voucher-failed").hidden = false;
    });
  }

  form.addEventListener("submit", function (event) {
    var input = form.querySelector('input[name="code"]');
    var code = input && input.value.trim();
    if (!code) return;
    event.preventDefault();
    lookup(code);
  });

  var fragment = window.location.hash.replace(/^#/, "");
  if (fragment) {
    // out of the address bar and the history first, whatever the answer
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
    var code;
    try { code = decodeURIComponent(fragment); } catch (e) { code = fragment; }
    lookup(code);
  }
})();
