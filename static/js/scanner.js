/* 慈善超市 — barcode/QR scanning for the till. Plain script, no build step, no dependencies
 * (jsQR from static/vendor/jsqr/ is loaded only when the camera needs it).
 *
 * Handheld scanners ("keyboard wedge") type the code as very fast keystrokes ending in Enter.
 *   var scanner = Scanner.listen({target: document});   // ... scanner.stop();
 *   document.addEventListener('scan', function (e) { e.detail.code; e.detail.source; });
 * - keydown is watched on the whole document in the capture phase, so a scan is seen whatever
 *   has focus (a search box, a button, nothing);
 * - each key is read from its physical key (event.code, with Shift and Caps Lock), not from
 *   event.key: with a Chinese IME on, event.key is "Process" and keyCode 229 while the IME
 *   composes, but event.code still names the key the scanner "pressed";
 * - a scan is told from typing by time: keys less than maxGap ms (300) apart form a burst, and a
 *   burst ending in Enter is a scan when its typical (median) gap is at most maxAverage ms (35):
 *   scanners send a key every 1-20 ms, people type one every 80 ms or more. Keys a person typed
 *   just before the scan (each followed by a pause of personPause ms, 150, or more) stay in the
 *   field;
 * - the scanned characters are taken out of the focused field again: at the scan's Enter the
 *   field gets back the text and cursor it had before the scan (after the IME's compositionend
 *   when an IME had caught the keys); the Enter of a scan is cancelled, so it
 *   neither submits a form nor presses a button.
 *
 * Cameras (tablets): Scanner.startCamera(videoElement, {target}) -> Promise of {stop(), engine}
 *   reads QR codes with the browser's BarcodeDetector where it has one for QR codes, else with
 *   jsQR; each new code dispatches the same `scan` event with source 'camera'.
 * Scanner.decode(imageOrCanvasOrVideo) -> Promise of the text or null, by the same engines;
 * Scanner.decodeImageData(imageData) decodes with jsQR only (jsQR must be loaded: loadJsQR()).
 */
