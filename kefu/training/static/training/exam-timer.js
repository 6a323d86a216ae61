// The exam's countdown (R-TRN-1): shows the time left from the server's deadline and submits the answers by
// itself when it reaches zero. The server enforces the limit (with a small grace) whatever this script does.
document.addEventListener("DOMContentLoaded", function () {
  var timer = document.getElementById("exam-timer");
  var form = document.getElementById("exam-form");
  if (!timer || !form) { return; }
  // the server's remaining seconds, counted down on this machine's clock (its clock may be off)
  var end = Date.now() + parseInt(timer.dataset.remaining, 10) * 1000;
  var sent = false;
  form.addEventListener("submit", function () { sent = true; });
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function tick() {
    var left = Math.max(0, Math.round((end - Date.now()) / 1000));
    var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
    timer.textContent = (h ? h + ":" + pad(m) : m) + ":" + pad(s);
    timer.classList.toggle("text-red", left <= 60);
    if (left === 0 && !sent) { sent = true; form.submit(); return; }
    if (left > 0) { window.setTimeout(tick, 250); }
  }
  tick();
});
