"""The OCR test corpus, generated (seeded) at test and bench time, never stored as binaries.

Invoices in four layouts, each with its ground truth:

- ``qualirepar``: the app's own invoice PDF (templates/billing/invoice_pdf.html through
  billing.invoices.render_invoice_page, the page without its Factur-X XML, in a bare Flask app with the app's template filters);
- ``atelier``: a competitor's workshop software (coloured header, "FACTURE N°", "Déduction bonus");
- ``simple``: a plain bordered table in a serif font, long dates ("30 novembre 2026");
- ``moderne``: a two-column layout, dotted dates, "Sous-total HT", "Bonus QualiRépar", SIREN.

Each invoice PDF becomes a scan: rasterised (pypdfium2) at 150–300 dpi, then damaged the way a
scanner or a phone does it (small rotation, a quarter turn for some, blur, noise, JPEG artefacts),
as a JPEG/PNG image or as an image-only PDF. Nameplates are drawn with PIL: a metal plate on an
appliance, brand styles with their usual labels, photographed (tilt, uneven light, blur, noise).
"""
from __future__ import annotations

import datetime as dt
import io
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from types import SimpleNamespace

from PIL import Image, ImageDraw, ImageFilter, ImageFont
from stdnum import luhn

ROOT = Path(__file__).resolve().parents[2]
# Fonts of Debian's fonts-dejavu-core, found by name in the system's font folders (Pillow looks there).
CENT = Decimal("0.01")

INVOICE_FIELDS = ("number", "date", "total_ttc", "total_ht", "vat", "bonus", "siret", "siren", "vat_number", "customer_name")
NAMEPLATE_FIELDS = ("serial_number", "model")
LAYOUTS = ("qualirepar", "atelier", "simple", "moderne")
DAMAGES = ("clean", "scan200", "scan150", "phone", "rot90", "rot180", "pdfscan")
PHOTO_VARIANTS = ("plain", "glare", "small", "exif90", "raw90", "heic")


@dataclass
class Sample:
    name: str
    kind: str  # invoice or nameplate
    data: bytes
    content_type: str
    truth: dict[str, str]
    meta: dict = field(default_factory=dict)


# ---------------------------------------------------------------- invoice data

FIRST = ["Jean", "Sophie", "Paul", "Camille", "Nicolas", "Isabelle", "Thomas", "Nathalie", "Julien", "Céline",
         "Pierre", "Aurélie", "Michel", "Hélène", "François", "Élodie", "Laurent", "Chloé", "Olivier", "Manon"]
LAST = ["Martin", "Bernard", "Dubois", "Durand", "Lefebvre", "Moreau", "Laurent", "Simon", "Michel", "Garcia",
        "Fournier", "Girard", "Bonnet", "Dupont", "Lambert", "Fontaine", "Rousseau", "Vincent", "Muller", "Faure"]
SHOPS = ["Répar'Ménager", "Atelier du Froid", "SOS Électroménager", "Dépann'Express", "Clinique du Lave-Linge",
         "Bricolage Services", "Electro Réparation 35", "Les Réparateurs Associés"]
STREETS = ["rue de la République", "avenue Jean Jaurès", "boulevard Voltaire", "rue des Lilas", "place du Marché",
           "rue Victor Hugo", "allée des Tilleuls", "chemin du Moulin"]
CITIES = [("75011", "Paris"), ("69003", "Lyon"), ("35000", "Rennes"), ("33000", "Bordeaux"), ("59000", "Lille"),
          ("44000", "Nantes"), ("31000", "Toulouse"), ("67000", "Strasbourg")]
APPLIANCES = [("Lave-linge", "Bosch", "WAN28208FF"), ("Lave-vaisselle", "Siemens", "SN236I00KE"),
              ("Réfrigérateur", "Samsung", "RB34T602ESA"), ("Sèche-linge", "Electrolux", "EW8H4823RA"),
              ("Four", "Whirlpool", "AKZ96230IX"), ("Lave-linge", "Brandt", "BWF8617W")]
PARTS = [("Pompe de vidange", "00145777", "42.50"), ("Courroie d'entraînement", "1323531102", "18.90"),
         ("Carte électronique de puissance", "AS0040678", "214.00"), ("Résistance de chauffage", "C00094823", "38.75"),
         ("Joint de hublot", "00772659", "54.20"), ("Compresseur", "DA97-15217D", "586.00"),
         ("Thermostat", "481228238188", "27.60"), ("Moteur de ventilation", "DA31-00146E", "96.40")]
