// coursegen's progressive enhancements. Everything works without this file: answers and cards
// are <details>, the sidebar is a plain list. With it: flip cards, show/hide all, print cards,
// a menu button on phones, a theme toggle, and answers opened for printing.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  // The id a URL's #fragment names. A malformed escape (`#%E0%A4%A`) is taken as written:
  // decodeURIComponent throws a URIError on it, which would stop everything after it.
  var hashId = function () {
    var raw = location.hash.slice(1);
    try { return decodeURIComponent(raw); } catch (e) { return raw; }
  };

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

  // Exercise variants: "New numbers" shows the next set, built and verified with the site;
  // its worked answer starts closed. The address keeps the set, so reloading or printing
  // shows the one chosen.
  document.querySelectorAll("[data-variants]").forEach(function (box) {
    var sets = Array.prototype.slice.call(box.children).filter(function (c) {
      return c.classList.contains("variant");
    });
    var links = Array.prototype.slice.call(box.querySelectorAll("[data-variant-link]"));
    var button = box.querySelector("[data-new-numbers]");
    var status = box.querySelector("[data-variant-status]");
    var current = 0;
    var show = function (k, announce) {
      current = k;
      sets.forEach(function (set, i) {
        set.hidden = i !== k;
        if (i === k) {
          set.querySelectorAll("details").forEach(function (d) { d.open = false; });
        }
      });
      links.forEach(function (a, i) {
        if (i === k) { a.setAttribute("aria-current", "true"); } else { a.removeAttribute("aria-current"); }
      });
      if (announce) {
        status.textContent = "Numbers: set " + (k + 1) + " of " + sets.length;
        history.replaceState(null, "", "#" + sets[k].id);
      }
    };
    sets.forEach(function (set, i) { if (set.id === hashId()) { current = i; } });
    box.classList.add("live");
    button.hidden = false;
    show(current, false);
    button.addEventListener("click", function () { show((current + 1) % sets.length, true); });
    links.forEach(function (a, i) {
      a.addEventListener("click", function (event) {
        event.preventDefault();
        show(i, true);
      });
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
  // Search (issues #15, #24). The index is a set of scripts under `search/` (a <script> loads
  // over file:// where fetch() is refused): a manifest, term shards (each word's sections, sorted
  // by word) and record shards (the sections' text). A query loads the manifest, the term shards
  // its words fall in and the record shards of the results it shows, never the whole index.
  var here = document.currentScript && document.currentScript.src;
  var base = here ? here.replace(/assets\/coursegen\.js(\?.*)?$/, "") : "";
  var WORD = /[\p{Alphabetic}\p{N}]+(?:[.,]\p{N}+)*/gu;
  var english = /^en\b/i.test(root.lang || "en");
  // A word of the query finds longer words it starts from this many UTF-16 units on; shorter
  // ones are matched whole ("p" finds p, not every word in p…): a one-letter query would
  // otherwise load every shard of its letter.
  var PREFIX_MIN = 3;
  // A light English suffix-stripper (not Porter): plurals, -ing, -ed, -ly, so "gradients" finds
  // "gradient" and "computing" finds "computed". The index's keys went through the same rules
  // (src/render/search/words.rs), and so does the query.
  function stem(word) {
    if (!english || word.length < 4 || /\d/.test(word)) return word;
    var rules = [["ies", "y"], ["sses", "ss"], ["ing", ""], ["ed", ""], ["ly", ""], ["es", ""], ["s", ""]];
    for (var i = 0; i < rules.length; i++) {
      var end = rules[i][0];
      if (word.length - end.length >= 3 && word.slice(-end.length) === end) {
        if (end === "s" && /(ss|us|is)$/.test(word)) return word;
        if (end === "es" && !/(ches|shes|xes|zes)$/.test(word)) continue;
        return word.slice(0, -end.length) + rules[i][1];
      }
    }
    return word;
  }
  function words(text) { return (text.toLowerCase().match(WORD) || []).map(stem); }

  var manifest = null, manifestLoading = null, parts = Object.create(null);
  function script(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src;
      s.onload = resolve;
      s.onerror = function () { s.remove(); reject(new Error(src)); };
      document.head.appendChild(s);
    });
  }
  function loadManifest() {
    if (!manifestLoading) {
      manifestLoading = (window.COURSEGEN_SEARCH ? Promise.resolve() : script(base + "search/index.js"))
        .then(function () { manifest = window.COURSEGEN_SEARCH; if (!manifest) throw new Error("no index"); });
      manifestLoading.catch(function () { manifestLoading = null; });
    }
    return manifestLoading;
  }
  // Shard `name` ("t3", "r12"), loaded once; `v` names this build's shards.
  function part(name) {
    if (!parts[name]) {
      parts[name] = script(base + "search/" + name + ".js?v=" + manifest.v).then(function () {
        var data = (window.COURSEGEN_SEARCH_PARTS || {})[name];
        if (!data) throw new Error(name);
        return data;
      });
      parts[name].catch(function () { delete parts[name]; });
    }
    return parts[name];
  }
  // The last shard whose first entry is at most `x` (the shards' first entries are sorted).
  function shardOf(firsts, x) {
    var lo = 0, hi = firsts.length;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (firsts[mid] <= x) lo = mid + 1; else hi = mid; }
    return Math.max(0, lo - 1);
  }
  // The term shards that may hold `term` (and, for a prefix, the words that start with it).
  function termShards(term, prefix) {
    var first = shardOf(manifest.terms, term), out = ["t" + first];
    for (var j = first + 1; prefix && j < manifest.terms.length && manifest.terms[j].lastIndexOf(term, 0) === 0; j++) out.push("t" + j);
    return out;
  }
  // Sections holding `term` (3 points) or a word it starts (1 each), and those whose heading does.
  function lookup(term, shards) {
    var prefix = term.length >= PREFIX_MIN, score = Object.create(null), heading = Object.create(null);
    shards.forEach(function (data) {
      var add = function (key) {
        var lists = data[key], weight = key === term ? 3 : 1;
        for (var k = 0, id = 0; k < lists[0].length; k++) { id += lists[0][k]; score[id] = (score[id] || 0) + weight; }
        for (k = 0, id = 0; lists[1] && k < lists[1].length; k++) { id += lists[1][k]; heading[id] = true; }
      };
      if (!prefix) { if (Object.prototype.hasOwnProperty.call(data, term)) add(term); return; }
      for (var key in data) if (key.lastIndexOf(term, 0) === 0) add(key);
    });
    return { score: score, heading: heading };
  }
  // The 20 best sections holding every word of `text` (a word's points capped at 3, 4 more when
  // the heading holds every word), each with its record and page once their shards are in.
  function query(text) {
    var terms = words(text);
    if (!terms.length) return Promise.resolve([]);
    return Promise.all(terms.map(function (term) {
      return Promise.all(termShards(term, term.length >= PREFIX_MIN).map(part));
    })).then(function (shards) {
      var scores = null, heads = null;
      terms.forEach(function (term, t) {
        var hits = lookup(term, shards[t]), next = Object.create(null), nextHeads = Object.create(null);
        Object.keys(hits.score).forEach(function (i) {
          if (scores !== null && !(i in scores)) return;
          next[i] = (scores ? scores[i] : 0) + Math.min(hits.score[i], 3);
          if (hits.heading[i] && (heads === null || heads[i])) nextHeads[i] = true;
        });
        scores = next;
        heads = nextHeads;
      });
      var ranked = Object.keys(scores).map(function (i) {
        return { i: +i, score: scores[i] + (heads[i] ? 4 : 0) };
      }).sort(function (a, b) { return b.score - a.score || a.i - b.i; }).slice(0, 20);
      return Promise.all(ranked.map(function (hit) {
        var n = shardOf(manifest.records, hit.i);
        return part("r" + n).then(function (data) {
          hit.record = data.records[hit.i - manifest.records[n]];
          hit.page = data.pages[hit.record[0]];
          return hit;
        });
      }));
    });
  }
  // Where in `text` (lower-cased) the query or one of its words occurs: [start, end] or null.
  function findIn(lower, text) {
    var phrase = text.trim().toLowerCase();
    var at = phrase ? lower.indexOf(phrase) : -1;
    if (at >= 0) return [at, at + phrase.length];
    var terms = words(text);
    for (var t = 0; t < terms.length; t++) {
      var re = new RegExp("(^|[^\\p{Alphabetic}\\p{N}])" + terms[t].replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "u");
      var m = re.exec(lower);
      if (m) return [m.index + m[1].length, m.index + m[1].length + terms[t].length];
    }
    return null;
  }
  // The text around the first match, with every query word's matches in <mark>.
  function excerpt(text, q) {
    var lower = text.toLowerCase(), span = findIn(lower, q) || [0, 0];
    var start = Math.max(0, span[0] - 60), end = Math.min(text.length, span[1] + 100);
    var piece = (start > 0 ? "…" : "") + text.slice(start, end) + (end < text.length ? "…" : "");
    var terms = words(q).concat([q.trim().toLowerCase()]).filter(Boolean).sort(function (a, b) { return b.length - a.length; });
    var re = new RegExp(terms.map(function (t) { return t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }).join("|"), "giu");
    var out = document.createElement("span");
    out.className = "search-excerpt";
    var last = 0, m;
    while ((m = re.exec(piece)) && m[0].length) {
      out.appendChild(document.createTextNode(piece.slice(last, m.index)));
      var mark = document.createElement("mark");
      mark.textContent = m[0];
      out.appendChild(mark);
      last = m.index + m[0].length;
    }
    out.appendChild(document.createTextNode(piece.slice(last)));
    return out;
  }
  function href(hit, q) {
    // From disk, a folder is not its index.html: name the file.
    var file = location.protocol === "file:" ? "index.html" : "";
    return base + hit.page[1] + file + "?q=" + encodeURIComponent(q.trim()) + (hit.record[2] ? "#" + hit.record[2] : "");
  }

  var box = document.querySelector(".search");
  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  if (box && input && list && status && base) {
    box.hidden = false;
    var returnFocus = null, active = -1, results = [], asked = 0;
    var load = function () {
      if (!manifest) loadManifest().catch(function () {});
    };
    var close = function () {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    };
    var select = function (n) {
      var options = list.querySelectorAll("[role=option]");
      if (!options.length) return;
      active = (n + options.length) % options.length;
      options.forEach(function (o, k) { o.setAttribute("aria-selected", String(k === active)); });
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    };
    var choose = function (n) {
      if (!results[n]) return;
      location.href = href(results[n], input.value);
    };
    var show = function (q) {
      list.textContent = "";
      active = -1;
      input.removeAttribute("aria-activedescendant");
      results.forEach(function (hit, n) {
        var r = hit.record;
        var li = document.createElement("li");
        li.id = "search-result-" + n;
        li.dataset.record = hit.i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var where = document.createElement("span");
        where.className = "search-where";
        where.textContent = hit.page[0] + (r[1] ? " › " + r[1] : "");
        li.appendChild(where);
        li.appendChild(excerpt(r[3] || r[1], q));
        // mousedown would blur the input first; keep focus where the keyboard user left it.
        li.addEventListener("mousedown", function (e) { e.preventDefault(); });
        li.addEventListener("click", function () { choose(n); });
        list.appendChild(li);
      });
      if (!results.length) {
        var none = document.createElement("li");
        none.className = "search-empty";
        none.textContent = "No results";
        list.appendChild(none);
      }
      list.hidden = false;
      // The query these results answer (what a test waits for).
      list.dataset.query = q;
      input.setAttribute("aria-expanded", "true");
      status.textContent = results.length ? results.length + (results.length === 1 ? " result" : " results") : "No results";
    };
    // Answers what the box holds once the shards it needs are in; an answer to text typed over
    // in the meantime is dropped. Resolves when the results are shown.
    var update = function () {
      var q = input.value, mine = ++asked;
      if (!q.trim()) { list.textContent = ""; results = []; close(); status.textContent = ""; return Promise.resolve(); }
      if (!manifest) status.textContent = "Loading the search index…";
      return loadManifest().then(function () { return query(q); }).then(function (hits) {
        if (mine !== asked) return;
        results = hits;
        show(q);
      }, function () {
        if (mine === asked) status.textContent = "The search index did not load.";
      });
    };
    // A query runs once typing pauses: each one loads the shards of its results, and the
    // prefixes typed on the way ("g", "gr", "gra", …) would each load theirs.
    var timer = 0;
    var now = function () { clearTimeout(timer); timer = 0; return update(); };
    input.addEventListener("focus", load);
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = input.value.trim() ? setTimeout(now, 100) : 0;
      if (!timer) update();
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        var step = function () { select(active + (e.key === "ArrowDown" ? 1 : -1) + (active < 0 && e.key === "ArrowUp" ? 1 : 0)); };
        if (list.hidden || timer) now().then(step); else step();
      } else if (e.key === "Enter") {
        e.preventDefault();
        if (timer) now().then(function () { choose(0); });
        else choose(active < 0 ? 0 : active);
      } else if (e.key === "Escape") {
        e.preventDefault();
        close();
        var back = returnFocus;
        returnFocus = null;
        if (back && back !== input && document.contains(back)) back.focus();
        else input.blur();
      }
    });
    input.addEventListener("blur", function () { setTimeout(function () { if (document.activeElement !== input) close(); }, 150); });
    document.addEventListener("keydown", function (e) {
      var t = e.target, typing = t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
      if ((e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) ||
          ((e.ctrlKey || e.metaKey) && (e.key === "k" || e.key === "K"))) {
        e.preventDefault();
        if (document.activeElement !== input) returnFocus = document.activeElement;
        input.focus();
        input.select();
        if (input.value.trim()) update();
      }
    });
  }

  // Arriving from a search result (`?q=…#section`): open the collapsible that holds the match
  // in that section, mark it, and bring it into view.
  var arrived = new URLSearchParams(location.search).get("q");
  var main = document.getElementById("main");
  if (arrived && main) {
    var anchor = location.hash ? document.getElementById(hashId()) : null;
    var headings = Array.prototype.slice.call(main.querySelectorAll("h2[id], h3[id], h4[id]"));
    var end = anchor ? headings.filter(function (h) {
      return anchor.compareDocumentPosition(h) & Node.DOCUMENT_POSITION_FOLLOWING;
    })[0] : headings[0];
    var walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
    var hit = null, span = null, node;
    while ((node = walker.nextNode())) {
      if (anchor && !(anchor.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_FOLLOWING)) continue;
      if (end && (end.compareDocumentPosition(node) & Node.DOCUMENT_POSITION_FOLLOWING)) break;
      if (node.parentNode.closest(".anchor-link, h1")) continue;
      if ((span = findIn(node.data.toLowerCase(), arrived))) { hit = node; break; }
    }
    if (hit) {
      for (var el = hit.parentNode; el && el !== main; el = el.parentNode) {
        if (el.tagName === "DETAILS") el.open = true;
        if (el.hidden && el.id) {
          var toggle = document.querySelector('[aria-controls="' + el.id + '"]');
          if (toggle && toggle.getAttribute("aria-expanded") !== "true") toggle.click();
        }
      }
      var range = document.createRange();
      range.setStart(hit, span[0]);
      range.setEnd(hit, span[1]);
      var mark = document.createElement("mark");
      mark.className = "search-hit";
      range.surroundContents(mark);
      // The browser scrolls to the #section when the page has loaded; the match comes after.
      var show = function () { (mark.closest("math") || mark).scrollIntoView({ block: "center" }); };
      show();
      if (document.readyState !== "complete") window.addEventListener("load", function () { setTimeout(show, 0); });
    }
  }
})();
