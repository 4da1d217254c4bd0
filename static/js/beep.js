/* 慈善超市 — short sounds for the till, made with the Web Audio API (no sound files).
 *   Beep.play('scan' | 'ok' | 'error')  -> seconds the sound lasts (0 where there is no audio)
 *   Beep.render(kind, sampleRate)        -> Promise of the samples (OfflineAudioContext), for checks
 * An error is two falling tones, long enough to be heard in a busy shop and unlike the short
 * high "scan" blip. Browsers start audio only after a touch or key press; the till has both.
 */
(function (root) {
  'use strict';

  // [frequency in Hz (0 = silence), duration in seconds]
  var PATTERNS = {
    scan: [[1800, 0.06]],
    ok: [[880, 0.08], [0, 0.04], [1320, 0.1]],
    error: [[440, 0.18], [0, 0.06], [330, 0.3]]
  };
  var VOLUME = 0.3;
  var context = null;

  function audioContext() {
    var AC = root.AudioContext || root.webkitAudioContext;
    if (!AC) return null;
    if (!context) context = new AC();
    if (context.state === 'suspended' && context.resume) context.resume();
    return context;
  }

  function schedule(ac, pattern, start) {
    var t = start;
    pattern.forEach(function (step) {
      var freq = step[0];
      var length = step[1];
      if (freq) {
        var osc = ac.createOscillator();
        var gain = ac.createGain();
        osc.type = 'sine';
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0, t);
        gain.gain.linearRampToValueAtTime(VOLUME, t + 0.005);  // no click at the start
        gain.gain.setValueAtTime(VOLUME, t + length - 0.01);
        gain.gain.linearRampToValueAtTime(0, t + length);
        osc.connect(gain);
        gain.connect(ac.destination);
        osc.start(t);
        osc.stop(t + length);
      }
      t += length;
    });
    return t - start;
  }

  function duration(kind) {
    return (PATTERNS[kind] || PATTERNS.ok).reduce(function (sum, step) { return sum + step[1]; }, 0);
  }

  function play(kind) {
    var ac = audioContext();
    if (!ac) return 0;
    return schedule(ac, PATTERNS[kind] || PATTERNS.ok, ac.currentTime + 0.01);
  }

  function render(kind, sampleRate) {
    var rate = sampleRate || 22050;
    var OAC = root.OfflineAudioContext || root.webkitOfflineAudioContext;
    var offline = new OAC(1, Math.ceil((duration(kind) + 0.02) * rate), rate);
    schedule(offline, PATTERNS[kind] || PATTERNS.ok, 0.01);
    return offline.startRendering().then(function (buffer) { return buffer.getChannelData(0); });
  }

  root.Beep = { play: play, render: render, patterns: PATTERNS, duration: duration };
})(window);