BONUSES = ["15", "20", "25", "30", "40", "45", "50", "60"]
ORGANISMS = ["ecosystem", "ecologic"]


def siren_from(rng: random.Random) -> str:
    base = f"{rng.randrange(10**7, 10**8 - 1):08d}"
    while base[0] == "0":
        base = f"{rng.randrange(10**7, 10**8 - 1):08d}"
    return base + luhn.calc_check_digit(base)


def siret_from(rng: random.Random, siren: str) -> str:
    body = siren + f"{rng.randrange(1, 300):04d}"
    return body + luhn.calc_check_digit(body)


def vat_number_of(siren: str) -> str:
    return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def euros(value: Decimal, space: str = "\u202f", sign: str = " €") -> str:
    """1 234,56 € as French software prints it (the separator varies)."""
    whole, cents = f"{abs(value):.2f}".split(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return ("-" if value < 0 else "") + space.join(groups) + "," + cents + sign


def invoice_data(seed: int) -> SimpleNamespace:
    rng = random.Random(seed)
    siren = siren_from(rng)
    siret = siret_from(rng, siren)
    postcode, city = rng.choice(CITIES)
    cpost, ccity = rng.choice(CITIES)
    product, brand, model = rng.choice(APPLIANCES)
    labour = money(rng.choice(["45", "55", "60", "65", "72.50", "80"]))
    lines = [SimpleNamespace(kind="labour", label="Main-d'œuvre réparation", part_reference=None, part_origin=None,
                             quantity=Decimal(1), unit_price=labour, vat_rate=Decimal(20), total_ht=labour)]
    if rng.random() < 0.7:
        travel = money(rng.choice(["25", "30", "35", "39.90"]))
        lines.append(SimpleNamespace(kind="travel", label="Déplacement", part_reference=None, part_origin=None,
                                     quantity=Decimal(1), unit_price=travel, vat_rate=Decimal(20), total_ht=travel))
    for label, ref, price in rng.sample(PARTS, rng.choice([1, 1, 2])):
        qty = Decimal(rng.choice([1, 1, 1, 2]))
        lines.append(SimpleNamespace(kind="part", label=label, part_reference=ref, part_origin=rng.choice(["new", "reused"]),
                                     quantity=qty, unit_price=money(price), vat_rate=Decimal(20), total_ht=money(qty * Decimal(price))))
    total_ht = sum((line.total_ht for line in lines), Decimal(0))
    vat = money(total_ht * Decimal("0.2"))
    ttc = total_ht + vat
    bonus = money(rng.choice([b for b in BONUSES if Decimal(b) < ttc]))
    day = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(0, 365))
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return SimpleNamespace(
        seed=seed, siren=siren, siret=siret, vat_number=vat_number_of(siren), shop=rng.choice(SHOPS),
        street=f"{rng.randrange(1, 140)} {rng.choice(STREETS)}", postcode=postcode, city=city,
        phone=f"0{rng.randrange(1, 6)} {rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)} {rng.randrange(10, 99)}",
        email="contact@atelier-exemple.fr", label_number=f"QR-{rng.randrange(10000, 99999)}",
        title=rng.choice(["M.", "Mme"]), first=first, last=last,
        cstreet=f"{rng.randrange(1, 140)} {rng.choice(STREETS)}", cpostcode=cpost, ccity=ccity,
        product=product, brand=brand, model=model, serial=f"{rng.randrange(10**8, 10**9)}",
        order=f"R{day.year}-{rng.randrange(1, 9999):05d}", lines=lines, total_ht=total_ht, vat=vat, total_ttc=ttc,
        bonus=bonus, organism=rng.choice(ORGANISMS), net=ttc - bonus, day=day, seq=rng.randrange(1, 4000))


MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]


def invoice_number(d: SimpleNamespace, layout: str) -> str:
    return {"qualirepar": f"F{d.day.year}-{d.seq:05d}", "atelier": f"FA-{d.day.year}-{d.seq:04d}",
            "simple": f"{d.day.year}/{d.seq}", "moderne": f"INV{d.day.strftime('%y%m')}{d.seq:04d}"}[layout]


