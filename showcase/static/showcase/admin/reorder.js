/* The keyboard's way to reorder: django-admin-sortable2 drags with a pointer only, so every row
   it lets you drag also gets "Move up" and "Move down" buttons. In an inline form they renumber
   the hidden order fields, saved with the form as a drag would leave them; in a list they send
   the two swapped positions to the same endpoint a drag uses. */
(function () {
  "use strict";

  let status;
  function announce(message) {
    if (!status) {
      status = document.createElement("p");
      status.className = "reorder-status";
      status.setAttribute("role", "status");
      document.body.append(status);
    }
    status.textContent = message;
  }

  function moveButtons(name, onMove) {
    const group = document.createElement("span");
    group.className = "reorder-buttons";
    for (const [direction, arrow] of [["up", "↑"], ["down", "↓"]]) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "reorder-button";
      button.textContent = arrow;
      button.title = `Move ${direction}`;
      button.setAttribute("aria-label", `Move “${name}” ${direction}`);
      button.addEventListener("click", (event) => {
        event.preventDefault();
        onMove(direction, button);
      });
      group.append(button);
    }
    return group;
  }

  function neighbour(item, direction, selector) {
    let other = item;
    do {
      other = direction === "up" ? other.previousElementSibling : other.nextElementSibling;
    } while (other && !other.matches(selector));
    return other;
  }

  function place(item, other, direction, button) {
    if (direction === "up") other.before(item);
    else other.after(item);
    button.focus(); // moving an element in the document takes the focus away from it
  }

  function position(item, selector) {
    const items = Array.from(item.parentElement.querySelectorAll(`:scope > ${selector}`));
    return `position ${items.indexOf(item) + 1} of ${items.length}`;
  }

  function sortableInline(fieldset) {
    const selector = ".inline-related.has_original";
    for (const item of fieldset.querySelectorAll(selector)) {
      const label = item.querySelector(".inline_label");
      const name = label ? label.firstChild.textContent.trim() : "this item";
      item.querySelector("h3").append(moveButtons(name, (direction, button) => {
        const other = neighbour(item, direction, selector);
        if (!other) {
          announce(`“${name}” is already ${direction === "up" ? "first" : "last"}.`);
          return;
        }
        place(item, other, direction, button);
        fieldset.querySelectorAll(selector).forEach((each, index) => {
          each.querySelector("input._reorder_").value = String(index + 1);
        });
        announce(`Moved “${name}” to ${position(item, selector)}. Save to keep the new order.`);
      }));
    }
  }

  function sortableList(table, updateUrl) {
    const token = table.closest("form").querySelector("input[name=csrfmiddlewaretoken]").value;
    for (const row of table.tBodies[0].rows) {
      const handle = row.querySelector(".handle");
      if (!handle) continue;
      const link = row.querySelector("th a, td a");
      const name = link ? link.textContent.trim() : "this row";
      handle.after(moveButtons(name, async (direction, button) => {
        const other = neighbour(row, direction, "tr");
        if (!other) {
          announce(`“${name}” is already ${direction === "up" ? "first" : "last"}.`);
          return;
        }
        const otherHandle = other.querySelector(".handle");
        const mine = handle.getAttribute("order");
        const theirs = otherHandle.getAttribute("order");
        const response = await fetch(updateUrl, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-CSRFToken": token },
          body: JSON.stringify({
            updatedItems: [[handle.getAttribute("pk"), Number(theirs)],
                           [otherHandle.getAttribute("pk"), Number(mine)]],
          }),
        });
        if (!response.ok) {
          announce(`“${name}” could not be moved (${response.status}); reload and try again.`);
          return;
        }
        handle.setAttribute("order", theirs);
        otherHandle.setAttribute("order", mine);
        place(row, other, direction, button);
        announce(`Moved “${name}” to ${position(row, "tr")}.`);
      }));
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("fieldset.sortable").forEach(sortableInline);
    const config = document.getElementById("admin_sortable2_config");
    const table = document.getElementById("result_list");
    if (config && table) sortableList(table, JSON.parse(config.textContent).update_url);
  });
})();
