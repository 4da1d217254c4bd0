/* 慈善超市 — the HTML receipt page: the on-screen "打印小票" button, and printing at once when
   the page is opened as …/receipt#print (the till opens it that way for shops without a thermal
   printer). No inline script: the page's CSP allows only files from this site. */
(function () {
  'use strict';
  function print() { window.print(); }
  document.addEventListener('DOMContentLoaded', function () {
    var buttons = document.querySelectorAll('[data-print]');
    for (var i = 0; i < buttons.length; i++) buttons[i].addEventListener('click', print);
    if (window.location.hash === '#print') window.setTimeout(print, 50);
  });
})();
