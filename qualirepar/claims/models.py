"""The bonus claimed back from the eco-organism: one row per invoice, created when it is issued."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from flask_babel import lazy_gettext as _l

from ..audit import Audited, utcnow
from ..extensions import db
from ..tenancy import TenantScoped
from . import states


STATUS_LABELS = states.LABELS
ATTACHMENT_LABELS = {"invoice": _l("facture"), "nameplate": _l("photo de la plaque signalétique"),
                     "consumer_validation": _l("validation du consommateur (bon signé)"), "device_photo": _l("photo de l'appareil")}
SENDING, AT_ORGANISM = states.SENDING, states.AT_ORGANISM  # the groups live in claims.states


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
    amount_accepted: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))  # what the organism says it covers
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    step_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)  # last step: the sweeper's clock
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # The rejection workbench: fields corrected on the claim (payload name -> value), the organism's
    # ids of earlier filings of this invoice, and whether the organism's copy must be updated first.
    corrections: Mapped[dict] = mapped_column(JSON, default=dict)
    previous_ids: Mapped[list] = mapped_column(JSON, default=list)
    update_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    # Reimbursement control: what the organism's payments matched to this claim add up to.
    amount_paid: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    paid_on: Mapped[dt.date | None] = mapped_column(Date)
    # Sent although the invoice as read disagreed with the claim: {file_id, reason, user_id, at}.
    ocr_override: Mapped[dict | None] = mapped_column(JSON)

    # The shop's claims newest first (the list), by status (to fix, filters), by payment date (the
    # owner's dashboard): on PostgreSQL, shop_id alone made each of these sort or filter every claim
    # of the shop (migration 398830acf103).
    __table_args__ = (UniqueConstraint("invoice_id"), db.Index("ix_claim_shop_id_id", "shop_id", "id"),
                      db.Index("ix_claim_shop_id_status", "shop_id", "status"), db.Index("ix_claim_shop_id_paid_on", "shop_id", "paid_on"))

    @property
    def status_label(self) -> str:
        return states.label(self.status)

    def move(self, action: str, text: str | None = None) -> str:
        """The one way a claim's status changes: through the transition table (an illegal action
        raises IllegalClaimTransition), as an event of its timeline."""
        target = states.next_state(self.status, action)
        self.record(target, text)
        return target

    def record(self, status: str, text: str | None = None) -> None:
        """Write a step on the claim's timeline: `status` is its status after (the same one for a
        note, such as corrections sent); the table is the caller's (`move`)."""
        if status != self.status or text:
            db.session.add(ClaimEvent(claim_id=self.id, status_before=self.status, status_after=status, text=text))
        self.status, self.step_at = status, utcnow()

    def money_category(self, today: dt.date, late_after: int) -> tuple[str, int | None]:
        """Where the claim's money stands (`states.money_category`)."""
        return states.money_category(self, today, late_after)


class ClaimEvent(TenantScoped, db.Model):
    """One change in a claim's life, for its timeline: ours (sent, to correct) and the organism's."""

    __tablename__ = "claim_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    status_before: Mapped[str | None] = mapped_column(String(20))
    status_after: Mapped[str] = mapped_column(String(20))
    text: Mapped[str | None] = mapped_column(Text)  # the organism's words, or ours

    __table_args__ = (db.Index("ix_claim_event_shop_id_status_after", "shop_id", "status_after"),)  # the rejections' reasons


class ClaimPayment(TenantScoped, db.Model):
    """One line of an organism's payment statement (or of its API), matched to a claim when it can be.
    A line not matched stays, with claim_id empty, until someone links it."""

    __tablename__ = "claim_payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int | None] = mapped_column(ForeignKey("claim.id", ondelete="SET NULL"), index=True)
    organism: Mapped[str] = mapped_column(String(12))
    reference: Mapped[str] = mapped_column(String(60))  # the organism's payment (transfer) reference
    paid_on: Mapped[dt.date] = mapped_column(Date)
    external_id: Mapped[str | None] = mapped_column(String(80))
    invoice_number: Mapped[str | None] = mapped_column(String(60))
    amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    source: Mapped[str] = mapped_column(String(120))  # the statement's file name, or "api"
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    imported_by: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    # Importing the same statement twice adds nothing.
    __table_args__ = (UniqueConstraint("shop_id", "organism", "reference", "external_id", "invoice_number"),)


class Notification(TenantScoped, db.Model):
    """A message for one user in the app (the bell), e-mailed too if the user chose it."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
