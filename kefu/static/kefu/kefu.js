// One place for page behaviour: form controls styled as Tabler inputs, also after HTMX swaps.
(function () {
  function styleControls(root) {
    root.querySelectorAll("input:not([type=checkbox]):not([type=radio]):not([type=hidden]):not(.form-control), textarea:not(.form-control)")
      .forEach(function (el) { el.classList.add("form-control"); });
    root.querySelectorAll("select:not(.form-select)").forEach(function (el) { el.classList.add("form-select"); });
    root.querySelectorAll(".invalid-feedback[data-field]").forEach(function (fb) {
      var input = fb.parentElement.querySelector("[name='" + fb.dataset.field + "']");
      if (input) input.classList.add("is-invalid");
    });
  }
  document.addEventListener("DOMContentLoaded", function () { styleControls(document); });
  document.addEventListener("htmx:afterSwap", function (e) { styleControls(e.target); });
})();
