"""Quotes (devis) with the bonus frozen at validation; invoices and credit notes, numbered without
gaps and never changed once issued; payments taken at the counter."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit import Audited, utcnow
from ..extensions import db
from ..tenancy import TenantScoped

Money = Numeric(12, 2)


class Quote(TenantScoped, Audited, db.Model):
    __tablename__ = "quote"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_order.id"), index=True)
    number: Mapped[str] = mapped_column(String(30))  # DV-2026-00012
    status: Mapped[str] = mapped_column(String(12), default="draft", index=True)  # states.QUOTE_*
    valid_until: Mapped[dt.date] = mapped_column(Date)
    repair_code: Mapped[str | None] = mapped_column(String(20))  # IRIS repair code, sent with the claim
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # The bonus, fixed when the quote is validated (the tariff row and organism it came from).
    validated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    validated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    bonus_eligible: Mapped[bool | None] = mapped_column(Boolean)
    bonus_amount: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    bonus_organism: Mapped[str | None] = mapped_column(String(12))
    bonus_tariff_id: Mapped[int | None] = mapped_column(ForeignKey("bonus_tariff.id"))
    bonus_date: Mapped[dt.date | None] = mapped_column(Date)  # the day the rules were applied for
    bonus_reasons: Mapped[list] = mapped_column(JSON, default=list)  # why not eligible, in French
    # The customer's decision: signed on the tablet, or through the e-mailed link.
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decided_via: Mapped[str | None] = mapped_column(String(10))  # signature or link
    decision_ip: Mapped[str | None] = mapped_column(String(45))
    signer_name: Mapped[str | None] = mapped_column(String(200))
    signature_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"))
    link_nonce: Mapped[str | None] = mapped_column(String(32))  # a new link makes the older ones void

    lines: Mapped[list["QuoteLine"]] = relationship(order_by="QuoteLine.position", cascade="all, delete-orphan")

    __table_args__ = (UniqueConstraint("shop_id", "number"),)


class QuoteLine(TenantScoped, Audited, db.Model):
    __tablename__ = "quote_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    quote_id: Mapped[int] = mapped_column(ForeignKey("quote.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(10))  # diagnosis, labour, part, travel
    label: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(Numeric(10, 3), default=Decimal(1))
    unit_price: Mapped[Decimal] = mapped_column(Money)  # excl. VAT
    vat_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("20.00"))
    part_reference: Mapped[str | None] = mapped_column(String(80))
    part_origin: Mapped[str | None] = mapped_column(String(10))  # new or reused (circular economy: bonus +20 %)
    supplier: Mapped[str | None] = mapped_column(String(120))


class Invoice(TenantScoped, Audited, db.Model):
    """An invoice or a credit note. Written once, when issued: the database refuses any UPDATE."""

    __tablename__ = "invoice"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(12), default="invoice")  # invoice or credit_note
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_order.id"), index=True)
    quote_id: Mapped[int | None] = mapped_column(ForeignKey("quote.id"))
    credits_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"), index=True)  # the invoice a credit note cancels
    # The order's n-th invoice (0, then 1 after a credit note...): unique per order and kind, so two
    # invoices issued at the same instant for one order cannot both be written.
    generation: Mapped[int] = mapped_column(Integer, default=0)
    issue_key: Mapped[str] = mapped_column(String(36))  # one invoice per click, however often it is sent
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    issued_on: Mapped[dt.date] = mapped_column(Date, index=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    seller: Mapped[dict] = mapped_column(JSON)  # the shop's identity on the day
    buyer: Mapped[dict] = mapped_column(JSON)  # the customer
    appliance: Mapped[dict] = mapped_column(JSON)
    vat_breakdown: Mapped[list] = mapped_column(JSON)  # [{"rate", "base", "vat"}]
    total_ht: Mapped[Decimal] = mapped_column(Money)
    total_vat: Mapped[Decimal] = mapped_column(Money)
    total_ttc: Mapped[Decimal] = mapped_column(Money)
    bonus_amount: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal(0))
    bonus_organism: Mapped[str | None] = mapped_column(String(12))
    amount_due: Mapped[Decimal] = mapped_column(Money)  # what the customer pays: TTC minus the bonus
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"))  # the PDF
    # Made in another program: its own number and file (uploaded, read automatically, confirmed).
    external: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")

    lines: Mapped[list["InvoiceLine"]] = relationship(order_by="InvoiceLine.position")

    __table_args__ = (UniqueConstraint("shop_id", "number"), UniqueConstraint("shop_id", "issue_key"),
                      UniqueConstraint("order_id", "kind", "generation"), UniqueConstraint("credits_id"),
                      db.Index("ix_invoice_shop_id_issued_on", "shop_id", "issued_on"))  # by month, by date filter or sort


class InvoiceLine(TenantScoped, db.Model):
    __tablename__ = "invoice_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))
    label: Mapped[str] = mapped_column(String(200))
    quantity: Mapped[Decimal] = mapped_column(Numeric(10, 3))
    unit_price: Mapped[Decimal] = mapped_column(Money)
    vat_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    total_ht: Mapped[Decimal] = mapped_column(Money)
    part_reference: Mapped[str | None] = mapped_column(String(80))
    part_origin: Mapped[str | None] = mapped_column(String(10))


class Payment(TenantScoped, Audited, db.Model):
    """Money taken at the counter for an invoice. Insert-only: a correction is a reversal (a negative payment)."""

    __tablename__ = "payment"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoice.id"), index=True)
    method: Mapped[str] = mapped_column(String(10))  # cash, card, cheque, transfer
    amount: Mapped[Decimal] = mapped_column(Money)
    reference: Mapped[str | None] = mapped_column(String(80))  # cheque number, transfer reference
    received_on: Mapped[dt.date] = mapped_column(Date)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # A reversal is a negative payment that names the payment it cancels, with its reason (issue 19).
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id"), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
