/* Small enhancements of the server-rendered pages; everything works without.
   - [data-confirm] forms ask before submitting (submit, approve, apply).
   - [data-autosubmit] forms (radar overlays) update the page in place when a
     checkbox changes: the page is fetched again with the new query and its
     [data-autosubmit-part] elements replace ours, so the focus stays on the
     checkbox; without script, the form's button reloads the page.
   - [data-dirty-check] forms warn before leaving with unsaved answers, and
     keep the pillar's "answered" counters in step with the radio buttons
     (from the start too: a page sent back with errors shows what is ticked).
   - In the editor: the error summary moves the focus to the first wrong
     field; a justification counts its characters against its maxlength; a
     knock-out criterion shows the evidence cap as soon as the level or the
     evidence changes ([data-cap-note], caps from the options' data-cap).
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
    var button = form.querySelector("[data-autosubmit-button]");
    var status = form.querySelector("[data-autosubmit-status]");
    if (!window.fetch || !window.DOMParser) {
      form.addEventListener("change", function () { form.submit(); });
      return;
    }
    if (button) { button.hidden = true; }

    function update() {
      var query = new URLSearchParams(new FormData(form)).toString();
      var url = window.location.pathname + (query ? "?" + query : "");
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.text();
        })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html");
          document.querySelectorAll("[data-autosubmit-part]").forEach(function (part) {
            var replacement = fresh.getElementById(part.id);
            if (replacement) { part.replaceWith(document.importNode(replacement, true)); }
          });
          window.history.replaceState(null, "", url + window.location.hash);
          if (status) {
            status.textContent = "";
            status.textContent = status.getAttribute("data-done");
          }
        })
        .catch(function () { form.submit(); });
    }

    form.addEventListener("change", update);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      update();
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

  function focusLinkTarget(link) {
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (target) {
      target.focus();
      target.scrollIntoView({ block: "center" });
    }
    return target;
  }

  document.querySelectorAll("[data-error-summary]").forEach(function (summary, index) {
    var links = summary.querySelectorAll("a[href^='#']");
    links.forEach(function (link) {
      link.addEventListener("click", function (event) {
        if (focusLinkTarget(link)) { event.preventDefault(); }
      });
    });
    if (index === 0 && links.length && !focusTarget) {
      focusLinkTarget(links[0]);
    }
  });

  var language = document.documentElement.lang || undefined;
  document.querySelectorAll("[data-char-count]").forEach(function (counter) {
    var field = document.getElementById(counter.getAttribute("data-char-count"));
    var template = counter.getAttribute("data-template");
    var max = field && Number(field.getAttribute("maxlength"));
    if (!field || !max) { return; }
    var describedBy = (field.getAttribute("aria-describedby") || "").split(" ");
    if (describedBy.indexOf(counter.id) < 0) {
      field.setAttribute("aria-describedby", describedBy.concat(counter.id).join(" ").trim());
    }
    function count() {
      counter.textContent = template
        .replace("{count}", field.value.length.toLocaleString(language))
        .replace("{max}", max.toLocaleString(language));
      counter.classList.toggle("char-count--full", field.value.length >= max);
    }
    field.addEventListener("input", count);
    count();
  });

  document.querySelectorAll("[data-criterion]").forEach(function (group) {
    var note = group.querySelector("[data-cap-note]");
    var select = group.querySelector("select[name$='-evidence']");
    if (!note || !select) { return; }
    var stored = group.querySelector("[data-cap-stored]");
    function show() {
      var checked = group.querySelector("input[type=radio][name$='-answer']:checked");
      var option = select.options[select.selectedIndex];
      var cap = option && option.getAttribute("data-cap");
      var level = checked ? parseInt(checked.value, 10) : NaN;
      var capped = cap !== null && cap !== undefined && !isNaN(level) && level > Number(cap);
      note.hidden = !capped;
      note.textContent = capped
        ? note.getAttribute("data-template").replace("{claimed}", level).replace("{effective}", cap)
        : "";
    }
    group.addEventListener("change", function () {
      if (stored) { stored.hidden = true; }
      show();
    });
    show();
    if (stored && !note.hidden) { stored.hidden = true; }
  });

  var bar = document.querySelector(".sticky-actions");
  if (bar) {
    var measure = function () {
      document.documentElement.style.setProperty("--sticky-bar", bar.offsetHeight + "px");
    };
    measure();
    window.addEventListener("resize", measure);
    // Browsers scroll a field reached by Tab just into view, under the bar:
    // move the page up by what the bar covers (scroll-padding is the fallback).
    document.addEventListener("focusin", function (event) {
      var field = event.target;
      if (!field.closest || !field.closest(".answer-form") || bar.contains(field)) {
        return;
      }
      var covered = field.getBoundingClientRect().bottom - bar.getBoundingClientRect().top;
      if (covered > 0) {
        window.scrollBy(0, covered + 8);
      }
    });
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

    refresh();
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
