"""The tables of closings and archives (issue 19, conservation and archivage), and the shop's fiscal
settings (the fiscal year's last day). Closings and archives are insert-only like the journal
(`triggers.IMMUTABLE_TABLES`); each is also one signed journal entry, `entry_seq`."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..audit import Audited
from ..core.clock import utcnow
from ..extensions import db
from ..tenancy import TenantScoped


class FiscalSettings(TenantScoped, Audited, db.Model):
    """One row per shop: the last day of its fiscal year (exercice), 31 December unless set."""

    __tablename__ = "fiscal_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    year_end_month: Mapped[int] = mapped_column(Integer, default=12)
    year_end_day: Mapped[int] = mapped_column(Integer, default=31)

    __table_args__ = (UniqueConstraint("shop_id"),)


class FiscalClosing(TenantScoped, db.Model):
    """A daily, monthly or annual closing: the period's totals and the perpetual grand totals, as
    journaled (the entry `entry_seq` carries the same figures, signed). Never redone, never changed."""

    __tablename__ = "fiscal_closing"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # kinds.CLOSING_DAY / _MONTH / _YEAR
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)  # the journal's closes_until
    entry_seq: Mapped[int] = mapped_column(Integer)  # the closing's own journal entry
    first_seq: Mapped[int | None] = mapped_column(Integer)  # the entries of the period (None: none)
    last_seq: Mapped[int | None] = mapped_column(Integer)
    entries: Mapped[int] = mapped_column(Integer, default=0)
    totals: Mapped[dict] = mapped_column(JSON)  # the period's totals (closings.period_totals)
    grand_totals: Mapped[dict] = mapped_column(JSON)  # the journal's perpetual totals at the closing
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(Integer)  # None: the scheduler

    __table_args__ = (UniqueConstraint("shop_id", "kind", "period_end"),
                      db.Index("ix_fiscal_closing_shop_kind_start", "shop_id", "kind", "period_start"))


class FiscalArchive(TenantScoped, db.Model):
    """A signed archive of a closed period: the zip is a stored file kept (never purged)."""

    __tablename__ = "fiscal_archive"

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(10))  # year or month
    period_start: Mapped[dt.date] = mapped_column(Date)
    period_end: Mapped[dt.date] = mapped_column(Date)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    sha256: Mapped[str] = mapped_column(String(64))  # of the zip
    manifest_sha256: Mapped[str] = mapped_column(String(64))  # of manifest.json, the signed part
    entry_seq: Mapped[int] = mapped_column(Integer)  # the ARCHIVE entry
    first_seq: Mapped[int | None] = mapped_column(Integer)  # the journal's entries inside
    last_seq: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (db.Index("ix_fiscal_archive_shop_period", "shop_id", "period_start"),)
