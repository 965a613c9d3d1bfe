// Rentdesk's own script. It is loaded with `defer` right after htmx.min.js:
//
//   <script src="…/htmx.min.js" defer></script>
//   <script src="…/app.js" defer></script>
//
// Deferred scripts run in order before DOMContentLoaded, which is when htmx
// reads its config, so the settings below are in place before htmx starts.
//
// The Content-Security-Policy allows only `script-src 'self'` and
// `style-src 'self'`: no inline script, no inline <style>, no eval. Everything
// here is therefore driven by data attributes, never by inline handlers:
//
//   data-confirm="Question?"   on a form, button or link: ask before going on
//   data-autofocus             focus this field when the page or fragment loads
//   data-dismiss[="selector"]  on a button: remove the closest .flash (or selector)
//   data-nav-toggle            on the menu button (with aria-controls="<nav id>"):
//                              toggles aria-expanded and .is-open on the nav
//   data-flash-region          the container where client-side notices go
//                              (e.g. "the server could not be reached")
//   data-print                 on a button: open the browser's print dialog
//   data-sending               set on a plain POST form once it is sent (with
//                              aria-busy): a second submit is dropped
//   data-scan="<url>"          on a form with a `tag` field (a barcode scanner
//                              types a tag and Enter): each Enter posts the tag
//                              to <url> in the background, one scan after the
//                              other, and the answer goes into #scan-log
//   table.table                each body cell gets data-label (its column's
//                              header) for the stacked phone layout
//   data-print                 on a button: open the browser's print dialog
//                              (invoices print with their own stylesheet)
//
// The CSRF token is read from <meta name="csrf-token" content="…"> and sent as
// the X-CSRF-Token header on every htmx request.
(function () {
  "use strict";

  var doc = document;

  // Lets app.css hide the phone menu behind its toggle only when the toggle works.
  doc.documentElement.classList.add("js");

  function configureHtmx(htmx) {
    var c = htmx.config;
    // htmx would otherwise inject an inline <style> for .htmx-indicator, which
    // the CSP blocks (and the browser tests count as a violation); app.css has them.
    c.includeIndicatorStyles = false;
    // Both need 'unsafe-eval' or inline script, which the CSP forbids: hx-on,
    // "js:" values and trigger filters stay unused, and <script> in responses is inert.
    c.allowEval = false;
    c.allowScriptTags = false;
    // Pages can hold customers' personal data and are sent with no-store; htmx's
    // history cache would copy them into localStorage, where they outlive logout.
    c.historyCacheSize = 0;
    c.refreshOnHistoryMiss = true;
    c.selfRequestsOnly = true;
    // First match wins. 422 (validation: the form with messages and the user's
    // input) and 409 (conflict, e.g. the dates were just taken) are expected
    // answers rendered by the server, so they swap and are not errors. Other
    // 4xx/5xx also swap, because the server renders a readable error fragment,
    // but they fire htmx:responseError.
    c.responseHandling = [
      { code: "204", swap: false },
      { code: "2..", swap: true },
      { code: "409", swap: true, error: false },
      { code: "422", swap: true, error: false },
      { code: "[45]..", swap: true, error: true }
    ];
  }

  function csrfToken() {
    var meta = doc.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") || "" : "";
  }

  // closestFrom finds the element matching selector at or above an event target.
  function closestFrom(target, selector) {
    return target instanceof Element ? target.closest(selector) : null;
  }

  // ask shows the data-confirm question of el; true means go on.
  function ask(el) {
    var question = el.getAttribute("data-confirm") || "Are you sure?";
    return window.confirm(question);
  }

  function stop(evt) {
    evt.preventDefault();
    evt.stopImmediatePropagation();
  }

  // Both listeners run in the capture phase on the document, before htmx's own
  // listeners on the element, so a "Cancel" stops plain and htmx submits alike.
  doc.addEventListener("click", function (evt) {
    var el = closestFrom(evt.target, "a[data-confirm], button[data-confirm], input[type=submit][data-confirm]");
    if (el && !el.disabled && !ask(el)) {
      stop(evt);
    }
  }, true);

  doc.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) {
      return;
    }
    // A submit button with its own question has already asked on click.
    if (evt.submitter && evt.submitter.hasAttribute("data-confirm")) {
      return;
    }
    if (!ask(form)) {
      stop(evt);
    }
  }, true);

  // A plain form is sent once. A second click or Enter while the first
  // answer is on its way would send the same request again: a second refund,
  // a second payment, a second booking. The first submit that goes ahead
  // marks the form busy and later ones are dropped until the next page
  // replaces it; the answer (a redirect, or the form again with its messages)
  // is a new page, so a corrected form can be sent. Listening in the bubble
  // phase, after a cancelled data-confirm and after htmx took its own forms
  // (htmx drops a request while one from the same form is in flight). GET
  // forms (search, filters, downloads) may be sent again at any time.
  doc.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (evt.defaultPrevented || !(form instanceof HTMLFormElement) || form.hasAttribute("data-scan") ||
        (form.getAttribute("method") || "").toLowerCase() !== "post" || form.getAttribute("target")) {
      return;
    }
    if (form.hasAttribute("data-sending")) {
      evt.preventDefault();
      return;
    }
    form.setAttribute("data-sending", "");
    form.setAttribute("aria-busy", "true");
  });

  // A page shown again by the back button comes from the browser's cache
  // with its forms as they were when it was left: sendable again.
  window.addEventListener("pageshow", function (evt) {
    if (!evt.persisted) {
      return;
    }
    Array.prototype.forEach.call(doc.querySelectorAll("form[data-sending]"), function (form) {
      form.removeAttribute("data-sending");
      form.removeAttribute("aria-busy");
    });
  });

  // Print buttons (hand-over sheets).
  doc.addEventListener("click", function (evt) {
    if (closestFrom(evt.target, "[data-print]")) {
      window.print();
    }
  });

  // Dismissible notices.
  doc.addEventListener("click", function (evt) {
    var btn = closestFrom(evt.target, "[data-dismiss]");
    if (!btn) {
      return;
    }
    var box = btn.closest(btn.getAttribute("data-dismiss") || ".flash");
    if (box) {
      evt.preventDefault();
      box.remove();
    }
  });

  // Print buttons (an inline onclick would break the CSP).
  doc.addEventListener("click", function (evt) {
    if (closestFrom(evt.target, "[data-print]")) {
      evt.preventDefault();
      window.print();
    }
  });

  // Phone navigation.
  function setNav(btn, open) {
    btn.setAttribute("aria-expanded", open ? "true" : "false");
    var id = btn.getAttribute("aria-controls");
    var nav = id ? doc.getElementById(id) : null;
    if (nav) {
      nav.classList.toggle("is-open", open);
    }
  }

  doc.addEventListener("click", function (evt) {
    var btn = closestFrom(evt.target, "[data-nav-toggle]");
    if (btn) {
      setNav(btn, btn.getAttribute("aria-expanded") !== "true");
    }
  });

  doc.addEventListener("keydown", function (evt) {
    if (evt.key !== "Escape") {
      return;
    }
    var btn = doc.querySelector('[data-nav-toggle][aria-expanded="true"]');
    if (btn) {
      setNav(btn, false);
      btn.focus();
    }
  });

  // Focus: a page or fragment can name the field to start in, and after a
  // rejected submit the first invalid field gets focus so the message beside it
  // is read out. Only after a submit: a field validated on change must not pull
  // the cursor back while the user is typing in the next one.
  function focusIn(root, selector) {
    var el = root && root.querySelector ? root.querySelector(selector) : null;
    if (el && typeof el.focus === "function") {
      el.focus();
      return true;
    }
    return false;
  }

  function focusOnLoad(root) {
    if (!focusIn(root, '[aria-invalid="true"]')) {
      focusIn(root, "[data-autofocus]");
    }
  }

  // Stacked tables: on phones each row is a card and each cell shows its
  // column's name (app.css reads data-label). Cells that carry their own
  // label keep it.
  function labelTables(root) {
    if (!root || !root.querySelectorAll) {
      return;
    }
    var tables = root.matches && root.matches("table.table") ? [root] : root.querySelectorAll("table.table");
    Array.prototype.forEach.call(tables, function (table) {
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (tr) {
        Array.prototype.forEach.call(tr.children, function (cell, i) {
          if (heads[i] && !cell.hasAttribute("data-label")) {
            cell.setAttribute("data-label", heads[i]);
          }
        });
      });
    });
  }

  // Client-side notices, for failures where the server could not answer.
  function showFlash(kind, text) {
    var region = doc.querySelector("[data-flash-region]") || doc.querySelector("main");
    if (!region) {
      return;
    }
    var box = doc.createElement("div");
    box.className = "flash flash-" + kind;
    box.setAttribute("role", kind === "error" ? "alert" : "status");
    var p = doc.createElement("p");
    p.textContent = text;
    var close = doc.createElement("button");
    close.type = "button";
    close.className = "flash-dismiss";
    close.setAttribute("data-dismiss", "");
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "\u00d7";
    box.appendChild(p);
    box.appendChild(close);
    region.insertBefore(box, region.firstChild);
  }

  // Scan in place. The field is emptied the moment Enter is pressed, before
  // the server answers, so the next tag a fast scanner types lands in an empty
  // field and is never glued to (or wiped with) the previous one; the scans
  // are sent one after the other, in the order they were made, and focus
  // never leaves the field.
  function scanInPlace(htmx) {
    var queue = Promise.resolve();
    doc.addEventListener("submit", function (evt) {
      var form = evt.target;
      if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-scan")) {
        return;
      }
      evt.preventDefault();
      var input = form.querySelector('input[name="tag"]');
      if (!input) {
        return;
      }
      var tag = input.value.trim();
      input.value = "";
      input.focus();
      if (!tag) {
        return;
      }
      var url = form.getAttribute("data-scan");
      queue = queue.then(function () {
        return htmx.ajax("POST", url, { source: form, values: { tag: tag }, target: "#scan-log", swap: "afterbegin" });
      }).catch(function () {
        // htmx:sendError already told the user; the next scans still go.
      });
    });
  }

  function onHtmx(htmx) {
    configureHtmx(htmx);
    scanInPlace(htmx);

    doc.addEventListener("htmx:configRequest", function (evt) {
      var token = csrfToken();
      if (token) {
        evt.detail.headers["X-CSRF-Token"] = token;
      }
    });

    // htmx:load fires on <body> at start-up and on each piece of swapped-in content.
    doc.addEventListener("htmx:load", function (evt) {
      labelTables(evt.target === doc.body ? doc : evt.target);
      if (evt.target === doc.body) {
        focusOnLoad(doc);
      } else {
        focusIn(evt.target, "[data-autofocus]");
      }
    });

    doc.addEventListener("htmx:afterSettle", function (evt) {
      var cfg = evt.detail && evt.detail.requestConfig;
      var trigger = cfg && cfg.triggeringEvent;
      if (trigger && trigger.type === "submit") {
        var root = evt.detail.target && evt.detail.target.isConnected ? evt.detail.target : doc;
        focusIn(root, '[aria-invalid="true"]');
      }
    });

    doc.addEventListener("htmx:sendError", function () {
      showFlash("error", "The server could not be reached. Check your connection and try again.");
    });
    doc.addEventListener("htmx:timeout", function () {
      showFlash("error", "The server took too long to answer. Please try again.");
    });
    // An error with an empty body (a proxy's bare 502) would blank the target:
    // keep what the user sees and show a notice instead (below).
    doc.addEventListener("htmx:beforeSwap", function (evt) {
      var d = evt.detail;
      if (d.isError && !d.serverResponse) {
        d.shouldSwap = false;
      }
    });
    doc.addEventListener("htmx:responseError", function (evt) {
      var xhr = evt.detail && evt.detail.xhr;
      // The server renders its own message; this covers a bare answer from a proxy.
      if (xhr && !xhr.responseText) {
        showFlash("error", "Something went wrong (HTTP " + xhr.status + "). Please try again.");
      }
    });
  }

  if (window.htmx) {
    onHtmx(window.htmx);
  } else {
    // Without htmx the pages still work as plain HTML; keep the focus helpers.
    doc.addEventListener("DOMContentLoaded", function () {
      labelTables(doc);
      focusOnLoad(doc);
    });
  }
})();
