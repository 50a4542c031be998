/* Unsaved changes are never lost by accident: leaving an admin form whose fields differ from
   how the page loaded them (a reorder included, which renumbers hidden order fields) asks
   first. Submitting the form itself does not ask; Preview opens a new tab and keeps asking. */
(function () {
  "use strict";

  const FORMS = "#content-main form[id$='_form'], #changelist-form";
  const loaded = new Map();
  let leaving = false;

  function state(form) {
    const pairs = [];
    for (const [name, value] of new FormData(form)) {
      if (name === "csrfmiddlewaretoken") continue;
      pairs.push([name, value instanceof File ? `${value.name}:${value.size}` : value]);
    }
    return JSON.stringify(pairs);
  }

  function changed() {
    for (const [form, before] of loaded) {
      if (form.isConnected && state(form) !== before) return true;
    }
    return false;
  }

  // After every other script's start-up (the reorder library numbers its rows on load).
  window.addEventListener("load", () => {
    document.querySelectorAll(FORMS).forEach((form) => loaded.set(form, state(form)));
  });
  document.addEventListener("submit", (event) => {
    const target = event.submitter && event.submitter.getAttribute("formtarget");
    if (target !== "_blank" && loaded.has(event.target)) leaving = true;
  });
  window.addEventListener("beforeunload", (event) => {
    if (leaving || !changed()) return;
    event.preventDefault();
    event.returnValue = "";  // older browsers ask only when this is set
  });
  // Back from the bfcache: the form is as it was left, and leaving it asks again.
  window.addEventListener("pageshow", () => { leaving = false; });
})();
