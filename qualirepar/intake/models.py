"""The shop's own bon de prise en charge: which fields show, its custom fields, its terms; and the
drafts of bons being filled in (saved field by field, so a lost connection loses nothing)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..audit import Audited, utcnow
from ..extensions import db
from ..tenancy import TenantScoped


class IntakeSettings(TenantScoped, Audited, db.Model):
    """One row per shop: the state of each optional field and the terms printed on the bon."""

    __tablename__ = "intake_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    field_states: Mapped[dict] = mapped_column(JSON, default=dict)  # field key -> shown / required / hidden
    terms: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("shop_id"),)


class IntakeCustomField(TenantScoped, Audited, db.Model):
    """A field the shop adds to its bon: text, number, date, choice or yes-no."""

    __tablename__ = "intake_custom_field"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40))  # c_<slug>, the name of the input and the key in RepairOrder.extra
    label: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(10))  # text, number, date, choice, yes_no
    choices: Mapped[list | None] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(10), default="shown")  # shown, required, hidden
    position: Mapped[int] = mapped_column(Integer, default=0)
    help: Mapped[str | None] = mapped_column(String(300))

    __table_args__ = (UniqueConstraint("shop_id", "key"),)


class IntakeDraft(TenantScoped, db.Model):
    """A bon being filled in: the values as typed, saved on every change; gone once the order exists."""

    __tablename__ = "intake_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(36))  # made by the browser, so a draft can start offline
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("shop_id", "key"),)
