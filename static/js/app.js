// Small behaviours shared by every page. htmx does the rest.
document.addEventListener("htmx:responseError", (event) => {
  // A fragment that failed still shows its French error page in place of silence.
  const xhr = event.detail.xhr;
  if (xhr.status >= 400 && xhr.responseText && event.detail.target) {
    event.detail.target.innerHTML = xhr.responseText;
  }
});
document.addEventListener("htmx:sendError", () => {
  const box = document.getElementById("flashes");
  if (box) {
    box.insertAdjacentHTML("beforeend",
      '<div class="alert alert-warning" role="alert">' + (document.documentElement.lang === "en"
        ? "No connection: nothing was lost, try again when the network is back."
        : "Pas de connexion : rien n'est perdu, réessayez quand le réseau revient.") + "</div>");
  }
});
