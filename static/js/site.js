// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // The mobile menu is a <details>; Escape closes it and returns focus to its button.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    });
  });
})();
