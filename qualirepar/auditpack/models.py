"""An audit pack too big to build during the request (many bons to render): built by a worker,
kept as a stored file, followed on its own page; the row holds what the user sees."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..audit import utcnow
from ..core.queue import JobRow
from ..extensions import db
from ..tenancy import TenantScoped

STATUSES = ("queued", "building", "ready", "failed", "expired")  # expired: the zip left the file store after 30 days


class AuditPack(JobRow, TenantScoped, db.Model):
    """A pack requested for a period (its error and job id: JobRow)."""

    __tablename__ = "audit_pack"
    RUNNING = ("queued", "building")

    id: Mapped[int] = mapped_column(primary_key=True)
    period_from: Mapped[dt.date] = mapped_column(Date)
    period_to: Mapped[dt.date] = mapped_column(Date)
    include_bons: Mapped[bool] = mapped_column(Boolean, default=True)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    bons_done: Mapped[int] = mapped_column(Integer, default=0)
    bons_total: Mapped[int] = mapped_column(Integer, default=0)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id", ondelete="SET NULL"))
    size: Mapped[int | None] = mapped_column(Integer)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
