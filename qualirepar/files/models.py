"""Metadata of a stored file; the bytes live in the storage backend under `storage_key`."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..audit import Audited, utcnow
from ..extensions import db
from ..tenancy import TenantScoped


class StoredFile(TenantScoped, Audited, db.Model):
    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    storage_key: Mapped[str] = mapped_column(String(80), unique=True)  # random, never the user's name
    original_name: Mapped[str] = mapped_column(String(255))  # shown and used on download
    content_type: Mapped[str] = mapped_column(String(100))  # sniffed from the bytes
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(String(40), index=True)  # logo, photo, invoice, ...
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
