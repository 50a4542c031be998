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
    removed.setAttribute("aria-live", "polite");
    panel.append(title, rendered, removed);
    field.before(editor);
    editor.append(field, panel);
    if (field.dataset.imageChooser) editor.after(chooser(field));

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

  // "Insert an image": the library's images as buttons; a choice puts its tag on a line of its
  // own where the cursor is, and the preview shows it.
  function chooser(field) {
    const details = document.createElement("details");
    details.className = "image-chooser";
    const summary = document.createElement("summary");
    summary.textContent = "Insert an image from the library";
    const choices = document.createElement("ul");
    choices.className = "image-choices";
    details.append(summary, choices);
    details.addEventListener("toggle", async () => {
      if (!details.open || choices.childElementCount) return;
      const response = await fetch(field.dataset.imageChooser);
      const { images } = await response.json();
      if (!images.length) {
        const none = document.createElement("li");
        none.textContent = "The library has no images yet: add one under Images.";
        choices.append(none);
      }
      for (const image of images) {
        const item = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.className = "image-choice";
        const thumbnail = document.createElement("img");
        thumbnail.src = image.thumbnail;
        thumbnail.alt = "";
        const label = document.createElement("span");
        label.textContent = `${image.label} ${image.tag}`;
        button.append(thumbnail, label);
        button.addEventListener("click", () => {
          const at = field.selectionStart;
          const tag = `\n\n${image.tag}\n\n`;
          field.setRangeText(tag, at, field.selectionEnd, "end");
          field.dispatchEvent(new Event("input", { bubbles: true }));
          field.focus();
          details.open = false;
        });
        item.append(button);
        choices.append(item);
      }
    });
    return details;
  }

  function attachWithin(root) {
    root.querySelectorAll("textarea[data-markdown-preview]").forEach(attach);
  }

  document.addEventListener("DOMContentLoaded", () => attachWithin(document));
  // The admin's "Add another" inline forms.
  document.addEventListener("formset:added", (event) => attachWithin(event.target));
})();