def invoice_truth(d: SimpleNamespace, layout: str) -> dict[str, str]:
    name = {"qualirepar": f"{d.last.upper()} {d.first}", "atelier": f"{d.first} {d.last.upper()}",
            "simple": f"{d.first} {d.last}", "moderne": f"{d.last.upper()} {d.first}"}[layout]
    return {"number": invoice_number(d, layout), "date": d.day.isoformat(), "total_ttc": f"{d.total_ttc:.2f}",
            "total_ht": f"{d.total_ht:.2f}", "vat": f"{d.vat:.2f}", "bonus": f"{d.bonus:.2f}", "siret": d.siret,
            "siren": d.siren, "vat_number": d.vat_number, "customer_name": name}


# ---------------------------------------------------------------- invoice PDFs

@lru_cache(maxsize=1)
def _bare_app():
    """The app's template and filters without a database: enough to render the invoice PDF."""
    from flask import Flask
    from flask_babel import Babel

    from qualirepar import _register_template_helpers

    app = Flask("qualirepar_corpus", template_folder=str(ROOT / "templates"))
    app.config.update(BABEL_DEFAULT_LOCALE="fr", BABEL_DEFAULT_TIMEZONE="Europe/Paris")
    Babel(app, locale_selector=lambda: "fr", timezone_selector=lambda: "Europe/Paris")
    _register_template_helpers(app)
    return app


def _qualirepar_pdf(d: SimpleNamespace) -> bytes:
    from qualirepar.billing.invoices import render_invoice_page

    invoice = SimpleNamespace(
        number=invoice_number(d, "qualirepar"), kind="invoice", issued_on=d.day,
        seller={"name": d.shop, "siret": d.siret, "vat_number": d.vat_number, "label_number": d.label_number,
                "address": [d.street, f"{d.postcode} {d.city}"], "phone": d.phone, "email": d.email},
        buyer={"title": d.title, "last_name": d.last, "first_name": d.first, "street": d.cstreet, "postcode": d.cpostcode,
               "city": d.ccity},
        appliance={"product": d.product, "brand": d.brand, "model": d.model, "serial": d.serial, "order": d.order},
        vat_breakdown=[{"rate": "20", "base": str(d.total_ht), "vat": str(d.vat)}],
        total_ht=d.total_ht, total_ttc=d.total_ttc, bonus_amount=d.bonus, bonus_organism=d.organism, amount_due=d.net)
    with _bare_app().test_request_context():
        return render_invoice_page(invoice, d.lines)  # the page alone: the OCR reads it, not its Factur-X XML


_BASE_CSS = "@page { size: A4; margin: 15mm; } body { font-size: 9.5pt; } table { border-collapse: collapse; width: 100%; }"


def _rows(d: SimpleNamespace, fmt) -> str:
    out = []
    for line in d.lines:
        label = line.label + (f" (réf. {line.part_reference})" if line.part_reference else "")
        out.append(fmt(label, line))
    return "\n".join(out)


def _atelier_html(d: SimpleNamespace) -> str:
    e = lambda v: euros(v, " ")  # noqa: E731
    rows = _rows(d, lambda label, ln: f"<tr><td>{label}</td><td class=r>{ln.quantity}</td><td class=r>{e(ln.unit_price)}</td>"
                                      f"<td class=r>{e(ln.total_ht)}</td></tr>")
    return f"""<html><head><meta charset=utf-8><style>{_BASE_CSS}
body {{ font-family: 'DejaVu Sans'; color: #1a1a1a; }}
.band {{ background: #1d4e89; color: white; padding: 4mm 5mm; font-size: 14pt; font-weight: bold; }}
.band small {{ font-size: 8pt; font-weight: normal; display: block; }}
.cols {{ display: flex; justify-content: space-between; margin: 6mm 0; }}
.to {{ background: #eef3f9; padding: 3mm 5mm; width: 70mm; }}
th {{ background: #1d4e89; color: white; padding: 2mm; text-align: left; }} td {{ padding: 2mm; border-bottom: 1px solid #ccd; }}
.r {{ text-align: right; white-space: nowrap; }} .tot {{ width: 90mm; margin: 5mm 0 0 auto; }} .tot td {{ border: none; padding: 1.2mm 2mm; }}
.net td {{ background: #1d4e89; color: white; font-weight: bold; }}
.foot {{ position: fixed; bottom: 0; font-size: 7.5pt; color: #444; text-align: center; width: 100%; }}
</style></head><body>
<div class=band>{d.shop}<small>{d.street} – {d.postcode} {d.city} – Tél. {d.phone}</small></div>
<div class=cols>
 <div><b>FACTURE N° {invoice_number(d, 'atelier')}</b><br>Date : {d.day.strftime('%d/%m/%Y')}<br>Dossier : {d.order}<br>
 Appareil : {d.product} {d.brand} {d.model}</div>
 <div class=to>Facturé à :<br><b>{d.title} {d.first} {d.last.upper()}</b><br>{d.cstreet}<br>{d.cpostcode} {d.ccity}</div>
</div>
<table><tr><th>Désignation</th><th class=r>Qté</th><th class=r>Prix unitaire HT</th><th class=r>Montant HT</th></tr>
{rows}</table>
<table class=tot>
<tr><td>Total HT</td><td class=r>{e(d.total_ht)}</td></tr>
<tr><td>TVA 20 %</td><td class=r>{e(d.vat)}</td></tr>
<tr><td><b>Total TTC</b></td><td class=r><b>{e(d.total_ttc)}</b></td></tr>
<tr><td>Déduction bonus réparation QualiRépar</td><td class=r>-{e(d.bonus)}</td></tr>
<tr class=net><td>Net à payer</td><td class=r>{e(d.net)}</td></tr>
</table>
<p style="margin-top: 8mm; font-size: 8pt">Conditions de paiement : à réception. Garantie pièces et main-d'œuvre 3 mois.</p>
<div class=foot>{d.shop} – SARL au capital de 8 000 € – SIRET {d.siret[:3]} {d.siret[3:6]} {d.siret[6:9]} {d.siret[9:]}
 – N° TVA {d.vat_number} – Réparateur labellisé QualiRépar</div>
</body></html>"""


