// Matcha's only script of its own: tell the user when an htmx request fails, since htmx
// by default swaps nothing on an error and the page would just sit there.

// Nothing here animates the settling of swapped content: settle at once, so that a swap,
// its autofocus and its afterSettle listeners are all done when htmx:afterRequest fires
// (where focus is put back after a swap, below).
htmx.config.defaultSettleDelay = 0;
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
// Ctrl+Enter (Cmd+Enter on a Mac) in any field of a form marked data-submit-on-ctrl-enter
// saves it, as the submit button would: through htmx where the form has hx-post (htmx
// handles the submit event), as a plain post where not. Used by the call-log forms, so a
// call is logged from the notes, a follow-up choice or the date without the mouse.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey) || event.altKey) return;
  const field = event.target;
  if (!(field instanceof Element)) return;
  const form = field.closest("form[data-submit-on-ctrl-enter]");
  if (!(form instanceof HTMLFormElement)) return;
  event.preventDefault();
  form.requestSubmit();
});
// A follow-up's choices (data-follow-up): a quick choice, "Ingen" or "Annat datum", and a
// date field. Typing a date picks "Annat datum"; emptying it while that is picked picks
// "Ingen"; picking anything else empties the date, so what is seen is what is saved.
document.addEventListener("input", (event) => {
  const field = event.target;
  if (!(field instanceof HTMLInputElement) || field.name !== "follow_up_on") return;
  const group = field.closest("[data-follow-up]");
  if (!group) return;
  const choose = (value) => {
    const radio = group.querySelector(`input[name="follow_up"][value="${value}"]`);
    if (radio) radio.checked = true;
  };
  if (field.value) choose("date");
  else if (group.querySelector('input[name="follow_up"][value="date"]:checked')) choose("");
});
document.addEventListener("change", (event) => {
  const radio = event.target;
  if (!(radio instanceof HTMLInputElement) || radio.name !== "follow_up" || radio.value === "date") return;
  const date = radio.closest("[data-follow-up]")?.querySelector('input[name="follow_up_on"]');
  if (date) date.value = "";
});
// Disclosure menus (<details data-menu>): Escape closes the open one and puts focus back
// on its summary; a click elsewhere closes it. Without JavaScript they open and close with
// their summary, as any <details>.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape" || !(event.target instanceof Element)) return;
  const menu = event.target.closest("details[data-menu][open]");
  if (!menu) return;
  menu.open = false;
  menu.querySelector("summary")?.focus();
});
document.addEventListener("click", (event) => {
  const inside = event.target instanceof Element ? event.target.closest("details[data-menu]") : null;
  document.querySelectorAll("details[data-menu][open]").forEach((menu) => {
    if (menu !== inside) menu.open = false;
  });
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
// Focus after a swap. A swap that takes away the element that had focus (the button just
// pressed, the form just saved) would drop keyboard and screen reader users on <body>.
// Where nothing else has put focus (htmx keeps an element with the same id, autofocus, the
// error focus above, or the user is in an element the swap left alone), it goes into what
// was swapped in: to the element marked data-swap-focus; else, for a form just fetched, its
// first field; else to the row the focus was in (the control matching the one that had
// focus, else the row's heading, else the row); else to the matching control elsewhere in
// it (the same button of the row that took its place); else its heading, else itself. A
// target that went with nothing in its place (a row taken off a list) hands on to the
// matching control of its neighbour, else to the nearest heading around it. Last, the flash.
{
  const swaps = new WeakMap();
  const FIELDS = "input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])";
  const HEADINGS = "h1, h2, h3, h4, h5, h6";
  const shown = (element) => element instanceof HTMLElement && element.getClientRects().length > 0;
  const first = (root, selector) =>
    root ? [...(root.matches(selector) ? [root] : []), ...root.querySelectorAll(selector)].find(shown) : null;
  // What makes a control "the same one" in another row: its kind, name, value, classes (not
  // htmx's own) and its own words ("Klar", not the company named after it for screen readers).
  const signature = (element) =>
    element instanceof HTMLElement && element !== document.body
      ? [
          element.tagName,
          element.getAttribute("type"),
          element.getAttribute("name"),
          element.getAttribute("value"),
          [...element.classList].filter((name) => !name.startsWith("htmx-")).join(" "),
          [...element.childNodes].filter((node) => node.nodeType === Node.TEXT_NODE)
            .map((node) => node.textContent.trim()).join(" "),
        ].join("\u0000")
      : null;
  const matching = (root, lost) =>
    root && lost
      ? [...root.querySelectorAll(lost.split("\u0000")[0])].find(
          (element) => signature(element) === lost && shown(element))
      : null;
  const focusOn = (element) => {
    if (!(element instanceof HTMLElement) || !shown(element)) return false;
    if (!element.matches("a[href], button, input, select, textarea, summary, [tabindex]")) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus();
    return document.activeElement === element;
  };
  // The id of the row the element is in: its nearest ancestor with an id, up to the target.
  const rowOf = (element, target) => {
    for (let row = element?.parentElement; row && target.contains(row); row = row.parentElement) {
      if (row.id) return row.id;
    }
    return null;
  };
  const focusInside = (region, swap) => {
    const row = swap.row && (region.id === swap.row ? region : region.querySelector(`#${CSS.escape(swap.row)}`));
    return (
      focusOn(first(region, "[data-swap-focus]")) ||
      (swap.fetched && focusOn(first(region, FIELDS))) ||
      (row && (focusOn(matching(row, swap.lost)) || focusOn(first(row, HEADINGS)) || focusOn(row))) ||
      focusOn(matching(region, swap.lost)) ||
      focusOn(first(region, HEADINGS)) ||
      focusOn(region)
    );
  };
  // What took the target's place: the target itself (its content swapped), the element with
  // its id, or what was put between its neighbours; not what came out of band (the flash,
  // a history list).
  const replacement = (swap) => {
    if (swap.target.isConnected) return [swap.target];
    const same = swap.id && document.getElementById(swap.id);
    if (same) return [same];
    const follows = (a, b) => !a?.isConnected || Boolean(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
    return swap.settled.filter(
      (element) =>
        element.isConnected &&
        element.parentElement === swap.parent &&
        follows(swap.previous, element) &&
        follows(element, swap.next),
    );
  };
  document.addEventListener("htmx:beforeSwap", (event) => {
    const target = event.detail.target;
    if (!(target instanceof HTMLElement)) return;
    const active = document.activeElement;
    const inside = active instanceof HTMLElement && target.contains(active);
    swaps.set(event.detail.xhr, {
      detail: event.detail,
      target,
      id: target.id,
      parent: target.parentElement,
      next: target.nextElementSibling,
      previous: target.previousElementSibling,
      settled: [],
      lost: inside ? signature(active) : null,
      row: inside ? rowOf(active, target) : null,
      fetched: event.detail.requestConfig?.verb === "get",
    });
  });
  document.addEventListener("htmx:afterSettle", (event) => {
    swaps.get(event.detail.xhr)?.settled.push(event.target);
  });
  // After the swap and its settling (at once: see the top of this file); when the element
  // that sent the request went with the swap, htmx fires this on its nearest remaining
  // ancestor, so it still reaches the document.
  document.addEventListener("htmx:afterRequest", (event) => {
    const swap = swaps.get(event.detail.xhr);
    if (!swap || swap.done) return;
    swap.done = true;
    if (!swap.detail.shouldSwap) return;
    const active = document.activeElement;
    if (active && active !== document.body && active.isConnected) return;
    const regions = replacement(swap);
    if (regions.some((region) => focusInside(region, swap))) return;
    if (!regions.length) {
      const neighbour = [swap.next, swap.previous].find((element) => element?.isConnected);
      if (focusOn(matching(neighbour, swap.lost)) || focusOn(first(neighbour, "[data-swap-focus]"))) return;
      for (let section = swap.parent?.isConnected ? swap.parent : null; section; section = section.parentElement) {
        if (focusOn(first(section, HEADINGS))) return;
      }
    }
    focusOn(document.querySelector("#flash .flash")) || focusOn(document.getElementById("main"));
  });
}
// The main menu (base.html, details[data-site-menu]) is open in the HTML, so that it works
// without JavaScript. On a narrow screen it folds into its "Meny" button; on a wide one it
// stays open (its button is hidden by static/matcha.css).
{
  const menu = document.querySelector("details[data-site-menu]");
  const narrow = window.matchMedia("(max-width: 47.99rem)");
  const fit = () => {
    if (menu) menu.open = !narrow.matches;
  };
  fit();
  narrow.addEventListener("change", fit);
}
// A list's filters (details[data-remember="name"]) stay open or closed as the user left
// them, from one visit to the next (this browser's localStorage). The server opens them
// while a filter is in use, whatever was remembered; without JavaScript that is all.
for (const details of document.querySelectorAll("details[data-remember]")) {
  const key = `matcha:open:${details.dataset.remember}`;
  try {
    if (!details.open && localStorage.getItem(key) === "1") details.open = true;
    details.addEventListener("toggle", () => localStorage.setItem(key, details.open ? "1" : "0"));
  } catch {
    // Storage turned off: the disclosure simply starts as the server drew it.
  }
}
// A call-log form opened in a list's row (form[data-inline-log], activities/_inline_log.html):
// "Avbryt" or Escape closes it, leaving the empty slot it came into, and focus goes back
// to the row's "Logga samtal" (the form names it).
{
  const close = (form) => {
    const slot = form.closest("[id$='-log']");
    const opener = document.getElementById(form.dataset.inlineLog);
    if (!slot) return;
    const empty = document.createElement(slot.tagName);
    empty.id = slot.id;
    empty.hidden = true;
    slot.replaceWith(empty);
    opener?.focus();
  };
  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-inline-close]") : null;
    const form = button?.closest("form[data-inline-log]");
    if (form) close(form);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !(event.target instanceof Element)) return;
    const form = event.target.closest("form[data-inline-log]");
    if (form) {
      event.preventDefault();
      close(form);
    }
  });
}
// The search in the header (base.html, form[data-site-search]): an ARIA combobox. htmx
// fetches the suggestions as the user types (finder/_suggestions.html, a listbox of links);
// here: open and close the list, ArrowDown/ArrowUp move the active option
// (aria-activedescendant, focus stays in the field), Enter opens it (else the form opens the
// search page), Escape closes the list, then empties the field. "/" (outside a field) and
// Ctrl+K (Cmd+K) anywhere put focus in the field.
{
  const form = document.querySelector("form[data-site-search]");
  const input = form?.querySelector("input[role=combobox]");
  const status = document.getElementById("site-search-status");
  const list = () => document.getElementById("site-search-results");
  const options = () => [...(list()?.querySelectorAll("[role=option]") ?? [])];
  const active = () => document.getElementById(input.getAttribute("aria-activedescendant") ?? "");
  const choose = (option) => {
    for (const each of options()) each.setAttribute("aria-selected", String(each === option));
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  };
  const show = (open) => {
    const box = list();
    if (!box) return;
    const opening = open && input.value.trim() !== "" && options().length > 0;
    box.hidden = !opening;
    input.setAttribute("aria-expanded", String(opening));
    if (!opening) choose(null);
  };
  if (form && input) {
    document.addEventListener("htmx:afterSwap", (event) => {
      if (event.detail.target?.id !== "site-search-results" && !(event.target instanceof Element && event.target.id === "site-search-results")) return;
      choose(null);
      show(document.activeElement === input);
      const found = options().filter((option) => option.id !== "site-search-all").length;
      if (status) status.textContent = input.value.trim() ? (list()?.dataset.count ?? `${found}`) : "";
    });
    input.addEventListener("keydown", (event) => {
      const all = options();
      const index = all.indexOf(active());
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!all.length) return;
        event.preventDefault();
        show(true);
        const step = event.key === "ArrowDown" ? 1 : -1;
        choose(all[(index + step + all.length + (index < 0 && step < 0 ? 1 : 0)) % all.length]);
      } else if (event.key === "Enter" && active() && list() && !list().hidden) {
        event.preventDefault();
        window.location.assign(active().href);
      } else if (event.key === "Escape") {
        if (list() && !list().hidden) {
          event.preventDefault();
          show(false);
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
        }
      }
    });
    input.addEventListener("input", () => {
      if (!input.value.trim()) show(false);
    });
    input.addEventListener("focus", () => show(true));
    // Leaving the field closes the list; a click on an option is a link and goes first.
    input.addEventListener("blur", () => setTimeout(() => show(false), 150));
    form.addEventListener("mousedown", (event) => {
      if (event.target instanceof Element && event.target.closest("[role=option]")) event.preventDefault();
    });
    document.addEventListener("keydown", (event) => {
      const key = event.key.toLowerCase();
      const typing = event.target instanceof Element && event.target.closest("input, textarea, select, [contenteditable]");
      if ((key === "k" && (event.ctrlKey || event.metaKey) && !event.altKey) || (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey)) {
        event.preventDefault();
        input.focus();
        input.select();
      }
    });
  }
}
