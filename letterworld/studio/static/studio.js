// letterworld studio: CSRF header for htmx requests, keyboard shortcuts, the help overlay.
// No inline script anywhere (the Content-Security-Policy forbids it); message text is never
// put into the page as HTML here: everything shown comes escaped from the server.
(function () {
  "use strict";
  var token = document.querySelector('meta[name="csrf-token"]');
  document.body.addEventListener("htmx:configRequest", function (e) {
    if (token) { e.detail.headers["X-CSRF-Token"] = token.content; }
  });

  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT" || el.isContentEditable);
  }
  function items() { return Array.prototype.slice.call(document.querySelectorAll("[data-item]")); }
  function current() { return document.querySelector("[data-item].current") || items()[0] || null; }
  function select(el, still) {
    items().forEach(function (i) { i.classList.remove("current"); });
    if (el) { el.classList.add("current"); if (!still) { el.scrollIntoView({block: "nearest"}); } }
  }
  function move(step) {
    var all = items(), i = all.indexOf(current());
    if (all.length) { select(all[Math.max(0, Math.min(all.length - 1, i + step))]); }
  }
  var help = document.getElementById("help");
  function toggleHelp(show) {
    if (!help) { return; }
    var keys = document.getElementById("help-keys");
    keys.textContent = "";
    var seen = {};
    var rows = [["j / k", "next / previous message"]];
    document.querySelectorAll("[data-key]").forEach(function (el) {
      var k = el.getAttribute("data-key");
      if (!seen[k]) { seen[k] = 1; rows.push([k, el.getAttribute("data-key-help") || el.textContent.trim()]); }
    });
    rows.forEach(function (r) {
      var dt = document.createElement("dt"), dd = document.createElement("dd"), kbd = document.createElement("kbd");
      kbd.textContent = r[0]; dt.appendChild(kbd); dd.textContent = r[1];
      keys.appendChild(dt); keys.appendChild(dd);
    });
    help.hidden = show === undefined ? !help.hidden : !show;
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) { return; }
    if (e.key === "?") { toggleHelp(); e.preventDefault(); return; }
    if (e.key === "Escape") { toggleHelp(false); return; }
    if (e.key === "j") { move(1); e.preventDefault(); return; }
    if (e.key === "k") { move(-1); e.preventDefault(); return; }
    var scope = current(), el = null;
    if (scope) { el = scope.querySelector('[data-key="' + CSS.escape(e.key) + '"]'); }
    if (!el) { el = document.querySelector('[data-key="' + CSS.escape(e.key) + '"]:not([data-item] [data-key])'); }
    if (el) {
      e.preventDefault();
      if (el.tagName === "SELECT" || el.tagName === "INPUT" || el.tagName === "TEXTAREA") { el.focus(); } else { el.click(); }
    }
  });
  document.addEventListener("click", function (e) {
    var it = e.target.closest && e.target.closest("[data-item]");
    if (it) { select(it); }
  });
  // after htmx swaps an item, keep the keyboard on the next undecided one
  // (an outerHTML swap replaces the item: find the new one by its id, the old one is detached)
  document.body.addEventListener("htmx:afterSwap", function (e) {
    var old = e.detail.target, id = old && old.getAttribute && old.getAttribute("id");
    var it = id ? document.getElementById(id) : null;
    if (!it || !it.hasAttribute("data-item")) { return; }
    select(it);
    if (it.getAttribute("data-decided") === "1") { move(1); }
  });
  if (items().length) { select(items()[0], true); }
})();