def _simple_html(d: SimpleNamespace) -> str:
    e = lambda v: euros(v, " ", "")  # noqa: E731
    rows = _rows(d, lambda label, ln: f"<tr><td>{label}</td><td class=r>{ln.quantity}</td><td class=r>{e(ln.unit_price)}</td>"
                                      f"<td class=r>{e(ln.total_ht)}</td></tr>")
    long_date = f"{d.day.day} {MONTHS[d.day.month - 1]} {d.day.year}"
    return f"""<html><head><meta charset=utf-8><style>{_BASE_CSS}
body {{ font-family: 'DejaVu Serif'; font-size: 10pt; }} td, th {{ border: 1px solid #000; padding: 1.5mm 2mm; }}
.r {{ text-align: right; }} h2 {{ font-size: 13pt; margin: 6mm 0 3mm; }}
</style></head><body>
<p><b>{d.shop.upper()}</b><br>{d.street}<br>{d.postcode} {d.city}<br>SIRET : {d.siret}<br>TVA intracom. : {d.vat_number}</p>
<h2>Facture n° {invoice_number(d, 'simple')} du {long_date}</h2>
<p>Client : {d.title} {d.first} {d.last}<br>{d.cstreet}, {d.cpostcode} {d.ccity}</p>
<p>Réparation : {d.product} {d.brand}, modèle {d.model}</p>
<table><tr><th>Désignation</th><th>Qté</th><th>P.U. HT (€)</th><th>Montant HT (€)</th></tr>
{rows}
<tr><td colspan=3 class=r>Montant HT</td><td class=r>{e(d.total_ht)}</td></tr>
<tr><td colspan=3 class=r>TVA (20 %)</td><td class=r>{e(d.vat)}</td></tr>
<tr><td colspan=3 class=r><b>Montant TTC</b></td><td class=r><b>{e(d.total_ttc)}</b></td></tr>
<tr><td colspan=3 class=r>Bonus réparation ({'ecosystem' if d.organism == 'ecosystem' else 'Ecologic'})</td><td class=r>-{e(d.bonus)}</td></tr>
<tr><td colspan=3 class=r><b>Reste à payer</b></td><td class=r><b>{e(d.net)}</b></td></tr>
</table>
<p style="font-size: 8.5pt">Le bonus réparation est déduit de la facture dans le cadre du dispositif QualiRépar.
Paiement comptant. Pas d'escompte.</p>
</body></html>"""


