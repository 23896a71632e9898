// Signature pads: drawn with a finger (pointer events), sent as a PNG data URL with the form.
document.querySelectorAll("[data-signature-form]").forEach((form) => {
  const canvas = form.querySelector("canvas");
  const pad = new SignaturePad(canvas, { minWidth: 1, maxWidth: 3, penColor: "#1a1a6e" });
  const fit = () => {
    const ratio = Math.max(window.devicePixelRatio || 1, 1);
    const data = pad.toData();
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    canvas.getContext("2d").scale(ratio, ratio);
    pad.clear();
    pad.fromData(data);
  };
  window.addEventListener("resize", fit);
  fit();
  form.querySelector("[data-signature-clear]").addEventListener("click", () => pad.clear());
  form.addEventListener("submit", () => {
    form.querySelector("input[name=signature]").value = pad.isEmpty() ? "" : pad.toDataURL("image/png");
  });
});
