// Injected by `coursegen serve` only (never in `build` output): reloads the page after a
// rebuild, and shows a build error over the last good page until the file is fixed.
(function () {
  "use strict";
  var overlay = null;
  function show(text) {
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = "coursegen-error-overlay";
      overlay.setAttribute("role", "alert");
      overlay.style.cssText = "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:99999;" +
        "background:#2b0d0d;color:#ffe9e9;border-top:4px solid #ff6b6b;padding:1rem 1.25rem;" +
        "font:13px/1.45 ui-monospace,'DejaVu Sans Mono',monospace;white-space:pre-wrap;";
      document.body.appendChild(overlay);
    }
    overlay.textContent = "coursegen: the last edit does not build; this is the last good version.\n\n" + text;
  }
  function status() {
    fetch("/__coursegen/status").then(function (r) { return r.text(); }).then(function (text) {
      if (text) { show(text); } else if (overlay) { overlay.remove(); overlay = null; }
    });
  }
  var events = new EventSource("/__coursegen/events");
  events.addEventListener("reload", function () { location.reload(); });
  events.addEventListener("error", function (e) { if (e.data !== undefined) status(); });
  status();
})();