def _moderne_html(d: SimpleNamespace) -> str:
    e = lambda v: euros(v, "")  # noqa: E731
    rows = _rows(d, lambda label, ln: f"<tr><td>{label}</td><td class=r>{ln.quantity}</td><td class=r>{e(ln.total_ht)}</td></tr>")
    return f"""<html><head><meta charset=utf-8><style>{_BASE_CSS}
body {{ font-family: 'DejaVu Sans Condensed', 'DejaVu Sans'; color: #222; }}
.grid {{ display: flex; gap: 10mm; }} .left {{ width: 60mm; border-right: 2px solid #e07a1f; padding-right: 5mm; }}
.right {{ flex: 1; }} h1 {{ color: #e07a1f; font-size: 20pt; margin: 0 0 3mm; letter-spacing: 1px; }}
td {{ padding: 1.6mm 1mm; border-bottom: 1px dotted #999; }} .r {{ text-align: right; }}
.box {{ border: 1px solid #e07a1f; padding: 2mm 3mm; margin-top: 4mm; }}
</style></head><body><div class=grid>
<div class=left><b>{d.shop}</b><br>{d.street}<br>{d.postcode} {d.city}<br>{d.phone}<br><br>
 SIREN {d.siren[:3]} {d.siren[3:6]} {d.siren[6:]}<br>SIRET {d.siret}<br>N° TVA : {d.vat_number}<br><br>
 <b>Client</b><br>{d.last.upper()} {d.first}<br>{d.cstreet}<br>{d.cpostcode} {d.ccity}</div>
<div class=right><h1>FACTURE</h1>
 N° : {invoice_number(d, 'moderne')}<br>Date : {d.day.strftime('%d.%m.%Y')}<br>Intervention : {d.product} {d.brand} {d.model}<br><br>
 <table><tr><td><b>Prestation</b></td><td class=r><b>Qté</b></td><td class=r><b>HT</b></td></tr>{rows}</table>
 <div class=box><table>
 <tr><td>Sous-total HT</td><td class=r>{e(d.total_ht)}</td></tr>
 <tr><td>TVA (20,00 %)</td><td class=r>{e(d.vat)}</td></tr>
 <tr><td>Total TTC</td><td class=r>{e(d.total_ttc)}</td></tr>
 <tr><td>Bonus QualiRépar</td><td class=r>-{e(d.bonus)}</td></tr>
 <tr><td><b>Net à payer</b></td><td class=r><b>{e(d.net)}</b></td></tr></table></div>
</div></div></body></html>"""


def invoice_pdf(d: SimpleNamespace, layout: str) -> bytes:
    if layout == "qualirepar":
        return _qualirepar_pdf(d)
    from weasyprint import HTML

    html = {"atelier": _atelier_html, "simple": _simple_html, "moderne": _moderne_html}[layout](d)
    return HTML(string=html).write_pdf()


# ---------------------------------------------------------------- damage

def rasterise(pdf: bytes, dpi: int) -> Image.Image:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        return doc[0].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        doc.close()


def _noise(img: Image.Image, rng: random.Random, sigma: float) -> Image.Image:
    import numpy as np

    arr = np.asarray(img, dtype=np.float32)
    noisy = arr + np.random.default_rng(rng.randrange(2**32)).normal(0, sigma, arr.shape)
    return Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8), img.mode)


def _encode(img: Image.Image, fmt: str, quality: int = 80, dpi: int = 200) -> bytes:
    buf = io.BytesIO()
    if fmt == "JPEG":
        img.save(buf, "JPEG", quality=quality)
    elif fmt == "PDF":
        img.save(buf, "PDF", resolution=dpi)
    elif fmt == "HEIF":
        import pillow_heif

        pillow_heif.register_heif_opener()
        img.convert("RGB").save(buf, "HEIF", quality=quality)
    else:
        img.save(buf, fmt)
    return buf.getvalue()


