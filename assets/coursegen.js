// coursegen's progressive enhancements. Everything works without this file: answers and cards
// are <details>, the sidebar is a plain list. With it: flip cards, show/hide all, print cards,
// a menu button on phones, a theme toggle, and answers opened for printing.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  // Flashcards: each <details> card becomes a real button that reveals its answer.
  document.querySelectorAll("[data-flashcards]").forEach(function (deck) {
    var toggles = [];
    deck.querySelectorAll("li.flashcard").forEach(function (card) {
      var details = card.querySelector("details.card");
      if (!details) return;
      var summary = details.querySelector("summary");
      var answer = details.querySelector(".card-answer");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "card-toggle";
      button.setAttribute("aria-expanded", "false");
      answer.id = card.id + "-answer";
      button.setAttribute("aria-controls", answer.id);
      var question = document.createElement("span");
      question.className = "card-question";
      while (summary.firstChild) question.appendChild(summary.firstChild);
      button.appendChild(question);
      answer.hidden = true;
      details.replaceWith(button, answer);
      var set = function (open) {
        button.setAttribute("aria-expanded", String(open));
        answer.hidden = !open;
        card.classList.toggle("revealed", open);
      };
      // A <button> turns Enter and Space into clicks, so keyboard users get the same toggle.
      button.addEventListener("click", function () {
        set(button.getAttribute("aria-expanded") !== "true");
      });
      toggles.push(set);
    });
    var controls = deck.querySelector(".flashcard-controls");
    if (!controls) return;
    controls.hidden = false;
    controls.addEventListener("click", function (event) {
      var action = event.target.closest("button") && event.target.closest("button").dataset.cards;
      if (action === "show" || action === "hide") {
        toggles.forEach(function (set) { set(action === "show"); });
      } else if (action === "print") {
        root.classList.add("print-cards");
        window.print();
      }
    });
  });

  // Printing shows every answer; the card print mode ends when the dialog closes.
  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (d) {
      d.open = true;
      opened.push(d);
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
    root.classList.remove("print-cards");
  });

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
      var current = root.dataset.theme;
      if (current === "auto") {
        current = window.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
      }
      var next = current === "dark" ? "light" : "dark";
      root.dataset.theme = next;
      try { localStorage.setItem("coursegen-theme", next); } catch (e) { /* private mode */ }
    });
  }

  // Copy buttons on highlighted code: an enhancement, so only where the clipboard API exists
  // (a secure context); without script the code is still selectable.
  if (navigator.clipboard && window.isSecureContext) {
    document.querySelectorAll("pre > code[class^='language-']").forEach(function (code) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-code";
      button.textContent = "Copy";
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(code.textContent).then(function () {
          button.textContent = "Copied";
          setTimeout(function () { button.textContent = "Copy"; }, 1500);
        });
      });
      // The button sits on a wrapper, not in the <pre>, so it stays put while the code scrolls.
      var pre = code.parentNode;
      var wrapper = document.createElement("div");
      wrapper.className = "code-block";
      pre.parentNode.insertBefore(wrapper, pre);
      wrapper.appendChild(pre);
      wrapper.appendChild(button);
    });
  }

  // A formula wider than its column scrolls sideways; keyboard users must be able to scroll it
  // too, so each one that overflows (at this width, with its answer open) takes focus.
  function focusOverflowing() {
    document.querySelectorAll("math").forEach(function (m) {
      if (m.scrollWidth > m.clientWidth + 1) {
        if (!m.hasAttribute("tabindex")) m.setAttribute("tabindex", "0");
      } else if (m.getAttribute("tabindex") === "0") {
        m.removeAttribute("tabindex");
      }
    });
  }
  focusOverflowing();
  window.addEventListener("resize", focusOverflowing);
  document.addEventListener("toggle", focusOverflowing, true);
})();
