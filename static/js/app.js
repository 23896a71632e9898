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

// Automatic reading of a document chosen in a form (a nameplate photo on the bon de prise en
// charge): sent on its own, its card then follows the reading (htmx polls it) and offers to copy
// what was read into the form, where the technician checks it before saving.
(function () {
  function csrf() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }
  document.addEventListener("change", async (ev) => {
    const input = ev.target.closest && ev.target.closest("input[data-ocr-upload]");
    if (!input || !input.files.length) return;
    ev.stopPropagation();
    const out = document.querySelector(input.dataset.ocrResult);
    const data = new FormData();
    data.append("file", input.files[0]);
    data.append("kind", input.dataset.ocrKind);
    data.append("target", input.dataset.ocrTarget || "");
    out.textContent = input.dataset.sending || "…";
    try {
      const resp = await fetch(input.dataset.ocrUpload, { method: "POST", body: data, headers: { "HX-Request": "true", "X-CSRFToken": csrf() } });
      out.innerHTML = await resp.text();
      if (window.htmx) window.htmx.process(out);
    } catch (e) {
      out.textContent = input.dataset.offline || "";
    }
    input.value = "";
  }, true);
  document.addEventListener("click", (ev) => {
    const button = ev.target.closest && ev.target.closest("[data-ocr-fill]");
    if (!button) return;
    const form = document.querySelector(button.dataset.ocrFill);
    const names = { serialNumber: "serial_number", model: "commercial_reference" };
    Object.entries(names).forEach(([key, name]) => {
      const el = form && form.querySelector(`[name="${name}"]`);
      if (el && button.dataset[key]) {
        el.value = button.dataset[key];
        el.dispatchEvent(new Event("input", { bubbles: true }));
        el.dispatchEvent(new Event("change", { bubbles: true }));
        el.classList.add("is-valid");
      }
    });
  });
})();

// Without inline scripts or handlers (the Content-Security-Policy of qualirepar/headers.py allows
// scripts from static/ only, and htmx runs without eval), the few behaviours pages declare by
// data attributes:
// - data-confirm on a form: asked before it is sent; data-forget names a saved draft it removes.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (!form) return;
  if (!window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
    return;
  }
  if (form.dataset.forget) localStorage.removeItem(form.dataset.forget);
}, true);
// - named events for htmx triggers that used filters: a file chosen; the appliance's type or brand, or the kind of customer, changed.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (target.type === "file") target.dispatchEvent(new CustomEvent("qr:file-chosen", { bubbles: true }));
  if (target.id === "product_type" || target.id === "brand" || target.name === "customer_kind") {
    target.dispatchEvent(new CustomEvent("qr:appliance-changed", { bubbles: true }));
  }
});
// - data-swap-422: a refused upload (422) is swapped in like a success, so the gallery keeps working.
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.xhr.status === 422 && event.target.closest("[data-swap-422]")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
// - the audit pack: the bons are offered by default for a short period; follow the dates until the box is touched.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("[data-bons-days]");
  const from = document.getElementById("date_from"), to = document.getElementById("date_to"), box = document.getElementById("bons");
  if (!form || !from || !to || !box) return;
  let touched = false;
  box.addEventListener("change", () => { touched = true; });
  const follow = () => {
    if (touched || !from.value || !to.value) return;
    const days = (Date.parse(to.value) - Date.parse(from.value)) / 86400000 + 1;
    box.checked = days > 0 && days <= Number(form.dataset.bonsDays);
  };
  from.addEventListener("change", follow);
  to.addEventListener("change", follow);
});
// - a control point's form: the unit and limits for a measure only, the options for a choice only.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-point-form]").forEach((form) => {
    const kind = form.querySelector("select[name=kind]");
    if (!kind) return;
    const sync = () => form.querySelectorAll("[data-kinds]").forEach((el) => {
      el.hidden = !el.dataset.kinds.split(" ").includes(kind.value);
    });
    kind.addEventListener("change", sync);
    sync();
  });
});
