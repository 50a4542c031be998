// Cookieless success measures (docs/measures.md): page views and visible time, sent to this
// site only. Nothing identifies the visitor: the one piece of state is this tab's
// sessionStorage, which never leaves the browser. Browsers that send Global Privacy Control or
// Do Not Track are not measured at all (the server ignores their reports as well).
(function () {
  "use strict";
  if (navigator.globalPrivacyControl === true || navigator.doNotTrack === "1") return;

  // Measured pages are the editor pages, which declare their canonical address: it is the path
  // reported (the one the server knows), whatever query string the visitor arrived with.
  var canonical = document.querySelector('link[rel="canonical"]');
  if (!canonical) return;
  var path = new URL(canonical.href, window.location.href).pathname;

  var ENDPOINT = "/api/beacon";
  var STORE = "tractatus-visit";
  // A tab left open and visible for longer than this is not being read.
  var CAP_SECONDS = 1800;

  // This tab's visit: the page it entered on and how many pages it has shown so far.
  var visit;
  try {
    visit = JSON.parse(window.sessionStorage.getItem(STORE) || "null");
    visit = visit ? { entry: visit.entry, pages: visit.pages + 1 } : { entry: path, pages: 1 };
    window.sessionStorage.setItem(STORE, JSON.stringify(visit));
  } catch (error) {
    return; // without per-tab storage, entries and bounces cannot be told apart: send nothing
  }

  function send(report) {
    var body = JSON.stringify(report);
    var blob = new Blob([body], { type: "application/json" });
    if (navigator.sendBeacon && navigator.sendBeacon(ENDPOINT, blob)) return;
    fetch(ENDPOINT, {
      method: "POST", body: body, keepalive: true, credentials: "omit",
      headers: { "Content-Type": "application/json" }
    }).catch(function () {});
  }

  var view = { path: path, event: "view", entry: visit.pages === 1 };
  // The second page of a visit says which entry page it continues: that entry was no bounce.
  if (visit.pages === 2) view.continues = visit.entry;
  send(view);

  // Visible time is reported each time the page is hidden; a later report of the same view
  // (the visitor came back to the tab) says "resumed", so the view is counted once.
  var visibleSince = document.visibilityState === "visible" ? Date.now() : null;
  var reported = false;

  function leave() {
    if (visibleSince === null) return;
    var seconds = Math.min((Date.now() - visibleSince) / 1000, CAP_SECONDS);
    visibleSince = null;
    send({ path: path, event: "leave", seconds: Math.round(seconds * 10) / 10, resumed: reported });
    reported = true;
  }

  function resume() {
    if (visibleSince === null && document.visibilityState === "visible") visibleSince = Date.now();
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") leave();
    else resume();
  });
  window.addEventListener("pagehide", leave);
  window.addEventListener("pageshow", resume); // back from the back/forward cache
})();
