"""The bonus claimed back from the eco-organism: one row per invoice, created when it is issued."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, DateTime, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from flask_babel import lazy_gettext as _l

from ..audit import Audited, utcnow
from ..extensions import db
from ..tenancy import TenantScoped


STATUS_LABELS = {"ready": _l("prête"), "queued": _l("en file d'envoi"), "creating": _l("en cours d'envoi"),
                 "created": _l("créée chez l'organisme"), "submitted": _l("envoyée"), "needs_attention": _l("à corriger"),
                 "cancelled": _l("annulée")}


class Claim(TenantScoped, Audited, db.Model):
    __tablename__ = "claim"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_order.id"), index=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"))
    organism: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(20), default="ready", index=True)  # ready: waiting to be sent
    bonus_amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    attachments: Mapped[dict] = mapped_column(JSON, default=dict)  # kind -> stored_file id
    external_id: Mapped[str | None] = mapped_column(String(80))
    attached: Mapped[list] = mapped_column(JSON, default=list)  # kinds already uploaded to the organism
    status_text: Mapped[str | None] = mapped_column(String(200))  # the organism's own words
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("invoice_id"),)

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS.get(self.status, self.status))
