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
