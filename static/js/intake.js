// The bon de prise en charge keeps a copy of every value in the browser (localStorage) until the
// server has it. htmx saves each field as it is left; when that fails (no network), the values
// wait here and are sent as soon as the connection comes back, or when the page is opened again.
(function () {
  const PREFIX = "qualirepar:intake:";
  const form = document.getElementById("intake-form");

  // On the order page after a successful intake: the draft is done, forget it.
  document.querySelectorAll("[data-clear-draft]").forEach((el) => localStorage.removeItem(PREFIX + el.dataset.clearDraft));
  if (!form) return;

  const key = form.dataset.draftKey;
  const url = form.dataset.draftUrl;
  const banner = document.getElementById("offline-banner");
  const csrf = form.querySelector("input[name=csrf_token]").value;
  let state = load();

  function load() {
    try {
      return JSON.parse(localStorage.getItem(PREFIX + key)) || { values: {}, pending: {} };
    } catch (e) {
      return { values: {}, pending: {} };
    }
  }
  function persist() {
    state.updated = Date.now();
    state.user = form.dataset.user; // offered back to this user only (a tablet may be shared)
    localStorage.setItem(PREFIX + key, JSON.stringify(state));
  }
  function fields(name) {
    return Array.from(form.querySelectorAll("[data-draft-field]")).filter((el) => !name || el.name === name);
  }
  function valueOf(name) {
    const els = fields(name);
    if (els.length && els[0].type === "radio") {
      const on = els.find((el) => el.checked);
      return on ? on.value : "";
    }
    return els.length ? els[0].value : "";
  }
  function setValue(name, value) {
    fields(name).forEach((el) => {
      if (el.type === "radio") el.checked = el.value === value;
      else el.value = value;
    });
  }
  function remember(name) {
    state.values[name] = valueOf(name);
    state.pending[name] = true;
    persist();
  }
  function offline(on) {
    if (banner) banner.classList.toggle("d-none", !on);
  }
  function showErrors(errors) {
    Object.entries(errors || {}).forEach(([name, messages]) => {
      const el = fields(name)[0];
      const box = el && document.getElementById(el.id.replace(/-\d+$/, "") + "-feedback");
      if (box) box.innerHTML = messages.map((m) => '<div class="invalid-feedback d-block"></div>').join("");
      if (box) box.querySelectorAll(".invalid-feedback").forEach((div, i) => (div.textContent = messages[i]));
      if (el) el.classList.toggle("is-invalid", messages.length > 0);
    });
  }

  // Send every value not yet confirmed by the server (plus the whole form, cheap and safe).
  let flushing = false;
  async function flush() {
    const names = Object.keys(state.pending);
    if (!names.length || flushing) return;
    flushing = true;
    const body = new FormData();
    fields().forEach((el) => {
      if (el.type !== "radio" || el.checked) body.append(el.name, el.value);
    });
    names.forEach((n) => body.append("_fields", n)); // only these are checked: the others were not touched
    try {
      const resp = await fetch(url, { method: "POST", body, headers: { "X-CSRFToken": csrf, Accept: "application/json" }, credentials: "same-origin" });
      if (!resp.ok) throw new Error(String(resp.status));
      const answer = await resp.json();
      names.forEach((n) => {
        if (state.values[n] === valueOf(n)) delete state.pending[n];
      });
      persist();
      showErrors(answer.errors);
      offline(false);
    } catch (e) {
      offline(true);
    } finally {
      flushing = false;
    }
  }

  // Restore what this tablet kept and the server never got (the page was reloaded offline, or the
  // tablet was closed before the network came back).
  Object.keys(state.pending).forEach((name) => setValue(name, state.values[name]));
  if (Object.keys(state.pending).length) flush();

  form.addEventListener("input", (e) => e.target.dataset && "draftField" in e.target.dataset && remember(e.target.name));
  form.addEventListener("change", (e) => {
    if (!(e.target.dataset && "draftField" in e.target.dataset)) return;
    remember(e.target.name);
    if (!e.target.hasAttribute("hx-post")) flush(); // the brand (its htmx serves suggestions) and hidden fields
  });
  // htmx saved a field: what it sent is on the server now.
  document.body.addEventListener("htmx:afterRequest", (e) => {
    const el = e.detail.elt;
    if (!el || !el.dataset || !("draftField" in el.dataset) || !form.contains(el)) return;
    if (e.detail.successful) {
      if (state.values[el.name] === valueOf(el.name)) delete state.pending[el.name];
      persist();
      offline(false);
      flush(); // anything left from a lost connection goes with it
    } else if (!e.detail.xhr || !e.detail.xhr.status) {
      offline(true);
    }
  });
  // The field's message came back: mark the input as the message says.
  document.body.addEventListener("htmx:afterSwap", (e) => {
    const box = e.detail.target;
    if (!box || !box.dataset || !box.dataset.feedbackFor) return;
    const bad = !!box.querySelector(".invalid-feedback");
    form.querySelectorAll('[id="' + box.dataset.feedbackFor + '"], [id^="' + box.dataset.feedbackFor + '-"]').forEach((el) => {
      if (el.tagName !== "DIV") el.classList.toggle("is-invalid", bad);
    });
  });
  // A customer picked from the search: the block was replaced, save it like typed values.
  document.body.addEventListener("htmx:afterSettle", (e) => {
    if (e.detail.target && e.detail.target.id === "customer-fields" || (e.detail.elt && e.detail.elt.id === "customer-fields")) {
      ["customer_id", "title", "last_name", "first_name", "street", "postcode", "city", "phone", "email"].forEach(remember);
      flush();
    }
  });
  window.addEventListener("online", flush);
  window.addEventListener("offline", () => offline(true));
  setInterval(() => navigator.onLine && flush(), 15000);

  // Submitting without network would lose the page: keep it, and say so.
  form.addEventListener("submit", (e) => {
    if (!navigator.onLine) {
      e.preventDefault();
      offline(true);
      window.scrollTo(0, 0);
    }
  });

  // Other bons typed on this tablet and never sent: offer to resume them.
  const others = document.getElementById("local-drafts");
  if (others) {
    const found = [];
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i);
      if (!k.startsWith(PREFIX) || k === PREFIX + key) continue;
      try {
        const s = JSON.parse(localStorage.getItem(k));
        if (s && s.user === form.dataset.user && Object.keys(s.pending || {}).length) found.push({ key: k.slice(PREFIX.length), s });
      } catch (e) { /* not ours */ }
    }
    if (found.length) {
      others.textContent = others.dataset.text + " ";
      found.forEach(({ key: k, s }) => {
        const a = document.createElement("a");
        a.href = others.dataset.url + "?brouillon=" + encodeURIComponent(k);
        a.className = "btn btn-sm btn-primary ms-2";
        a.textContent = others.dataset.resume + " " + [s.values.last_name, s.values.first_name].filter(Boolean).join(" ");
        others.appendChild(a);
      });
      others.classList.remove("d-none");
    }
  }
})();