(function (root) {
  'use strict';

  var doc = root.document;
  var KEYBOARD_DEFAULTS = { maxGap: 300, maxAverage: 35, personPause: 150, minLength: 4, target: null };
  var CAMERA_DEFAULTS = { facingMode: 'environment', interval: 150, repeatAfter: 2500, maxWidth: 800, target: null };
  var SHIFTED_DIGITS = ')!@#$%^&*(';
  var PUNCTUATION = {
    Minus: '-_', Equal: '=+', BracketLeft: '[{', BracketRight: ']}', Backslash: '\\|',
    Semicolon: ';:', Quote: '\'"', Backquote: '`~', Comma: ',<', Period: '.>', Slash: '/?', Space: '  ',
    NumpadDecimal: '..', NumpadDivide: '//', NumpadMultiply: '**', NumpadSubtract: '--', NumpadAdd: '++'
  };

  var script = doc.currentScript;
  var JSQR_URL = (script && script.getAttribute('data-jsqr')) ||
    (script && script.src ? new URL('../vendor/jsqr/jsQR.js', script.src).href : '/static/vendor/jsqr/jsQR.js');

  function merge(defaults, options) {
    var out = {};
    var key;
    for (key in defaults) out[key] = defaults[key];
    for (key in (options || {})) if (options[key] !== undefined) out[key] = options[key];
    return out;
  }

  function dispatch(target, code, source) {
    (target || doc).dispatchEvent(new CustomEvent('scan', { bubbles: true, detail: { code: code, source: source } }));
  }

  /* The character a key types, or null (Shift, F1...). Under an IME, from the physical key on a
   US layout, which is what scanners emulate. */
  function charFromEvent(e) {
    // event.key is the truth while no IME holds the key; under an IME it is "Process" (229)
    if (e.key && e.key.length === 1 && e.keyCode !== 229 && !e.isComposing) return e.key;
    var code = e.code || '';
    var m = /^Key([A-Z])$/.exec(code);
    if (m) {
      var caps = !!(e.getModifierState && e.getModifierState('CapsLock'));
      return (e.shiftKey !== caps) ? m[1] : m[1].toLowerCase();
    }
    m = /^Digit([0-9])$/.exec(code);
    if (m) return e.shiftKey ? SHIFTED_DIGITS.charAt(+m[1]) : m[1];
    m = /^Numpad([0-9])$/.exec(code);
    if (m) return m[1];
    if (PUNCTUATION[code]) return PUNCTUATION[code].charAt(e.shiftKey ? 1 : 0);
    return null;
  }

  function isEnter(e) {
    return e.code === 'Enter' || e.code === 'NumpadEnter' || e.key === 'Enter' || e.keyCode === 13;
  }

  function isTextField(el) {
    return !!el && (el.tagName === 'TEXTAREA' ||
      (el.tagName === 'INPUT' && /^(text|search|tel|url|email|number|password|)$/i.test(el.type || '')));
  }

  function snapshot(el) {
    if (!isTextField(el)) return null;
    var snap = { el: el, value: el.value, start: null, end: null };
    try { snap.start = el.selectionStart; snap.end = el.selectionEnd; } catch (err) { /* type=number */ }
    return snap;
  }

  function restore(snap) {
    if (!snap || snap.el.value === snap.value) return;
    snap.el.value = snap.value;
    try { if (snap.start !== null) snap.el.setSelectionRange(snap.start, snap.end); } catch (err) { /* ignore */ }
    snap.el.dispatchEvent(new Event('input', { bubbles: true }));  // let search boxes re-filter
  }

  function median(values) {
    var sorted = values.slice().sort(function (a, b) { return a - b; });
    var mid = sorted.length >> 1;
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  }

  function KeyboardScanner(options) {
    this.options = merge(KEYBOARD_DEFAULTS, options);
    this.composing = false;
    this.afterComposition = null;
    this.reset();
    this.onKeyDown = this.onKeyDown.bind(this);
    this.onCompositionStart = this.onCompositionStart.bind(this);
    this.onCompositionEnd = this.onCompositionEnd.bind(this);
  }

  KeyboardScanner.prototype.reset = function () {
    this.chars = [];
    this.times = [];
    this.fields = [];  // the focused field as it was before each key
  };

  KeyboardScanner.prototype.start = function () {
    doc.addEventListener('keydown', this.onKeyDown, true);
    doc.addEventListener('compositionstart', this.onCompositionStart, true);
    doc.addEventListener('compositionend', this.onCompositionEnd, true);
    return this;
  };

  KeyboardScanner.prototype.stop = function () {
    doc.removeEventListener('keydown', this.onKeyDown, true);
    doc.removeEventListener('compositionstart', this.onCompositionStart, true);
    doc.removeEventListener('compositionend', this.onCompositionEnd, true);
    this.reset();
  };

  /* The gaps between the keys of the burst, Enter (at `now`) included. */
  KeyboardScanner.prototype.gaps = function (now) {
    var out = [];
    for (var i = 1; i <= this.times.length; i++) {
      out.push((i < this.times.length ? this.times[i] : now) - this.times[i - 1]);
    }
    return out;
  };

  /* Where the scanned code starts: keys a person typed just before the scan (each followed by a
     pause much longer than the burst's typical gap) are left to the field. */
  KeyboardScanner.prototype.scanStart = function (gaps) {
    var typical = median(gaps);
    var slow = Math.max(4 * typical, this.options.personPause);
    var first = 0;
    while (first < gaps.length - 1 && gaps[first] > slow) first++;
    return first;
  };

  /* A scan: at least minLength keys whose typical (median) gap is at most maxAverage ms. The
     median, not the mean, so one late key (a busy terminal) does not turn a scan into typing. */
  KeyboardScanner.prototype.looksLikeScan = function (now) {
    var gaps = this.gaps(now);
    var first = this.scanStart(gaps);
    return this.times.length - first >= this.options.minLength && median(gaps.slice(first)) <= this.options.maxAverage;
  };

  KeyboardScanner.prototype.onKeyDown = function (e) {
    if (e.ctrlKey || e.altKey || e.metaKey) { this.reset(); return; }
    var now = e.timeStamp || root.performance.now();
    var last = this.times.length ? this.times[this.times.length - 1] : null;
    var inBurst = last !== null && now - last <= this.options.maxGap;
    if (isEnter(e)) {
      if (inBurst && this.looksLikeScan(now)) {
        e.preventDefault();
        e.stopImmediatePropagation();
        this.finish(now);
      } else {
        this.reset();
      }
      return;
    }
    var ch = charFromEvent(e);
    if (ch === null) return;  // Shift, Caps Lock: part of a burst, no character
    if (!inBurst) this.reset();
    this.fields.push(snapshot(e.target));  // before this key reaches the field
    this.chars.push(ch);
    this.times.push(now);
    // No preventDefault here: a fast typist must never lose a key. A scan's keys reach the field
    // and are taken out again when its Enter arrives.
  };

  KeyboardScanner.prototype.finish = function (now) {
    var first = this.scanStart(this.gaps(now));
    var code = this.chars.slice(first).join('');
    var field = this.fields[first];
    this.reset();
    if (this.composing) {
      // An IME holds the keys: changing the field now would break its composition. It commits
      // its text after this Enter; the field is restored at compositionend (or soon anyway).
      var self = this;
      this.afterComposition = field;
      root.setTimeout(function () {
        if (self.afterComposition === field) { self.afterComposition = null; restore(field); }
      }, 500);
    } else {
      restore(field);
    }
    dispatch(this.options.target, code, 'keyboard');
  };

  KeyboardScanner.prototype.onCompositionStart = function () {
    this.composing = true;
  };

  KeyboardScanner.prototype.onCompositionEnd = function () {
    this.composing = false;
    var field = this.afterComposition;
    this.afterComposition = null;
    if (field) root.setTimeout(function () { restore(field); }, 0);
  };

  /* --- QR codes from images and the camera ------------------------------------------------ */

  var jsqrLoading = null;

  function loadJsQR() {
    if (root.jsQR) return Promise.resolve(root.jsQR);
    if (!jsqrLoading) {
      jsqrLoading = new Promise(function (resolve, reject) {
        var tag = doc.createElement('script');
        tag.src = JSQR_URL;
        tag.onload = function () { return root.jsQR ? resolve(root.jsQR) : reject(new Error('jsQR did not load')); };
        tag.onerror = function () { jsqrLoading = null; reject(new Error('cannot load ' + JSQR_URL)); };
        doc.head.appendChild(tag);
      });
    }
    return jsqrLoading;
  }

  function decodeImageData(imageData) {
    if (!root.jsQR) throw new Error('jsQR is not loaded: call Scanner.loadJsQR() first');
    var found = root.jsQR(imageData.data, imageData.width, imageData.height, { inversionAttempts: 'attemptBoth' });
    return found ? found.data : null;
  }

  function sizeOf(source) {
    return {
      width: source.videoWidth || source.naturalWidth || source.width || 0,
      height: source.videoHeight || source.naturalHeight || source.height || 0
    };
  }

  function jsqrEngine(maxWidth) {
    return loadJsQR().then(function () {
      var canvas = doc.createElement('canvas');
      var ctx = canvas.getContext('2d', { willReadFrequently: true });
      var read = function (source) {
        var size = sizeOf(source);
        if (!size.width || !size.height) return Promise.resolve(null);
        var scale = Math.min(1, (maxWidth || 800) / size.width);
        canvas.width = Math.round(size.width * scale);
        canvas.height = Math.round(size.height * scale);
        ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
        return Promise.resolve(decodeImageData(ctx.getImageData(0, 0, canvas.width, canvas.height)));
      };
      read.engine = 'jsQR';
      return read;
    });
  }

  function engine(maxWidth) {
    var Detector = root.BarcodeDetector;
    if (!Detector || !Detector.getSupportedFormats) return jsqrEngine(maxWidth);
    return Detector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf('qr_code') < 0) return jsqrEngine(maxWidth);
      var detector = new Detector({ formats: ['qr_code'] });
      var read = function (source) {
        return detector.detect(source).then(function (codes) { return codes.length ? codes[0].rawValue : null; });
      };
      read.engine = 'BarcodeDetector';
      return read;
    }, function () { return jsqrEngine(maxWidth); });
  }

  function decode(source) {
    return engine(CAMERA_DEFAULTS.maxWidth).then(function (read) { return read(source); });
  }

  function startCamera(video, options) {
    var opts = merge(CAMERA_DEFAULTS, options);
    var stream = null;
    var timer = null;
    var stopped = false;
    var last = { code: null, at: 0 };
    function stop() {
      stopped = true;
      root.clearTimeout(timer);
      if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
      video.srcObject = null;
    }
    if (!root.navigator.mediaDevices || !root.navigator.mediaDevices.getUserMedia) {
      return Promise.reject(new Error('no camera access in this browser'));
    }
    return root.navigator.mediaDevices.getUserMedia({ video: { facingMode: opts.facingMode }, audio: false })
      .then(function (s) {
        stream = s;
        video.muted = true;
        video.setAttribute('playsinline', '');
        video.srcObject = s;
        return video.play();
      })
      .then(function () { return engine(opts.maxWidth); })
      .then(function (read) {
        function tick() {
          if (stopped) return;
          read(video).then(function (code) {
            var now = Date.now();
            if (code && (code !== last.code || now - last.at > opts.repeatAfter)) {
              last = { code: code, at: now };
              dispatch(opts.target, code, 'camera');
            }
          }, function () { /* a frame that cannot be read: try the next */ }).then(function () {
            if (!stopped) timer = root.setTimeout(tick, opts.interval);
          });
        }
        tick();
        return { stop: stop, engine: read.engine };
      }, function (err) { stop(); throw err; });
  }

  root.Scanner = {
    listen: function (options) { return new KeyboardScanner(options).start(); },
    charFromEvent: charFromEvent,
    startCamera: startCamera,
    decode: decode,
    decodeImageData: decodeImageData,
    loadJsQR: loadJsQR,
    jsqrUrl: JSQR_URL
  };
})(window);
