// Small behaviours shared by every page. htmx does the rest.
document.addEventListener("htmx:responseError", (event) => {
  // A fragment that failed still shows its French error page in place of silence.
  const xhr = event.detail.xhr;
  if (xhr.status >= 400 && xhr.responseText && event.detail.target) {
    event.detail.target.innerHTML = xhr.responseText;
  }
});
document.addEventListener("htmx:sendError", () => {
  if (document.getElementById("offline-banner")) return; // the page says it in its own words
  const box = document.getElementById("flashes");
  if (box) {
    box.insertAdjacentHTML("beforeend",
      '<div class="alert alert-warning" role="alert">' + (document.documentElement.lang === "en"
        ? "No connection: nothing was lost, try again when the network is back."
        : "Pas de connexion : rien n'est perdu, réessayez quand le réseau revient.") + "</div>");
  }
});
// Code picker: a "Choisir" button fills the input named by data-pick-target.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-pick-code]");
  if (!button) return;
  const input = document.getElementById(button.dataset.pickTarget);
  if (input) {
    input.value = button.dataset.pickCode;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }
});
// Logging out: the intake copies already on the server leave this tablet (customers' details);
// those the server never got stay until their author comes back.
document.addEventListener("submit", (event) => {
  if (!event.target.matches("[data-logout]")) return;
  Object.keys(localStorage).filter((k) => k.startsWith("qualirepar:intake:")).forEach((k) => {
    try {
      const s = JSON.parse(localStorage.getItem(k));
      if (!s || !Object.keys(s.pending || {}).length) localStorage.removeItem(k);
    } catch (e) {
      localStorage.removeItem(k);
    }
  });
});
