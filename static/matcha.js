// Matcha's only script of its own: tell the user when an htmx request fails, since htmx
// by default swaps nothing on an error and the page would just sit there.
document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr.status;
  const region = document.getElementById("flash");
  if (!region) return;
  const message = document.createElement("p");
  message.className = "flash flash-error";
  const lang = document.documentElement.lang;
  message.textContent =
    status === 403
      ? (lang === "en" ? "You do not have permission to do that." : "Du har inte behörighet att göra det.")
      : (lang === "en" ? "Something went wrong. Reload the page and try again." : "Något gick fel. Ladda om sidan och försök igen.");
  region.replaceChildren(message);
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
