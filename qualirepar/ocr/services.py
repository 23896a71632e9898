"""Documents to read: accepted by content, stored, read by an RQ job with its progress on the row.

Without Tesseract (or when it fails) the document says "lecture automatique indisponible" and
everything else goes on; a PDF with a text layer is still read, it needs no OCR.
"""
from __future__ import annotations

import io
import logging
import time

import pillow_heif
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from PIL import Image

from ..core import queue
from ..core.clock import utcnow
from ..extensions import db
from ..files.models import StoredFile
from ..files.services import MAX_PIXELS, UploadRejected, store_bytes
from ..files.storage import get_storage
from . import extraction as extract
from . import reader
from .models import KINDS, OcrDocument

log = logging.getLogger(__name__)
MAX_BYTES = 15 * 1024 * 1024  # a multi-page scan, or a phone photo
ACCEPTED = {"application/pdf", "image/jpeg", "image/png"}
UNAVAILABLE = _l("Lecture automatique indisponible : Tesseract n'est pas installé ou ne répond pas sur ce serveur.")


def _is_heic(data: bytes) -> bool:
    return data[4:12] in (b"ftypheic", b"ftypheix", b"ftyphevc", b"ftypmif1", b"ftypmsf1")


def accept(upload, purpose: str) -> StoredFile:
    """A PDF, JPEG, PNG or HEIC (an iPhone photo, stored as JPEG), checked by its bytes."""
    if upload is None or not getattr(upload, "filename", ""):
        raise UploadRejected(_l("Choisissez un fichier."))
    data = upload.read(MAX_BYTES + 1)
    name = upload.filename or "document"
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
    """Read the document now: progress written after each page, fields at the end."""
    stored = db.session.get(StoredFile, doc.file_id)
    doc.status, doc.error, doc.pages_done = "reading", None, 0
    db.session.commit()

    def progress(done: int, total: int) -> None:
        doc.pages_done, doc.pages_total = done, total
        db.session.commit()

    start_at = time.perf_counter()
    try:
        reading = reader.read(get_storage().read(stored.storage_key), stored.content_type,
                              page_timeout=float(current_app.config.get("OCR_PAGE_TIMEOUT", 20)), progress=progress)
    except reader.OcrUnavailable as exc:
        db.session.rollback()
        doc.status, doc.error = "unavailable", f"{UNAVAILABLE} ({exc})"
    except reader.DocumentRefused as exc:
        db.session.rollback()
        doc.status, doc.error = "failed", str(exc)
    except Exception as exc:  # noqa: BLE001 - an unexpected failure is shown, not lost
        db.session.rollback()
        log.exception("OCR of document %s failed", doc.id)
        doc.status, doc.error = "failed", _("La lecture a échoué : %(e)s", e=str(exc)[:200])
    else:
        found = extract.invoice_fields(reading) if doc.kind == "invoice" else extract.nameplate_fields(reading)
        doc.fields = {name: {"value": f.value, "confidence": round(float(f.confidence), 2), "source": (f.source or "")[:200]}
                      for name, f in found.items()}
        doc.text = reading.text[:50000]
        doc.method = "ocr" if any(p.method == "ocr" for p in reading.pages) else "text"
        doc.pages_done = doc.pages_total = len(reading.pages)
        doc.status = "done"
    doc.seconds = round(time.perf_counter() - start_at, 2)
    doc.finished_at = utcnow()
    db.session.commit()
    return doc


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
