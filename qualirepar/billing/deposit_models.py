"""The deposit's table and the sums read from it, apart from the deposit services so that the
payments (`payments.paid`) read them without importing the quotes (`deposits.py`)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..audit import Audited, utcnow
from ..core.money import cents
from ..extensions import db
from ..tenancy import TenantScoped
from .models import Money


class Deposit(TenantScoped, Audited, db.Model):
    """An acompte received for a repair order. Written once: the database refuses any UPDATE or DELETE."""

    __tablename__ = "deposit"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(30))  # AC-2026-00001: the receipt's number, without gaps
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_order.id"), index=True)
    quote_id: Mapped[int | None] = mapped_column(ForeignKey("quote.id"))  # the quote it was taken against
    stage: Mapped[str] = mapped_column(String(10))  # intake or quote
    method: Mapped[str] = mapped_column(String(10))  # cash, card, cheque, transfer
    amount: Mapped[Decimal] = mapped_column(Money)
    reference: Mapped[str | None] = mapped_column(String(80))  # cheque number, transfer reference
    received_on: Mapped[dt.date] = mapped_column(Date)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"))  # the receipt (PDF)

    __table_args__ = (UniqueConstraint("shop_id", "number"),)


def deposits_of(order_id: int) -> list[Deposit]:
    return list(db.session.execute(db.select(Deposit).where(Deposit.order_id == order_id).order_by(Deposit.id)).scalars())


def deposited_on(order_id: int) -> Decimal:
    total = db.session.execute(db.select(db.func.sum(Deposit.amount)).where(Deposit.order_id == order_id)).scalar()
    return cents(total or 0)
