// coursegen's small progressive enhancements. Everything works without this file: answers are
// <details>, the sidebar is a plain list. With it: a menu button on phones and a theme toggle.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  var menu = document.querySelector(".menu-button");
  var sidebar = document.getElementById("sidebar");
  if (menu && sidebar) {
    menu.hidden = false;
    menu.addEventListener("click", function () {
      var open = sidebar.classList.toggle("open");
      menu.setAttribute("aria-expanded", String(open));
    });
  }

  var toggle = document.querySelector(".theme-toggle");
  if (toggle) {
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      var root = document.documentElement;
      var current = root.dataset.theme;
      if (current === "auto") {
        current = window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
      }
      var next = current === "dark" ? "light" : "dark";
      root.dataset.theme = next;
      try { localStorage.setItem("coursegen-theme", next); } catch (e) { /* private mode */ }
    });
  }
})();
