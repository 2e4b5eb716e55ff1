// Matcha's only script of its own: tell the user when an htmx request fails, since htmx
// by default swaps nothing on an error and the page would just sit there.
document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr.status;
  if ((event.detail.xhr.getResponseHeader("HX-Trigger") || "").includes("matcha:refused")) return;
  const region = document.getElementById("flash");
  if (!region) return;
  const message = document.createElement("p");
  message.className = "flash flash-error";
  const lang = document.documentElement.lang;
  const en = lang === "en";
  message.textContent =
    status === 403
      ? (en ? "You do not have permission to do that." : "Du har inte behörighet att göra det.")
      : status === 503
        ? (en ? "The server is busy. Nothing was saved: try again in a moment." : "Servern är upptagen. Inget sparades: försök igen om en stund.")
        : status === 413
          ? (en ? "What you sent is too large." : "Det du skickade är för stort.")
          : (en ? "Something went wrong. Reload the page and try again." : "Något gick fel. Ladda om sidan och försök igen.");
  region.replaceChildren(message);
});
// 413 and 503 answers are swapped in only when Matcha sent them as a form to show again
// (they say Vary: HX-Request); a proxy's own error page is an error, not a form.
document.addEventListener("htmx:beforeSwap", (event) => {
  const xhr = event.detail.xhr;
  if (xhr.status !== 413 && xhr.status !== 503) return;
  if ((xhr.getResponseHeader("Vary") || "").includes("HX-Request")) return;
  event.detail.shouldSwap = false;
  event.detail.isError = true;
});
document.addEventListener("htmx:sendError", () => {
  const region = document.getElementById("flash");
  if (!region) return;
  const message = document.createElement("p");
  message.className = "flash flash-error";
  message.textContent = document.documentElement.lang === "en"
    ? "No contact with the server. Check your connection and try again."
    : "Ingen kontakt med servern. Kontrollera anslutningen och försök igen.";
  region.replaceChildren(message);
});
// A save the server could not do now (503: busy, try again; 413: too large) and could not
// answer with the form itself: the server's message goes into the form that was sent, whose
// fields keep what was typed, and takes focus so it is read out (app/main.py, _refused).
document.addEventListener("matcha:refused", (event) => {
  const source = event.target instanceof Element ? event.target : null;
  const form = source?.closest("form") || source?.form || null;
  const text = event.detail?.message || "";
  if (!form) {
    const region = document.getElementById("flash");
    if (!region) return;
    const message = document.createElement("p");
    message.className = "flash flash-error";
    message.textContent = text;
    region.replaceChildren(message);
    return;
  }
  let note = form.querySelector(".form-error[data-refused]");
  if (!note) {
    note = document.createElement("p");
    note.className = "form-error";
    note.setAttribute("role", "alert");
    note.setAttribute("tabindex", "-1");
    note.dataset.refused = "";
    form.prepend(note);
  }
  note.textContent = text;
  // A save that may have been stored (the connection broke as it was committed): a link to
  // the page, to look before sending it again.
  const href = event.detail?.href;
  if (href) {
    const link = document.createElement("a");
    link.href = href;
    link.textContent = event.detail?.label || href;
    note.append(" ", link);
  }
  note.focus();
});
// Sending the form again takes the last refusal away.
document.addEventListener("htmx:beforeRequest", (event) => {
  const source = event.detail.elt;
  const form = source?.closest?.("form") || source?.form;
  form?.querySelector(".form-error[data-refused]")?.remove();
});
// A form shown again with errors (422/409/413/503) replaces the one that had focus: move
// focus to the first field to fix, or to the form's own error, so keyboard and screen
// reader users learn what went wrong (WCAG 3.3.1) instead of landing on <body>.
document.addEventListener("htmx:afterSwap", (event) => {
  const status = event.detail.xhr.status;
  if (![422, 409, 413, 503].includes(status)) return;
  const target =
    document.querySelector('[aria-invalid="true"]') || document.querySelector(".form-error");
  if (!target) return;
  if (!target.matches("input, select, textarea")) target.setAttribute("tabindex", "-1");
  target.focus();
});
// The call log: opening its form puts focus in the notes, and Ctrl+Enter (Cmd+Enter) in a
// textarea marked data-submit-on-ctrl-enter saves, so a call is logged without the mouse.
document.addEventListener(
  "toggle",
  (event) => {
    const details = event.target;
    if (!(details instanceof HTMLDetailsElement) || !details.open) return;
    if (!details.hasAttribute("data-focus-on-open")) return;
    details.querySelector("textarea")?.focus();
  },
  true,
);
document.addEventListener("keydown", (event) => {
  if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
  const field = event.target;
  if (!(field instanceof HTMLTextAreaElement) || !field.hasAttribute("data-submit-on-ctrl-enter")) return;
  event.preventDefault();
  field.form?.requestSubmit();
});
// Min dag: "Klar" or "Flytta" takes a follow-up off the list, and the button that had focus
// goes with it. Put focus where a keyboard user goes on: the same button of the next row
// (or the previous one), else the section's heading. The row is gone by then, so htmx's
// later events (fired on it) never reach the document: wait for the swap instead.
document.addEventListener("htmx:beforeSwap", (event) => {
  const row = event.detail.target;
  if (!(row instanceof HTMLElement) || !row.matches("li.follow-up")) return;
  const neighbour = row.nextElementSibling || row.previousElementSibling;
  const section = row.closest("section");
  let frames = 0;
  const refocus = () => {
    if (row.isConnected && frames++ < 60) return requestAnimationFrame(refocus);
    if (document.activeElement && document.activeElement !== document.body) return;
    const replaced = document.getElementById(row.id);
    const next = replaced || (neighbour?.isConnected ? neighbour : null);
    let target = next?.querySelector(".follow-up-actions button") || next?.querySelector("a");
    if (!target && section) {
      target = section.querySelector("h2");
      target?.setAttribute("tabindex", "-1");
    }
    target?.focus();
  };
  requestAnimationFrame(refocus);
});
// Links drawn as buttons (Pico's <a role="button">) are announced as buttons, and a button
// is pressed with Space as well as Enter: make Space follow the link too.
document.addEventListener("keydown", (event) => {
  if (event.key !== " " || event.ctrlKey || event.metaKey || event.altKey) return;
  const link = event.target;
  if (!(link instanceof HTMLAnchorElement) || link.getAttribute("role") !== "button") return;
  event.preventDefault();
  link.click();
});
// "Kopiera" next to a read-only field (data-copy names the field): shown only with
// JavaScript; without it the field itself is selected and copied by hand.
document.querySelectorAll("button[data-copy]").forEach((button) => {
  const field = document.getElementById(button.dataset.copy);
  if (!field || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", () => {
    field.select();
    navigator.clipboard.writeText(field.value);
  });
});
