// packbuilder web app: small enhancements; every page works without this file.
"use strict";
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-print]");
  if (!link) return;
  event.preventDefault();
  const frame = document.createElement("iframe");
  frame.hidden = true;
  frame.title = link.textContent.trim();
  frame.src = link.href;
  frame.addEventListener("load", () => {
    try { frame.contentWindow.focus(); frame.contentWindow.print(); }
    catch (e) { window.open(link.href, "_blank", "noopener"); }
  });
  document.body.appendChild(frame);
});

// Build progress: follow the server-sent events; the page refreshes itself without JavaScript.
const follow = document.querySelector("[data-events]");
if (follow && window.EventSource) {
  const bar = document.getElementById("progress");
  const text = document.getElementById("progress-text");
  const source = new EventSource(follow.dataset.events);
  source.onmessage = (event) => {
    const p = JSON.parse(event.data);
    if (p.total) { bar.max = p.total; bar.value = p.done; }
    text.textContent = p.state === "queued" ? "Waiting for a free build slot…"
      : `${p.done} of ${p.total} files${p.current ? ": " + p.current : ""}`;
  };
  source.addEventListener("done", (event) => { source.close(); window.location.assign(event.data); });
}

// Live preview: after a change, send the form (as it is, unsaved) and show the new images.
const form = document.getElementById("pack-form");
const panel = document.querySelector("[data-preview]");
if (form && panel && window.fetch) {
  const status = document.getElementById("preview-status");
  const token = form.querySelector("input[name=csrftoken]").value;
  let timer = null, running = null, again = false;
  const refresh = async () => {
    if (running) { again = true; return; }
    status.textContent = "Updating the preview…";
    const data = new FormData(form);
    data.set("action", "preview");
    running = fetch(panel.dataset.preview, { method: "POST", body: data, headers: { "X-CSRF-Token": token },
                                              credentials: "same-origin" });
    try {
      const answer = await (await running).json();
      showErrors(answer.errors || {});
      if (answer.ok) {
        for (const [key, uri] of Object.entries(answer.images)) {
          const img = document.getElementById("preview-" + key);
          if (img) img.src = uri;
        }
        status.textContent = "Preview updated: as the build prints it.";
      } else {
        const count = Object.values(answer.errors || {}).flat().length + (answer.general || []).length;
        status.textContent = `The preview waits until ${count} problem(s) are fixed.` +
          (answer.general && answer.general.length ? " " + answer.general.join(" ") : "");
      }
    } catch (e) {
      status.textContent = "The preview could not be updated; “Show the preview” still works.";
    } finally {
      running = null;
      if (again) { again = false; refresh(); }
    }
  };
  const showErrors = (errors) => {
    form.querySelectorAll("[data-field]").forEach((box) => {
      const key = box.dataset.field;
      const list = box.querySelector(".errors");
      const input = box.querySelector("input, select") ;
      const messages = errors[key] || [];
      if (!list) return;
      list.replaceChildren(...messages.map((m) => { const p = document.createElement("p"); p.className = "error"; p.textContent = m; return p; }));
      box.classList.toggle("invalid", messages.length > 0);
      if (input && box.tagName !== "FIELDSET") {
        if (messages.length) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
        const ids = (input.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && !id.includes("-error-") && !id.endsWith("-errors"));
        if (messages.length) ids.push(list.id);
        if (ids.length) input.setAttribute("aria-describedby", ids.join(" ")); else input.removeAttribute("aria-describedby");
      }
    });
  };
  const later = () => { clearTimeout(timer); timer = setTimeout(refresh, 350); };
  form.addEventListener("input", later);
  form.addEventListener("change", later);
  refresh();
}
