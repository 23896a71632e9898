"""A view of the explorer saved by a user: its dataset and query string, private or shared in the shop."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..audit import Audited, utcnow
from ..extensions import db
from ..tenancy import TenantScoped


class SavedView(TenantScoped, Audited, db.Model):
    __tablename__ = "saved_view"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    dataset: Mapped[str] = mapped_column(String(20))
    params: Mapped[dict] = mapped_column(JSON, default=dict)  # filter, columns and sort, as the form sends them
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    shared: Mapped[bool] = mapped_column(Boolean, default=False)  # seen by the whole shop
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
