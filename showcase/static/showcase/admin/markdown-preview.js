/* Beside each Markdown field, its preview as visitors will read it, updated as the editor types,
   with what a save would drop (raw HTML, scripts, javascript: links) named under it. The server
   renders it with the pipeline that renders it on save (Markdown, then nh3 keeps a harmless
   subset), so the HTML set here is already sanitised. Without this script the field is a plain
   textarea. */
(function () {
  "use strict";

  function attach(field) {
    if (field.name.includes("__prefix__") || field.closest(".markdown-editor")) return;
    const label = document.querySelector(`label[for="${field.id}"]`);
    const name = label ? label.textContent.replace(/:$/, "").trim() : "this field";
    const editor = document.createElement("div");
    editor.className = "markdown-editor";
    const panel = document.createElement("div");
    panel.className = "markdown-preview";
    panel.setAttribute("role", "region");
    panel.setAttribute("aria-label", `Preview of ${name}`);
    const title = document.createElement("p");
    title.className = "markdown-preview-title";
    title.textContent = "Preview";
    const rendered = document.createElement("div");
    rendered.className = "markdown-preview-body";
    const removed = document.createElement("div");
    removed.className = "markdown-removed";
    removed.setAttribute("role", "status");
    panel.append(title, rendered, removed);
    field.before(editor);
    editor.append(field, panel);

    const token = field.form.querySelector("input[name=csrfmiddlewaretoken]").value;
    let timer;
    let pending;
    async function refresh() {
      if (pending) pending.abort();
      pending = new AbortController();
      try {
        const response = await fetch(field.dataset.markdownPreview, {
          method: "POST",
          headers: { "X-CSRFToken": token },
          body: new URLSearchParams({ text: field.value }),
          signal: pending.signal,
        });
        if (!response.ok) throw new Error(String(response.status));
        const result = await response.json();
        rendered.innerHTML = result.html;
        warn(result.problems, result.removed);
      } catch (error) {
        if (error.name !== "AbortError") rendered.textContent = "The preview is unavailable.";
      }
    }
    function list(heading, lines) {
      const intro = document.createElement("p");
      intro.textContent = heading;
      const items = document.createElement("ul");
      for (const line of lines) {
        const item = document.createElement("li");
        item.textContent = line;
        items.append(item);
      }
      return [intro, items];
    }
    function warn(problems, dropped) {
      const parts = [];
      if (problems.length) parts.push(...list("It can't be saved:", problems));
      if (dropped.length) parts.push(...list("Visitors won't see:", dropped));
      removed.replaceChildren(...parts);
    }
    field.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(refresh, 300);
    });
    refresh();
  }

  function attachWithin(root) {
    root.querySelectorAll("textarea[data-markdown-preview]").forEach(attach);
  }

  document.addEventListener("DOMContentLoaded", () => attachWithin(document));
  // The admin's "Add another" inline forms.
  document.addEventListener("formset:added", (event) => attachWithin(event.target));
})();
