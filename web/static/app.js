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
    if (elt.querySelector(".row-form") || typing || bulkInUse()) event.preventDefault();
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

  // The bulk status change: the boxes of the table's rows belong to the form #bulk. "Every item
  // on this page" and "all that match" tick the rows; the status list enables only the
  // statuses that fit the kind of every item chosen, and says so when their kinds share none.
  // (Without JavaScript the form posts the same fields, and the server checks every kind.)
  var bulkClosed = false;

  function bulkForm() {
    return document.getElementById("bulk");
  }

  function rowBoxes() {
    return Array.prototype.slice.call(document.querySelectorAll('input[name="item"][form="bulk"]'));
  }

  function bulkInUse() {
    var form = bulkForm();
    if (!form) return false;
    var note = form.querySelector("#bulk-note");
    return rowBoxes().some(function (box) { return box.checked; }) ||
      form.querySelector("input[type=checkbox]:checked") !== null ||
      (note !== null && note.value.trim() !== "") || form.querySelector("[aria-invalid]") !== null;
  }

  function kindsChosen(form) {
    var kinds = [];
    function add(list) {
      (list || "").split(" ").forEach(function (kind) {
        if (kind && kinds.indexOf(kind) < 0) kinds.push(kind);
      });
    }
    var matching = form.querySelector("#bulk-matching");
    if (matching && matching.checked) {
      add(matching.getAttribute("data-kinds"));
    } else {
      rowBoxes().forEach(function (box) { if (box.checked) add(box.getAttribute("data-kind")); });
    }
    return kinds;
  }

  function words(list) {
    if (list.length < 2) return list.join("");
    return list.slice(0, -1).join(", ") + " and " + list[list.length - 1];
  }

  function updateBulk() {
    var form = bulkForm();
    if (!form) return;
    var boxes = rowBoxes();
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    var page = form.querySelector("#bulk-page");
    var matching = form.querySelector("#bulk-matching");
    if (page) {
      page.checked = boxes.length > 0 && ticked === boxes.length;
      page.indeterminate = ticked > 0 && ticked < boxes.length;
    }
    var count = form.querySelector("[data-bulk-count]");
    if (count) {
      if (matching && matching.checked) count.textContent = matching.labels[0].textContent + ".";
      else if (ticked) count.textContent = ticked + (ticked === 1 ? " item" : " items") + " chosen.";
      else count.textContent = "Tick items in the table, or choose below.";
    }
    var select = form.querySelector("#bulk-status");
    var hint = form.querySelector("[data-bulk-hint]");
    if (!select) return;
    if (hint && !hint.hasAttribute("data-default")) hint.setAttribute("data-default", hint.textContent);
    var names = {};
    var order = [];
    select.querySelectorAll("optgroup").forEach(function (group) {
      order.push(group.getAttribute("data-kind"));
      names[group.getAttribute("data-kind")] = group.label.toLowerCase();
    });
    // In the vocabulary's order (a kind it does not know, last).
    var kinds = kindsChosen(form).sort(function (a, b) {
      var i = order.indexOf(a), j = order.indexOf(b);
      return (i < 0 ? order.length : i) - (j < 0 ? order.length : j);
    });
    var fitting = 0;
    select.querySelectorAll("optgroup").forEach(function (group) {
      var kind = group.getAttribute("data-kind");
      var chosen = kinds.length === 0 || kinds.indexOf(kind) >= 0;
      group.querySelectorAll("option").forEach(function (option) {
        var owners = (option.getAttribute("data-kinds") || "").split(" ");
        var fits = chosen && kinds.every(function (k) { return owners.indexOf(k) >= 0; });
        option.disabled = !fits;
        if (fits) fitting += 1;
      });
    });
    var selected = select.options[select.selectedIndex];
    if (selected && selected.disabled) select.value = "";
    var placeholder = select.querySelector("[data-placeholder]");
    var plural = words(kinds.map(function (k) { return names[k] || k; }));
    var none = kinds.length > 0 && fitting === 0;
    if (placeholder) placeholder.textContent = none ? "No status fits every item chosen" : "Choose a status";
    if (!hint) return;
    if (kinds.length === 0) hint.textContent = hint.getAttribute("data-default");
    else if (none) hint.textContent = "The items chosen are " + plural + ", whose statuses differ: choose items of one kind.";
    else if (kinds.length === 1) hint.textContent = "Statuses of " + plural + ".";
    else hint.textContent = "Only the statuses that " + plural + " share.";
  }

  function openBulk() {
    var details = document.querySelector("details[data-bulk]");
    if (!details || details.open || bulkClosed) return;
    if (bulkInUse() || window.matchMedia("(min-width: 48.0625rem)").matches) details.open = true;
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    var form = bulkForm();
    if (!form || !target.matches) return;
    var matching = form.querySelector("#bulk-matching");
    if (target.id === "bulk-page" || target.id === "bulk-matching") {
      rowBoxes().forEach(function (box) { box.checked = target.checked; });
      if (matching && target.id === "bulk-page" && !target.checked) matching.checked = false;
    } else if (target.matches('input[name="item"][form="bulk"]')) {
      if (matching && !target.checked) matching.checked = false;
      openBulk();
    } else {
      return;
    }
    updateBulk();
  });

  document.addEventListener("toggle", function (event) {
    if (event.target.matches && event.target.matches("details[data-bulk]") && !event.target.open) {
      bulkClosed = true;
    }
  }, true);

  function readyBulk() {
    updateBulk();
    openBulk();
  }

  document.addEventListener("htmx:afterSettle", readyBulk);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", readyBulk);
  else readyBulk();

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
