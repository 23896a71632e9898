"""Consecutive numbers per shop and series (orders per year, quotes, invoices per prefix).

One atomic UPDATE ... RETURNING increments the series' counter inside the caller's transaction:
on PostgreSQL the row stays locked until that transaction ends, so concurrent issuers queue and
each gets the next number; if the transaction rolls back, so does the increment (no gap). The
series' first number inserts the row; a concurrent first insert is retried as an update.
"""
from __future__ import annotations

from flask import g
from sqlalchemy import Integer, String, UniqueConstraint, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db
from .tenancy import TenantScoped


class NumberCounter(TenantScoped, db.Model):
    __tablename__ = "number_counter"

    id: Mapped[int] = mapped_column(primary_key=True)
    series: Mapped[str] = mapped_column(String(60))  # e.g. "order:2026", "quote:2026", "invoice:F2026-"
    last: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("shop_id", "series"),)


def next_number(series: str) -> int:
    shop = g.shop_id
    bump = (update(NumberCounter).where(NumberCounter.shop_id == shop, NumberCounter.series == series)
            .values(last=NumberCounter.last + 1).returning(NumberCounter.last))
    for _attempt in range(3):
        last = db.session.execute(bump).scalar_one_or_none()
        if last is not None:
            return last
        try:
            with db.session.begin_nested():
                db.session.execute(insert(NumberCounter).values(shop_id=shop, series=series, last=1))
            return 1
        except IntegrityError:
            continue  # another transaction created the series first: take the next number
    raise RuntimeError("number counter unavailable")