def damage(pdf: bytes, kind: str, rng: random.Random) -> tuple[bytes, str, dict]:
    """A scan of the first page: (bytes, content type, what was done)."""
    if kind == "text":
        return pdf, "application/pdf", {}
    dpi = {"clean": 300, "scan200": 200, "scan150": 150, "phone": 170, "rot90": 200, "rot180": 200, "pdfscan": 200}[kind]
    img = rasterise(pdf, dpi)
    meta: dict = {"dpi": dpi}
    if kind != "clean":
        angle = round(rng.uniform(-3, 3), 2) if kind in ("scan150", "phone") else round(rng.uniform(-1.5, 1.5), 2)
        img = img.rotate(angle, resample=Image.BICUBIC, expand=True, fillcolor=255)
        meta["skew"] = angle
    if kind in ("rot90", "rot180"):  # fed into the scanner sideways or upside down
        turn = rng.choice([90, 270]) if kind == "rot90" else 180
        img = img.rotate(turn, expand=True)  # counter-clockwise: `turn` clockwise makes it upright
        meta["turn"] = turn  # clockwise degrees that make it upright
    if kind == "phone":  # uneven light and a grey cast (a photo of the page)
        import numpy as np

        h, w = img.size[1], img.size[0]
        ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
        light = 0.72 + 0.28 * (1 - ((xs / w - 0.3) ** 2 + (ys / h - 0.2) ** 2))
        img = Image.fromarray(np.clip(np.asarray(img, np.float32) * light * 0.92 + 12, 0, 255).astype(np.uint8), "L")
    blur = {"clean": 0, "scan200": 0.6, "scan150": 0.5, "phone": 0.9, "rot90": 0.6, "rot180": 0.6, "pdfscan": 0.5}[kind]
    if blur:
        img = img.filter(ImageFilter.GaussianBlur(blur))
    sigma = {"clean": 2, "scan200": 8, "scan150": 10, "phone": 9, "rot90": 8, "rot180": 8, "pdfscan": 6}[kind]
    img = _noise(img, rng, sigma)
    meta.update(blur=blur, noise=sigma)
    if kind == "pdfscan":
        return _encode(img, "PDF", dpi=dpi), "application/pdf", meta
    if kind == "clean":
        return _encode(img, "PNG"), "image/png", meta
    quality = {"scan200": 60, "scan150": 45, "phone": 55, "rot90": 60, "rot180": 60}[kind]
    meta["jpeg"] = quality
    return _encode(img, "JPEG", quality=quality), "image/jpeg", meta


def invoice_sample(seed: int, layout: str, kind: str) -> Sample:
    d = invoice_data(seed)
    rng = random.Random(f"{seed}-{layout}-{kind}")
    data, ctype, meta = damage(_pdf_cached(seed, layout), kind, rng)
    return Sample(f"invoice-{layout}-{kind}-{seed}", "invoice", data, ctype, invoice_truth(d, layout),
                  {"layout": layout, "damage": kind, **meta})


@lru_cache(maxsize=64)
def _pdf_cached(seed: int, layout: str) -> bytes:
    return invoice_pdf(invoice_data(seed), layout)


# ---------------------------------------------------------------- nameplates

def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(name, size)


