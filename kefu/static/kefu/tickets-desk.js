// Ticket pages: the time-limit countdown (every 30 s, from the ISO due moments in the page), the
// standard-reply picker's insertion, and the handling-time beacon of the ticket page.
(function () {
  "use strict";
  var i18n = null;

  function texts() {
    if (i18n) return i18n;
    var el = document.getElementById("countdown-i18n");
    i18n = el ? JSON.parse(el.textContent) : {left: "%(t)s left", overdue: "overdue by %(t)s", paused: "paused",
      d: "%(d)sd %(h)sh", h: "%(h)sh %(m)02dm", m: "%(m)sm"};
    return i18n;
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)(02)?[sd]/g, function (_all, name, pad) {
      var v = String(values[name]);
      return pad && v.length < 2 ? "0" + v : v;
    });
  }

  function span(seconds) {
    var t = texts();
    var minutes = Math.floor(Math.abs(seconds) / 60);
    var days = Math.floor(minutes / 1440), rest = minutes % 1440;
    var hours = Math.floor(rest / 60), mins = rest % 60;
    if (days) return fill(t.d, {d: days, h: hours});
    if (hours) return fill(t.h, {h: hours, m: mins});
    return fill(t.m, {m: mins});
  }

  var CLASSES = ["bg-green-lt", "bg-yellow-lt", "bg-red-lt"];

  function tick(root) {
    var now = Date.now();
    (root || document).querySelectorAll("[data-countdown]").forEach(function (el) {
      if (el.dataset.paused === "1") return;
      var due = Date.parse(el.dataset.due), warn = Date.parse(el.dataset.warn || el.dataset.due);
      if (isNaN(due)) return;
      var left = (due - now) / 1000, t = texts();
      var text = left > 0 ? fill(t.left, {t: span(left)}) : fill(t.overdue, {t: span(left)});
      var css = now >= due ? "bg-red-lt" : (now >= warn || el.dataset.state === "breached" ? "bg-yellow-lt" : "bg-green-lt");
      if (el.dataset.state === "breached") css = "bg-red-lt";
      var label = el.querySelector("[data-countdown-text]") || el;
      label.textContent = text;
      CLASSES.forEach(function (c) { el.classList.remove(c); });
      el.classList.add(css);
    });
  }

  // the standard-reply picker: insert the chosen text at the cursor of the reply box
  document.addEventListener("click", function (e) {
    var btn = e.target.closest("[data-insert-reply]");
    if (!btn) return;
    var box = document.getElementById("reply-body");
    if (!box) return;
    var text = btn.dataset.text || "";
    var start = box.selectionStart || box.value.length, end = box.selectionEnd || box.value.length;
    var before = box.value.slice(0, start), after = box.value.slice(end);
    var sep = before && !/\s$/.test(before) ? "\n" : "";
    box.value = before + sep + text + after;
    box.focus();
    var pos = (before + sep + text).length;
    box.setSelectionRange(pos, pos);
  });
  document.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && e.target.matches && e.target.matches("[data-reply-search]")) e.preventDefault();
  });

  // handling time (AHT): the owner's visible time on the ticket page, sent when leaving it
  var visibleSince = null, counted = 0;
  function tracker() { return document.querySelector("[data-track-handling]"); }
  function flush() {
    var el = tracker();
    if (!el) return;
    if (visibleSince !== null) { counted += (Date.now() - visibleSince) / 1000; visibleSince = null; }
    var seconds = Math.round(counted);
    if (seconds < 10 || !navigator.sendBeacon) return;
    var data = new FormData();
    data.append("csrfmiddlewaretoken", el.dataset.csrf);
    data.append("beacon", "1");
    data.append("seconds", String(Math.min(seconds, 4 * 3600)));
    if (navigator.sendBeacon(el.dataset.trackHandling, data)) counted = 0;
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flush();
    else if (tracker()) visibleSince = Date.now();
  });
  window.addEventListener("pagehide", flush);

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 30000);
    if (tracker() && document.visibilityState === "visible") visibleSince = Date.now();
  });
  document.addEventListener("htmx:afterSwap", function () { tick(); });
})();
