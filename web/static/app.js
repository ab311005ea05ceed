// The dashboard's small behaviours that htmx attributes do not cover: the CSRF header on unsafe
// requests, the conditional table refresh (If-None-Match), not refreshing under an editor's
// hands, tidy shareable filter URLs, and announcing what changed to screen readers.
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : null;
  }

  function announce(text) {
    var region = document.getElementById("announce");
    if (!region || !text) return;
    region.textContent = "";
    // A fresh text node after a tick, so that the same message twice is read twice.
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  document.addEventListener("htmx:configRequest", function (event) {
    var detail = event.detail;
    if (detail.verb !== "get") {
      var token = csrfToken();
      if (token) detail.headers["X-CSRF-Token"] = token;
      return;
    }
    var etag = detail.elt.getAttribute("data-etag");
    if (etag) detail.headers["If-None-Match"] = etag;
    if (detail.elt.tagName === "FORM") {
      // Leave empty fields out of the URL: /?kind=commitment, not /?kind=commitment&status=&q=
      var empty = [];
      detail.formData.forEach(function (value, name) {
        if (value === "") empty.push(name);
      });
      empty.forEach(function (name) { delete detail.parameters[name]; });
    }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (!elt.hasAttribute("data-refresh")) return;
    // The periodic refresh waits while an editor has a row open or is in a field of the table.
    var active = document.activeElement;
    var typing = active && elt.contains(active) && /^(INPUT|SELECT|TEXTAREA)$/.test(active.tagName);
    if (elt.querySelector("form") || typing) event.preventDefault();
  });

  document.addEventListener("htmx:beforeSend", function (event) {
    var target = event.detail.target;
    if (target) target.setAttribute("aria-busy", "true");
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var target = event.detail.target;
    if (target) target.removeAttribute("aria-busy");
  });

  document.addEventListener("htmx:afterSettle", function () {
    var marked = document.querySelectorAll("[data-announce]");
    marked.forEach(function (elt) {
      announce(elt.getAttribute("data-announce"));
      elt.removeAttribute("data-announce");
    });
  });

  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var message = "The request failed (" + xhr.status + "). Reload the page and try again.";
    var doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
    var detail = doc.querySelector("[data-error-detail]");
    if (detail) message = detail.getAttribute("data-error-detail");
    announce(message);
    var notice = document.getElementById("request-error");
    if (!notice) {
      notice = document.createElement("p");
      notice.id = "request-error";
      notice.className = "notice notice--error";
      notice.setAttribute("role", "alert");
      var main = document.getElementById("main");
      main.insertBefore(notice, main.firstChild);
    }
    notice.textContent = message;
  });

  // Escape in a table row's status form cancels it, as its Cancel link does.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || !event.target.closest) return;
    var form = event.target.closest(".row-form");
    var cancel = form && form.querySelector("[data-cancel]");
    if (!cancel) return;
    event.preventDefault();
    // The row comes back by the Cancel link's own request, sent here rather than by clicking
    // it: a form swapped in a moment ago may not have had its link taken over by htmx yet, and
    // a click would then leave the page for the item's.
    var url = cancel.getAttribute("hx-get");
    if (window.htmx && url) {
      htmx.ajax("GET", url, { source: cancel, target: form.closest("tr"), swap: "outerHTML" });
    } else {
      cancel.click();
    }
  });

  document.addEventListener("htmx:sendError", function () {
    announce("The tracker could not be reached. Check the connection and try again.");
  });
  // On a source's page, selecting words of the archived text fills the "Track a passage" form
  // with them and with where they start (in code points, as the server counts).
  document.addEventListener("selectionchange", function () {
    var text = document.querySelector("[data-source-text]");
    var field = document.querySelector("[data-track-quote]");
    var selection = window.getSelection();
    if (!text || !field || !selection || selection.rangeCount === 0 || selection.isCollapsed) return;
    var range = selection.getRangeAt(0);
    if (!text.contains(range.startContainer) || !text.contains(range.endContainer)) return;
    var before = document.createRange();
    before.setStart(text, 0);
    before.setEnd(range.startContainer, range.startOffset);
    field.value = range.toString();
    var form = field.form;
    var start = form.querySelector('input[name="quote_start"]');
    if (!start) {
      start = document.createElement("input");
      start.type = "hidden";
      start.name = "quote_start";
      form.appendChild(start);
    }
    start.value = String(Array.from(before.toString()).length);
  });

  // A form that cannot be undone (deleting a draft) asks first; without JavaScript it posts.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches && form.matches("form[data-confirm]") &&
        !window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  // The reply form's "Select their words in the source" follows the source chosen in the form.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches('select[name="source"]') || !select.form) return;
    var link = select.form.querySelector("[data-reply-select]");
    if (!link) return;
    var url = new URL(link.href, window.location.href);
    url.pathname = "/sources/" + encodeURIComponent(select.value || link.getAttribute("data-reply-select"));
    link.href = url.pathname + url.search;
  });

  // Typing in the passage field drops the offset a selection gave: the server finds the words.
  document.addEventListener("input", function (event) {
    if (!event.target.matches || !event.target.matches("[data-track-quote]")) return;
    var start = event.target.form.querySelector('input[name="quote_start"]');
    if (start) start.remove();
  });
})();
