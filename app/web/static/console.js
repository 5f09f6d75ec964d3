// Operator console: live queue over Server-Sent Events, a beep for urgent cases,
// canned replies. Pages work without this file; it only makes them live.
(function () {
  "use strict";
  var queue = document.getElementById("queue");
  var messages = document.getElementById("messages");
  var live = document.getElementById("live");
  var soundButton = document.getElementById("sound");
  var audio = null;
  var soundOn = false;
  try { soundOn = localStorage.getItem("hl-sound") === "1"; } catch (e) { /* private mode */ }

  function beep() {
    if (!soundOn) return;
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "suspended") audio.resume();
      [0, 0.25].forEach(function (offset) {
        var osc = audio.createOscillator();
        var gain = audio.createGain();
        osc.type = "sine";
        osc.frequency.value = 880;
        gain.gain.setValueAtTime(0.0001, audio.currentTime + offset);
        gain.gain.exponentialRampToValueAtTime(0.3, audio.currentTime + offset + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + offset + 0.18);
        osc.connect(gain).connect(audio.destination);
        osc.start(audio.currentTime + offset);
        osc.stop(audio.currentTime + offset + 0.2);
      });
    } catch (e) { /* no audio: the red item still shows */ }
  }

  function showSound() {
    if (!soundButton) return;
    soundButton.textContent = soundOn ? soundButton.dataset.on : soundButton.dataset.off;
    soundButton.setAttribute("aria-pressed", soundOn ? "true" : "false");
  }
  if (soundButton) {
    showSound();
    soundButton.addEventListener("click", function () {
      soundOn = !soundOn;
      try { localStorage.setItem("hl-sound", soundOn ? "1" : "0"); } catch (e) { /* ignore */ }
      showSound();
      beep(); // the click is the gesture browsers need before they play sound
    });
  }

  function refresh(el, markFresh) {
    if (!el) return Promise.resolve();
    var before = {};
    el.querySelectorAll("[data-alias]").forEach(function (n) { before[n.dataset.alias] = true; });
    return fetch(el.dataset.src, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) return;
        el.innerHTML = html;
        if (markFresh) {
          el.querySelectorAll("[data-alias]").forEach(function (n) {
            if (!before[n.dataset.alias]) n.classList.add("fresh");
          });
        }
        if (el === messages) {
          var last = el.querySelector(".chat li:last-child");
          if (last) last.scrollIntoView({ block: "nearest" });
        }
      })
      .catch(function () { /* next event retries */ });
  }

  function onEvent(ev) {
    var data = {};
    try { data = JSON.parse(ev.data || "{}"); } catch (e) { /* keep empty */ }
    if (queue) {
      refresh(queue, true).then(function () {
        if (ev.type === "case.waiting" && data.urgent) {
          beep();
          document.title = "(!) " + document.title.replace(/^\(!\) /, "");
        }
      });
    }
    if (messages && data["case"] === messages.dataset.alias) refresh(messages, false);
  }

  if ((queue || messages) && window.EventSource) {
    var source = new EventSource("/console/events");
    ["case.waiting", "case.message", "case.taken", "case.closed", "case.erased", "case.released", "case.note"]
      .forEach(function (name) { source.addEventListener(name, onEvent); });
    source.onopen = function () {
      if (live) { live.textContent = live.dataset.ok; live.className = "live ok"; }
      if (queue) refresh(queue, false);
    };
    source.onerror = function () {
      if (live) { live.textContent = live.dataset.lost; live.className = "live lost"; }
    };
  }

  window.addEventListener("focus", function () { document.title = document.title.replace(/^\(!\) /, ""); });

  var canned = document.getElementById("canned");
  var reply = document.getElementById("reply");
  if (canned && reply) {
    canned.addEventListener("change", function () {
      if (canned.value) { reply.value = canned.value; reply.focus(); }
      canned.value = "";
    });
  }
})();
