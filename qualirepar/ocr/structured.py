"""The e-invoice path of the reading job: an invoice that carries its XML (Factur-X / ZUGFeRD PDF,
CII or UBL file) is read from it, exactly, and no OCR runs. When the PDF also has a visible page
with a text layer, its number and total TTC are compared with the XML's: real samples disagree at
times (a total a cent off, another number), and such a field is then doubtful (confidence under
crosscheck.SURE: a person looks, the claim is not blocked silently)."""
from __future__ import annotations

import re
from decimal import Decimal

import pypdfium2 as pdfium
from flask_babel import gettext as _

from ..core.money import french_amount
from ..einvoice import EInvoice, Result
from . import extraction as extract
from .reading import Page, Reading, Word

EXACT = 1.0
DOUBT = 0.4  # the XML and the page disagree: shown, asked, never blocking
GUESS = 0.45  # BT-113 taken for the repair bonus without the XML saying it is one
BONUS_WORDS = ("bonus", "qualirépar", "qualirepar", "fonds réparation", "fonds de réparation")


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def fields_of(invoice: EInvoice) -> dict[str, dict]:
    """The document's fields, in the form the extraction gives them (ISO dates, amounts '1234.56'),
    each with its business term as source (EN 16931)."""
    seller, found = invoice.seller, {}

    def put(name, value, term, confidence=EXACT):
        if value not in (None, ""):
            found[name] = {"value": value, "confidence": confidence, "source": f"XML · {term}"}

    put("number", invoice.number, "BT-1")
    put("date", invoice.issue_date.isoformat() if invoice.issue_date else None, "BT-2")
    put("total_ht", _amount(invoice.total_ht), "BT-109")
    put("vat", _amount(invoice.total_vat), "BT-110")
    put("total_ttc", _amount(invoice.total_ttc), "BT-112")
    if invoice.prepaid:
        said = any(word in note.lower() for note in invoice.notes for word in BONUS_WORDS)
        put("bonus", _amount(invoice.prepaid), "BT-113", EXACT if said else GUESS)
    put("amount_due", _amount(invoice.amount_due), "BT-115")
    put("seller_name", seller.name, "BT-27")
    put("siret", seller.siret, "BT-30")
    put("siren", seller.siren, "BT-30")
    put("vat_number", seller.vat_number, "BT-31")
    put("customer_name", invoice.buyer.name, "BT-44")
    return found


def summary_of(result: Result) -> dict:
    """What the card says of the e-invoice besides its fields (kept in OcrDocument.fields['_einvoice'])."""
    inv = result.invoice
    return {"syntax": inv.syntax, "profile": inv.profile, "level": inv.level, "type_code": inv.type_code,
            "credit_note": inv.credit_note, "currency": inv.currency, "attachment": result.source,
            "schema_valid": result.schema_valid,
            "lines": [{"name": ln.name, "quantity": _amount(ln.quantity), "unit_price": _amount(ln.unit_price),
                       "net": _amount(ln.net), "vat_rate": None if ln.vat_rate is None else str(ln.vat_rate)}
                      for ln in inv.lines[:50]]}


# ---------------------------------------------------------------- the visible page

def page_reading(data: bytes, max_pages: int) -> Reading | None:
    """The text layer of the PDF's first pages, without OCR; None when it has no usable text."""
    pdf = pdfium.PdfDocument(data)
    pages = []
    try:
        for index in range(min(len(pdf), max_pages)):
            page = pdf[index]
            textpage = page.get_textpage()
            try:
                raw = textpage.get_text_range()
            finally:
                textpage.close()
                page.close()
            text = "\n".join(" ".join(line.split()) for line in raw.replace("\r", "\n").split("\n")).strip()
            pages.append(Page(text, [Word(w, 100.0) for w in text.split()], "text", 0.0))
    finally:
        pdf.close()
    if sum(len(p.text) for p in pages) < 40:
        return None
    return Reading(pages)


def _compact(text: str) -> str:
    return re.sub(r"[\s\-_/.]", "", text or "").upper()


def _printed(amount: Decimal, text: str) -> bool:
    """The amount is printed on the page, in any of the usual ways (1 234,56 · 1.234,56 · 1,234.56)."""
    whole, _sep, decimals = f"{abs(amount):.2f}".partition(".")
    groups = [whole[max(0, i - 3):i] for i in range(len(whole), 0, -3)][::-1]
    pattern = r"(?<![\d.,])" + r"[\s.,'\u00a0\u202f]?".join(groups) + r"[.,]" + decimals + r"(?!\d)"
    return re.search(pattern, text) is not None


def disagreements(invoice: EInvoice, reading: Reading) -> dict[str, str | None]:
    """field -> what the page says instead (None: the XML's value is not on the page), for the number
    (BT-1) and the total TTC (BT-112)."""
    text = reading.text
    page = extract.invoice_fields(reading)
    out: dict[str, str | None] = {}
    if invoice.number and _compact(invoice.number) not in _compact(text):  # printed anywhere: it agrees
        seen = page.get("number")
        out["number"] = seen.value if seen else None
    if invoice.total_ttc is not None:
        seen = page.get("total_ttc")
        value = Decimal(seen.value) if seen else None
        if value is not None and abs(value) == abs(invoice.total_ttc):  # a credit note's page may print it negative
            pass
        elif value is not None and seen.confidence >= 0.5:
            out["total_ttc"] = seen.value
        elif not _printed(invoice.total_ttc, text):
            out["total_ttc"] = seen.value if seen else None
    return out


def disagreement_note(name: str, xml_value: str, page_value: str | None) -> str:
    """In French, as the card shows it."""
    label = {"number": _("numéro"), "total_ttc": _("total TTC")}[name]
    if name == "total_ttc":
        xml_value = french_amount(Decimal(xml_value)) + " €"
        page_value = french_amount(Decimal(page_value)) + " €" if page_value is not None else None
    if page_value is None:
        return _("La facture électronique et la page ne concordent pas : %(f)s %(x)s dans le XML, introuvable sur la page.",
                 f=label, x=xml_value)
    return _("La facture électronique et la page ne concordent pas : %(f)s %(x)s dans le XML, %(p)s sur la page.",
             f=label, x=xml_value, p=page_value)
