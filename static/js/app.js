/* Small enhancements of the server-rendered pages; everything works without.
   - [data-confirm] forms ask before submitting (submit, approve, apply).
   - [data-autosubmit] forms submit when a checkbox changes (radar overlays).
   - [data-dirty-check] forms warn before leaving with unsaved answers, and
     keep the pillar's "answered" counters in step with the radio buttons.
   - [data-print] buttons print the page; [data-autofocus] gets the focus.
   Loaded with `defer` from a static file: the CSP forbids inline scripts. */
(function () {
  "use strict";

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });

  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.addEventListener("change", function () {
      form.requestSubmit ? form.requestSubmit() : form.submit();
    });
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  var focusTarget = document.querySelector("[data-autofocus]");
  if (focusTarget) {
    focusTarget.focus();
  }

  document.querySelectorAll("form[data-dirty-check]").forEach(function (form) {
    var dirty = false;
    var groups = form.querySelectorAll("[data-criterion]");
    var counters = document.querySelectorAll("[data-progress]");
    var tab = document.querySelector("[data-tab-progress]");

    function answered() {
      var count = 0;
      groups.forEach(function (group) {
        var checked = group.querySelector("input[type=radio]:checked");
        if (checked && checked.value !== "unknown") {
          count += 1;
        }
      });
      return count;
    }

    function refresh() {
      var count = answered();
      counters.forEach(function (counter) { counter.textContent = String(count); });
      if (tab) {
        tab.firstChild.textContent = count + "/" + groups.length;
      }
    }

    form.addEventListener("change", function () { dirty = true; refresh(); });
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  });
})();
