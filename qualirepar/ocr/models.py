"""One document read automatically: its state while the job runs, and what was read."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import utcnow
from ..core.queue import JobRow
from ..extensions import db
from ..tenancy import TenantScoped

from flask_babel import lazy_gettext as _l

KINDS = ("invoice", "nameplate")
FIELD_LABELS = {"number": _l("N° de facture"), "date": _l("Date"), "total_ttc": _l("Total TTC"), "total_ht": _l("Total HT"),
                "vat": _l("TVA"), "bonus": _l("Bonus déduit"), "siret": _l("SIRET"), "siren": _l("SIREN"),
                "vat_number": _l("N° de TVA"), "customer_name": _l("Client"), "serial_number": _l("Numéro de série"),
                "model": _l("Modèle / référence"), "amount_due": _l("Net à payer"), "seller_name": _l("Vendeur")}
# queued -> reading -> done; failed (the file cannot be read); unavailable (no Tesseract here)
STATUSES = ("queued", "reading", "done", "failed", "unavailable")


class OcrDocument(JobRow, TenantScoped, db.Model):
    """One reading of a stored file (its error and job id: JobRow)."""

    __tablename__ = "ocr_document"
    RUNNING = ("queued", "reading")

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    QUEUED, READING, DONE, FAILED, UNAVAILABLE = "queued", "reading", "done", "failed", "unavailable"
    status: Mapped[str] = mapped_column(String(12), default=QUEUED)
    pages_done: Mapped[int] = mapped_column(Integer, default=0)
    pages_total: Mapped[int] = mapped_column(Integer, default=0)
    # name -> {value, confidence, source[, page]}; beside the fields, "_notes" (what the card must say, in
    # French) and "_einvoice" (syntax, profile, lines... of an invoice read from its XML)
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    text: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str | None] = mapped_column(String(12))  # xml (e-invoice), text (PDF text layer) or ocr
    XML = "xml"
    seconds: Mapped[float | None] = mapped_column(Float)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("repair_order.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def percent(self) -> int:
        if self.status == self.DONE:
            return 100
        return int(100 * self.pages_done / self.pages_total) if self.pages_total else 5

    def value(self, name: str) -> str | None:
        item = (self.fields or {}).get(name)
        return item.get("value") if item else None

    @property
    def read_fields(self) -> dict:
        """The fields read, without the notes and the e-invoice's summary kept beside them."""
        return {name: item for name, item in (self.fields or {}).items() if not name.startswith("_")}

    @property
    def notes(self) -> list[str]:
        return list((self.fields or {}).get("_notes") or [])

    @property
    def einvoice(self) -> dict | None:
        return (self.fields or {}).get("_einvoice")