def _alnum(rng: random.Random, pattern: str) -> str:
    """A = letter, 9 = digit, anything else as is."""
    out = []
    for ch in pattern:
        if ch == "A":
            out.append(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ"))
        elif ch == "9":
            out.append(rng.choice("0123456789"))
        else:
            out.append(ch)
    return "".join(out)


def nameplate_spec(seed: int, style: str) -> tuple[str, list[str], dict[str, str], dict]:
    """(brand, lines, truth, look) for a plate of a brand style."""
    rng = random.Random(f"plate-{seed}-{style}")
    volts = rng.choice(["220-240 V ~ 50 Hz", "230 V ~ 50 Hz", "220-240V 50Hz"])
    if style == "bsh":
        model = _alnum(rng, rng.choice(["WAN28208FF", "WAT28409FF", "SN236I00KE", "KGN36VLED", "WTH85V08FF"]))
        variant = f"{rng.randrange(1, 40):02d}"
        fd = f"{rng.randrange(8, 10)}{rng.randrange(0, 10)}{rng.randrange(1, 13):02d}"
        brand = rng.choice(["BOSCH", "SIEMENS"])
        lines = [f"E-Nr. {model}/{variant}     FD {fd}", f"Typ/Type WAN28{rng.randrange(100, 999)}",
                 volts + f"   {rng.randrange(8, 16)} A", f"{rng.choice([2000, 2100, 2300])} W   Made in Germany"]
        truth = {"model": model, "serial_number": fd}
        look = {"plate": (206, 208, 210), "ink": (25, 25, 30), "header": None}
    elif style == "bsh_full":
        model = rng.choice(["WAN28208FF", "WAU28PH9FF", "WGG04409FR", "SMS4HVI33E"])
        serial = f"{rng.randrange(10**11, 10**12)}"
        brand = rng.choice(["BOSCH", "SIEMENS", "NEFF"])
        lines = [f"Mod. {model}", f"E-Nr {model}/{rng.randrange(1, 40):02d}", f"FD {rng.randrange(8000, 9912)}",
                 f"S/N {serial}", f"Type: WAN28{rng.randrange(100, 999)}", volts]
        truth = {"model": model, "serial_number": serial}
        look = {"plate": (196, 200, 204), "ink": (30, 30, 34), "header": (30, 30, 34)}
    elif style == "electrolux":
        model = _alnum(rng, rng.choice(["EW6F4822AB", "EW8H4823RA", "ESF5512LOX", "LFR73864CS"]))
        serial = f"{rng.randrange(10**7, 10**8)}"
        brand = rng.choice(["Electrolux", "AEG", "FAURE"])
        pnc = f"{rng.randrange(900, 999)} {rng.randrange(100, 999)} {rng.randrange(100, 999)} {rng.randrange(0, 99):02d}"
        lines = [f"Mod. {model}", f"PNC {pnc}", f"S/N {serial}", f"Type F{rng.randrange(10000, 99999)}",
                 volts, "Made in Italy"]
        truth = {"model": model, "serial_number": serial}
        look = {"plate": (215, 215, 210), "ink": (20, 20, 60), "header": (20, 20, 60)}
    elif style == "samsung":
        model = _alnum(rng, rng.choice(["WW90T534DAW/S3", "RB34T602ESA/EF", "DV80T5220AW/S3"]))
        serial = _alnum(rng, "9A9A9AAA999999A")
        brand = "SAMSUNG"
        lines = [f"Model Code: {model}", f"Serial No.: {serial}", "Made in Poland", volts,
                 f"Rated Power: {rng.randrange(1800, 2400)} W"]
        truth = {"model": model, "serial_number": serial}
        look = {"plate": (235, 236, 238), "ink": (15, 15, 15), "header": None}
    else:  # "fr": Brandt / Fagor / Whirlpool-style French plate
        model = _alnum(rng, rng.choice(["BWF8617W", "FFB8448BVFR", "VH1447", "FQ1476ZJ"]))
        serial = f"{rng.randrange(10**11, 10**12)}"
        brand = rng.choice(["BRANDT", "Whirlpool", "VEDETTE", "FAGOR"])
        lines = [f"Modèle : {model}", f"N° de série : {serial}", f"Réf. {rng.randrange(31000000, 31999999)}",
                 f"Type : LL{rng.randrange(10, 99)}", volts, "Fabriqué en France" if rng.random() < 0.5 else "Made in EU"]
        truth = {"model": model, "serial_number": serial}
        look = {"plate": (200, 195, 185), "ink": (35, 30, 25), "header": (160, 20, 25)}
    return brand, lines, truth, look


NAMEPLATE_STYLES = ("bsh", "bsh_full", "electrolux", "samsung", "fr")


def draw_nameplate(seed: int, style: str, variant: str = "plain") -> tuple[bytes, str, dict[str, str], dict]:
    """A phone photo of the appliance's plate. variant: plain; glare (a reflection, less contrast);
    small (taken from further away: letters ~15 px); exif90 (held sideways, EXIF orientation set);
    raw90 (held sideways, no EXIF); heic (saved as HEIC)."""
    import numpy as np

    rng = random.Random(f"photo-{seed}-{style}")
    brand, lines, truth, look = nameplate_spec(seed, style)
    size = rng.choice([26, 28, 30, 32, 34])
    body = _font(rng.choice(["DejaVuSans.ttf", "DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf"]), size)
    head = _font("DejaVuSans-Bold.ttf", int(size * 1.5))
    pad = int(size * 0.9)
    width = max(int(body.getlength(line)) for line in lines) + 2 * pad + 120
    header_h = int(size * 2.4)
    height = header_h + len(lines) * int(size * 1.55) + 2 * pad
    plate_colour = look["plate"]
    ink = look["ink"]
    if variant == "glare":  # worn print: the ink closer to the metal
        ink = tuple(min(255, c + 70) for c in ink)
    plate = Image.new("RGB", (width, height), plate_colour)
    # brushed metal: horizontal streaks
    streaks = np.random.default_rng(rng.randrange(2**32)).normal(0, 6, (height, 1)).repeat(width, axis=1)
    grain = np.random.default_rng(rng.randrange(2**32)).normal(0, 3, (height, width))
    base = np.asarray(plate, np.float32) + (streaks + grain)[..., None]
    plate = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(plate)
    if look["header"]:
        draw.rectangle([0, 0, width, header_h - 8], fill=look["header"])
        draw.text((pad, int(size * 0.35)), brand, font=head, fill=(235, 235, 235))
    else:
        draw.text((pad, int(size * 0.35)), brand, font=head, fill=ink)
    y = header_h + pad // 2
    for line in lines:
        draw.text((pad, y), line, font=body, fill=ink)
        y += int(size * 1.55)
    # a CE mark and rivets
    draw.text((width - 110, height - size - pad), "CE", font=_font("DejaVuSans-Bold.ttf", size), fill=ink)
    for x, yy in ((10, 10), (width - 22, 10), (10, height - 22), (width - 22, height - 22)):
        draw.ellipse([x, yy, x + 12, yy + 12], fill=(120, 120, 120))
    draw.rectangle([0, 0, width - 1, height - 1], outline=(90, 90, 90), width=3)
    # the appliance around it, the plate slightly turned
    angle = rng.uniform(-4, 4)
    mask = Image.new("L", plate.size, 255)
    plate = plate.rotate(angle, resample=Image.BICUBIC, expand=True)
    mask = mask.rotate(angle, resample=Image.BICUBIC, expand=True)
    canvas_w, canvas_h = plate.size[0] + rng.randrange(120, 300), plate.size[1] + rng.randrange(120, 300)
    canvas = Image.new("RGB", (canvas_w, canvas_h), (rng.randrange(225, 245),) * 3)
    canvas.paste(plate, (rng.randrange(30, canvas_w - plate.size[0] - 30), rng.randrange(30, canvas_h - plate.size[1] - 30)), mask)
    arr = np.asarray(canvas, np.float32)
    ys, xs = np.mgrid[0:canvas_h, 0:canvas_w].astype(np.float32)
    cx, cy = rng.uniform(0.2, 0.8), rng.uniform(0.2, 0.8)
    light = 0.75 + 0.3 * np.exp(-(((xs / canvas_w - cx) ** 2) + ((ys / canvas_h - cy) ** 2)) * 3)
    arr = arr * light[..., None]
    if variant == "glare":  # a reflection of the flash on the metal
        gx, gy = rng.uniform(0.3, 0.7) * canvas_w, rng.uniform(0.3, 0.7) * canvas_h
        spot = np.exp(-(((xs - gx) / (canvas_w * 0.12)) ** 2 + ((ys - gy) / (canvas_h * 0.08)) ** 2))
        arr = arr + 110 * spot[..., None]
    arr += np.random.default_rng(rng.randrange(2**32)).normal(0, 5, arr.shape)
    photo = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(rng.uniform(0.6, 1.1)))
    if variant == "small":
        factor = rng.uniform(0.5, 0.6)
        photo = photo.resize((int(canvas_w * factor), int(canvas_h * factor)), Image.BILINEAR)
    meta = {"style": style, "variant": variant, "brand": brand, "tilt": round(angle, 2), "font_px": size}
    exif = None
    if variant in ("exif90", "raw90"):
        photo = photo.rotate(90, expand=True)  # the phone held sideways: the picture a quarter turn off
        if variant == "exif90":
            exif = Image.Exif()
            exif[0x0112] = 6  # "turn 90° clockwise to show": what phones write
        else:
            meta["turn"] = 90
    fmt = "HEIF" if variant == "heic" else "JPEG"
    quality = rng.randrange(60, 85)
    if exif is not None:
        buf = io.BytesIO()
        photo.save(buf, "JPEG", quality=quality, exif=exif)
        data = buf.getvalue()
    else:
        data = _encode(photo, fmt, quality=quality)
    return data, {"JPEG": "image/jpeg", "HEIF": "image/heic"}[fmt], truth, meta


