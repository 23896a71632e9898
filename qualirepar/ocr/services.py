"""Documents to read: accepted by content, stored, read by an RQ job with its progress on the row.

An invoice that carries its XML (Factur-X / ZUGFeRD PDF, CII or UBL file) is read from it, exactly,
without OCR (`structured`). Otherwise the page is read: a PDF's text layer, or Tesseract. Without
Tesseract (or when it fails) the document says "lecture automatique indisponible" and everything
else goes on; a PDF with a text layer is still read, it needs no OCR.
"""
from __future__ import annotations

import io
import logging
import re
import time

import pillow_heif
import pypdfium2 as pdfium
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from PIL import Image

from ..core import queue
from .. import einvoice
from ..core.clock import utcnow
from ..extensions import db
from ..files.models import StoredFile
from ..files.services import MAX_PIXELS, UploadRejected, store_bytes, store_checked
from ..files.storage import get_storage
from . import extraction as extract
from . import reader, structured
from .models import KINDS, OcrDocument

log = logging.getLogger(__name__)
MAX_BYTES = 15 * 1024 * 1024  # a multi-page scan, or a phone photo
ACCEPTED = {"application/pdf", "image/jpeg", "image/png"}
XML = "application/xml"  # a CII or UBL e-invoice on its own, for invoices
MAX_PAGES = 10  # a longer PDF: its first pages are read, and the card says so
# Words of a page that is an invoice (fr, en, de, nl): without any, what was read is not one.
INVOICE_WORDS = re.compile(r"factur|invoice|rechnung|factuur|\bavoir|credit ?note|gutschrift|total|montant|net à payer|"
                           r"amount|betrag|summe|totaal|bedrag|\b(?:ttc|tva|vat|mwst|ust|btw)\b", re.IGNORECASE)
UNAVAILABLE = _l("Lecture automatique indisponible : Tesseract n'est pas installé ou ne répond pas sur ce serveur.")


def _is_heic(data: bytes) -> bool:
    return data[4:12] in (b"ftypheic", b"ftypheix", b"ftyphevc", b"ftypmif1", b"ftypmsf1")


def accept(upload, purpose: str) -> StoredFile:
    """A PDF, JPEG, PNG or HEIC (an iPhone photo, stored as JPEG), checked by its bytes; for an
    invoice also a CII or UBL XML file (recognised by its content, not its name)."""
    if upload is None or not getattr(upload, "filename", ""):
        raise UploadRejected(_l("Choisissez un fichier."))
    data = upload.read(MAX_BYTES + 1)
    name = upload.filename or "document"
    if "nameplate" not in purpose and len(data) <= MAX_BYTES and einvoice.looks_like_xml_invoice(data):
        return store_checked(data, name, purpose, XML, ".xml")
    if len(data) <= MAX_BYTES and _is_heic(data):
        data, name = _heic_to_jpeg(data), name.rsplit(".", 1)[0] + ".jpg"
    return store_bytes(data, name, purpose, ACCEPTED, MAX_BYTES)


