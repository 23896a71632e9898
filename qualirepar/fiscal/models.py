"""The fiscal journal's tables: one chain head per shop (locked while appending), the entries
(insert-only: triggers and the ORM guard refuse UPDATE and DELETE), the verification results."""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import JSON, Date, DateTime, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..core.clock import utcnow
from ..extensions import db
from ..tenancy import TenantScoped
from .kinds import Unalterable
from .triggers import IMMUTABLE_TABLES


class FiscalChain(TenantScoped, db.Model):
    """The head of a shop's chain: the last entry's sequence and hash, the running grand totals, the
    day up to which periods are closed, and the shop's signing key (private half encrypted)."""

    __tablename__ = "fiscal_chain"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    last_hash: Mapped[str | None] = mapped_column(String(64))
    last_recorded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    totals: Mapped[dict] = mapped_column(JSON, default=dict)
    closed_until: Mapped[dt.date | None] = mapped_column(Date)
    software_version: Mapped[str | None] = mapped_column(String(40))
    public_key_pem: Mapped[str] = mapped_column(Text)
    private_key_enc: Mapped[str] = mapped_column(Text)  # crypto.encrypt of the raw Ed25519 private key, base64
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("shop_id"),)


class FiscalEntry(TenantScoped, db.Model):
    """One event of the journal, chained to the one before by its hash and signed."""

    __tablename__ = "fiscal_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, 3... per shop, no gap
    kind: Mapped[str] = mapped_column(String(20))  # kinds.*
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    user_id: Mapped[int | None] = mapped_column(Integer)  # no foreign key: a user's removal must not touch the journal
    record_table: Mapped[str | None] = mapped_column(String(40))  # the business row it journals, if any
    record_id: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[dict] = mapped_column(JSON)  # the canonical record
    amounts: Mapped[dict] = mapped_column(JSON)  # Amounts.to_json()
    totals: Mapped[dict] = mapped_column(JSON)  # perpetual grand totals after this entry
    closes_until: Mapped[dt.date | None] = mapped_column(Date)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    signature: Mapped[str] = mapped_column(String(100))  # Ed25519 over the hash, base64

    __table_args__ = (UniqueConstraint("shop_id", "seq"),
                      db.Index("ix_fiscal_entry_record", "record_table", "record_id"))


class FiscalCheck(TenantScoped, db.Model):
    """The result of one verification of the shop's chain (the owner's page shows the last)."""

    __tablename__ = "fiscal_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    checked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10))  # kinds.CHECK_*
    entries: Mapped[int] = mapped_column(Integer, default=0)
    broken_seq: Mapped[int | None] = mapped_column(Integer)
    message: Mapped[str | None] = mapped_column(Text)
    seconds: Mapped[str | None] = mapped_column(String(12))


@event.listens_for(Session, "before_flush")
def _refuse_changes(session: Session, _context, _instances) -> None:
    """The ORM's half of inalterability: no UPDATE nor DELETE of an insert-only row is even sent."""
    for obj in session.deleted:
        if getattr(obj, "__tablename__", None) in IMMUTABLE_TABLES:
            raise Unalterable(_("Enregistrement fiscal inaltérable (%(t)s) : il ne se supprime pas.", t=obj.__tablename__))
    for obj in session.dirty:
        if getattr(obj, "__tablename__", None) in IMMUTABLE_TABLES and session.is_modified(obj):
            raise Unalterable(_("Enregistrement fiscal inaltérable (%(t)s) : une correction est un nouvel enregistrement "
                                "(avoir, annulation d'encaissement).", t=obj.__tablename__))