def nameplate_sample(seed: int, style: str, variant: str = "plain") -> Sample:
    data, ctype, truth, meta = draw_nameplate(seed, style, variant)
    return Sample(f"nameplate-{style}-{variant}-{seed}", "nameplate", data, ctype, truth, meta)


# ---------------------------------------------------------------- sets

def full_corpus(seeds: int = 2, first: int = 0) -> list[Sample]:
    """The bench's corpus: every layout with every damage (and the text-layer PDF), half of the
    plate style × photo combinations, for rounds first .. first + seeds - 1 (each round other
    invoices and plates)."""
    out = []
    for s in range(first, first + seeds):
        for i, layout in enumerate(LAYOUTS):
            for j, kind in enumerate(("text",) + DAMAGES):
                out.append(invoice_sample(1000 + 37 * s + 7 * i + j, layout, kind))
        for k, style in enumerate(NAMEPLATE_STYLES):
            for v, variant in enumerate(PHOTO_VARIANTS):
                if (k + v + s) % 2 == 0:  # half of the style × photo combinations each round
                    out.append(nameplate_sample(2000 + 13 * s + 5 * k + v, style, variant))
    return out


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header claims a huge picture (a decompression bomb)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + b"\x00" * width  # grayscale rows of zeros compress to almost nothing
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(8)) + compressor.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", data) + chunk(b"IEND", b""))
