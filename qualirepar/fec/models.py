"""The shop's chart of accounts for the FEC: one row per account the owner changed; the others
keep the defaults of `accounts.DEFAULTS`."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..audit import Audited, utcnow
from ..extensions import db
from ..tenancy import TenantScoped


class FecAccount(TenantScoped, Audited, db.Model):
    """The number and name the shop gives to one role of the chart (`accounts.DEFAULTS` keys)."""

    __tablename__ = "fec_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(30))  # customers, organisms, services:20.00, vat:5.50, cash...
    number: Mapped[str] = mapped_column(String(20))  # digits only, the PCG class first (CompteNum)
    label: Mapped[str] = mapped_column(String(100))  # CompteLib
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("shop_id", "key"),)