def _heic_to_jpeg(data: bytes) -> bytes:
    try:
        pillow_heif.register_heif_opener()
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > MAX_PIXELS:
                raise UploadRejected(_l("Image trop grande (%(mp)s mégapixels au plus).", mp=MAX_PIXELS // 1_000_000))
            out = io.BytesIO()
            img.convert("RGB").save(out, "JPEG", quality=90)
            return out.getvalue()
    except UploadRejected:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken or unsupported HEIC
        raise UploadRejected(_l("Cette photo HEIC est illisible.")) from exc


def start(stored: StoredFile, kind: str, order_id: int | None = None) -> OcrDocument:
    """Write the row, then queue its reading (the row holds the state the page shows; with Redis
    down, it says so: core.queue.start)."""
    if kind not in KINDS:
        raise ValueError(kind)
    doc = OcrDocument(file_id=stored.id, kind=kind, order_id=order_id)
    db.session.add(doc)
    db.session.commit()
    queue.start(doc, "qualirepar.ocr.tasks.read_document", doc.shop_id, doc.id,
                job_timeout=int(current_app.config.get("OCR_JOB_TIMEOUT", 180)))
    return doc


def read(doc: OcrDocument) -> OcrDocument:
    """Read the document now: from its XML when it is an e-invoice, else its pages (progress written
    after each page); fields at the end."""
    stored = db.session.get(StoredFile, doc.file_id)
    doc.status, doc.error, doc.pages_done = doc.READING, None, 0
    db.session.commit()
    start_at = time.perf_counter()
    data = get_storage().read(stored.storage_key)
    found = _einvoice(data) if doc.kind == "invoice" else einvoice.Result()
    if found.exact:
        _from_xml(doc, data, found)
    elif found.encrypted or (found.found and not einvoice.is_pdf(data)):  # no page to read instead
        doc.status, doc.error = doc.FAILED, " ".join(found.problems)
    else:
        notes = [*found.problems, _("La page a été lue à la place : vérifiez les valeurs.")] if found.found else []
        _from_pages(doc, data, stored.content_type, notes)
    doc.seconds = round(time.perf_counter() - start_at, 2)
    doc.finished_at = utcnow()
    db.session.commit()
    return doc


def _einvoice(data: bytes) -> einvoice.Result:
    try:
        return einvoice.read(data)
    except Exception:  # noqa: BLE001 - the page is still there to be read
        log.exception("e-invoice reading failed")
        return einvoice.Result()


def _from_xml(doc: OcrDocument, data: bytes, found: einvoice.Result) -> None:
    """Fields from the XML, at full confidence; where the visible page says otherwise, doubtful."""
    fields = structured.fields_of(found.invoice)
    notes = []
    page = structured.page_reading(data, MAX_PAGES) if einvoice.is_pdf(data) else None
    if page is not None:
        for name, seen in structured.disagreements(found.invoice, page).items():
            if name in fields:
                notes.append(structured.disagreement_note(name, fields[name]["value"], seen))
                fields[name].update(confidence=structured.DOUBT, page=seen)
    doc.fields = {**fields, "_einvoice": structured.summary_of(found), **({"_notes": notes} if notes else {})}
    doc.text = page.text[:50000] if page else None
    doc.method = doc.XML
    doc.pages_done = doc.pages_total = len(page.pages) if page else 0
    doc.status = doc.DONE


def _from_pages(doc: OcrDocument, data: bytes, content_type: str, notes: list[str]) -> None:
    def progress(done: int, total: int) -> None:
        doc.pages_done, doc.pages_total = done, total
        db.session.commit()

    try:
        reading = reader.read(_first_pages(data, notes), content_type, max_pages=MAX_PAGES,
                              page_timeout=float(current_app.config.get("OCR_PAGE_TIMEOUT", 20)), progress=progress)
    except reader.OcrUnavailable as exc:
        db.session.rollback()
        doc.status, doc.error = doc.UNAVAILABLE, f"{UNAVAILABLE} ({exc})"
    except reader.DocumentRefused as exc:
        db.session.rollback()
        doc.status, doc.error = doc.FAILED, str(exc)
    except Exception as exc:  # noqa: BLE001 - an unexpected failure is shown, not lost
        db.session.rollback()
        log.exception("OCR of document %s failed", doc.id)
        doc.status, doc.error = doc.FAILED, _("La lecture a échoué : %(e)s", e=str(exc)[:200])
    else:
        found = extract.invoice_fields(reading) if doc.kind == "invoice" else extract.nameplate_fields(reading)
        if doc.kind == "invoice" and len("".join(reading.text.split())) < 20:
            notes.append(_("Presque rien n'a pu être lu sur ce document (photo floue, sombre, ou page blanche) : "
                           "reprenez la photo ou saisissez les valeurs à la main."))
        elif doc.kind == "invoice" and not INVOICE_WORDS.search(reading.text):
            found = {}  # a photo of something else: what the rules would pick in it are guesses
            notes.append(_("Ce document ne ressemble pas à une facture : aucun mot de facture (facture, total, TVA…) "
                           "n'y a été lu. Vérifiez le fichier ou saisissez les valeurs à la main."))
        doc.fields = {name: {"value": f.value, "confidence": round(float(f.confidence), 2), "source": (f.source or "")[:200]}
                      for name, f in found.items()}
        if notes:
            doc.fields["_notes"] = notes
        doc.text = reading.text[:50000]
        doc.method = "ocr" if any(p.method == "ocr" for p in reading.pages) else "text"
        doc.pages_done = doc.pages_total = len(reading.pages)
        doc.status = doc.DONE


def _first_pages(data: bytes, notes: list[str]) -> bytes:
    """A PDF of more than MAX_PAGES pages: its first ones (an invoice is at the front), said in `notes`."""
    if not einvoice.is_pdf(data):
        return data
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        return data  # the reader says what is wrong with it
    try:
        total = len(pdf)
        if total <= MAX_PAGES:
            return data
        first = pdfium.PdfDocument.new()
        first.import_pages(pdf, list(range(MAX_PAGES)))
        out = io.BytesIO()
        first.save(out)
        first.close()
    finally:
        pdf.close()
    notes.append(_("Le PDF a %(n)s pages : seules les %(m)s premières ont été lues.", n=total, m=MAX_PAGES))
    return out.getvalue()


def latest_for_file(file_id: int, kind: str) -> OcrDocument | None:
    return db.session.execute(db.select(OcrDocument).where(OcrDocument.file_id == file_id, OcrDocument.kind == kind)
                              .order_by(OcrDocument.id.desc()).limit(1)).scalar_one_or_none()


def reading_of(file_id: int, kind: str = "invoice") -> OcrDocument:
    """The file's finished reading, done here and now if there is none yet (the claims job calls
    this before sending: it must not wait for another job)."""
    doc = latest_for_file(file_id, kind)
    if doc is None or doc.running:
        doc = OcrDocument(file_id=file_id, kind=kind)
        db.session.add(doc)
        db.session.commit()
        read(doc)
    return doc
