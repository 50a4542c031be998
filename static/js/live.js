// Live figures: every few minutes, swap in the latest snapshot's figures without a reload.
// Progressive enhancement only: without this file every page still shows complete figures.
(function () {
  "use strict";
  var ENDPOINT = "/api/metrics/figures.json";
  var states = document.querySelectorAll("[data-live-state]");
  if (!states.length && !document.querySelector("[data-figure]")) return;

  var seconds = parseInt(document.body.getAttribute("data-refresh-seconds"), 10) || 300;
  var reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
  var timer = null;
  var lastFetch = Date.now();

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  // "5 minutes", "1 hour, 3 minutes": how long ago, the way the server's pages say it. The
  // answer has no age of its own, so that it stays the same (and revalidates) until it changes.
  var UNITS = [["day", 86400], ["hour", 3600], ["minute", 60]];
  function since(iso) {
    var seconds = Math.max((Date.now() - Date.parse(iso)) / 1000, 0);
    for (var i = 0; i < UNITS.length; i++) {
      var count = Math.floor(seconds / UNITS[i][1]);
      if (!count) continue;
      var text = count + " " + UNITS[i][0] + (count === 1 ? "" : "s");
      var next = UNITS[i + 1];
      var rest = next ? Math.floor((seconds - count * UNITS[i][1]) / next[1]) : 0;
      return rest ? text + ", " + rest + " " + next[0] + (rest === 1 ? "" : "s") : text;
    }
    return "0 minutes";
  }

  // Rebuilt with textContent only: nothing from the answer is ever parsed as markup.
  function renderState(line, data) {
    line.className = "live-state state-" + data.state;
    var label = element("span", "state-label");
    if (data.state === "live") {
      var pulse = element("span", "pulse");
      pulse.setAttribute("aria-hidden", "true");
      label.appendChild(pulse);
    }
    label.appendChild(document.createTextNode(data.state_label));
    var parts = [label];
    if (data.as_of) {
      var asOf = element("span", "as-of", "as of ");
      var time = element("time", "", data.as_of_text);
      time.setAttribute("datetime", data.as_of);
      asOf.appendChild(time);
      asOf.appendChild(document.createTextNode(" (" + since(data.as_of) + " ago)"));
      parts.push(asOf);
    }
    line.replaceChildren.apply(line, parts);
  }

  // Counts roll from the old value to the new one, unless the visitor prefers no motion.
  function setFigure(node, text) {
    var from = parseInt(node.textContent.replace(/,/g, ""), 10);
    var to = parseInt(text.replace(/,/g, ""), 10);
    var plainCounts = /^[\d,]+$/.test(text) && /^[\d,]+$/.test(node.textContent.trim());
    if (reduceMotion.matches || !plainCounts || from === to) {
      node.textContent = text;
      return;
    }
    var start = null;
    function step(now) {
      if (start === null) start = now;
      var progress = Math.min((now - start) / 600, 1);
      node.textContent = Math.round(from + (to - from) * progress).toLocaleString("en-US");
      if (progress < 1) window.requestAnimationFrame(step);
      else node.textContent = text;
    }
    window.requestAnimationFrame(step);
  }

  // Charts are drawn on the server: blocks of an older snapshot are taken from the page anew.
  function refreshBlocks(sha256) {
    var blocks = Array.prototype.filter.call(
      document.querySelectorAll("[data-live-block][id]"),
      function (block) { return block.getAttribute("data-sha256") !== sha256; }
    );
    if (!blocks.length) return;
    fetch(window.location.pathname, { credentials: "same-origin", cache: "no-cache" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        var fresh = new DOMParser().parseFromString(html, "text/html");
        blocks.forEach(function (block) {
          var replacement = fresh.getElementById(block.id);
          if (replacement) block.replaceWith(document.adoptNode(replacement));
        });
      })
      .catch(function () {});
  }

  function apply(data) {
    var wasAwaiting = document.querySelector(".live-state.state-awaiting") !== null;
    if (wasAwaiting && data.sha256) {
      // The first snapshot ever: the page has places to fill, not figures to swap.
      window.location.reload();
      return;
    }
    states.forEach(function (line) { renderState(line, data); });
    refreshBlocks(data.sha256);
    document.querySelectorAll("[data-figure]").forEach(function (node) {
      var text = data.figures[node.getAttribute("data-figure")];
      if (text !== undefined && node.textContent !== text) setFigure(node, text);
    });
  }

  function poll() {
    lastFetch = Date.now();
    // "no-cache": revalidate with the ETag every time (a 304 when nothing changed), so the
    // browser's copy, fresh for max-age, never hides a snapshot the site already holds.
    fetch(ENDPOINT, {
      credentials: "same-origin",
      cache: "no-cache",
      headers: { Accept: "application/json" }
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) apply(data); })
      .catch(function () {})
      .then(schedule);
  }

  function schedule() {
    window.clearTimeout(timer);
    if (document.hidden) return; // resumed by visibilitychange
    var wait = Math.max(seconds * 1000 - (Date.now() - lastFetch), 0);
    timer = window.setTimeout(poll, wait);
  }

  document.addEventListener("visibilitychange", schedule);
  schedule();
})();
