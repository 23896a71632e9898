"""The audit trail: who changed what, when, before -> after.

Models that inherit `Audited` are recorded automatically at flush time, so that no service can
forget it. Services add a business verb with `audit.note(obj, "issued")` when a plain field diff
would not say enough. Columns listed in `__audit_redact__` are recorded as changed, never by value.
"""
from __future__ import annotations

import datetime as dt
import decimal
import enum
from typing import Any

from flask import g, has_app_context, has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from .core.clock import utcnow  # noqa: F401 - models import it from here too
from .extensions import db
from .tenancy import TenantScoped, current_shop_id

REDACTED = "•••"


class Audited:
    """Mixin: every insert, update and delete of the row writes an AuditEntry."""

    __audit_redact__: frozenset[str] = frozenset()


class AuditEntry(TenantScoped, db.Model):
    """One change to one row, kept for the label's audit and for support."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(200))  # name shown even if the user is deleted
    entity: Mapped[str] = mapped_column(String(60))  # table name
    entity_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(40))  # created, updated, deleted or a business verb
    changes: Mapped[dict] = mapped_column(JSON, default=dict)  # {field: [before, after]}
    ip: Mapped[str | None] = mapped_column(String(45))

    __table_args__ = (db.Index("ix_audit_entry_entity", "entity", "entity_id"),)


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (bytes, bytearray)):
        return f"<{len(value)} octets>"
    return value


def _actor() -> tuple[int | None, str, str | None]:
    """(user id, display name, IP) of whoever is acting now."""
    ip = None
    if has_request_context():
        ip = request.remote_addr
        if current_user and current_user.is_authenticated:
            return current_user.id, current_user.display_name, ip
    if has_app_context() and g.get("actor"):
        return None, g.actor, ip
    return None, "système", ip


def _diff(obj: Any, created: bool) -> dict:
    state = inspect(obj)
    redact = getattr(obj, "__audit_redact__", frozenset())
    changes = {}
    for attr in state.mapper.column_attrs:
        hist = state.attrs[attr.key].history
        if created:
            value = getattr(obj, attr.key)
            if value is None:
                continue
            before, after = None, value
        elif hist.has_changes():
            before = hist.deleted[0] if hist.deleted else None
            after = hist.added[0] if hist.added else None
            if before == after:
                continue
        else:
            continue
        if attr.key in redact:
            before, after = (REDACTED if before is not None else None), (REDACTED if after is not None else None)
        changes[attr.key] = [_plain(before), _plain(after)]
    return changes


def _shop_of(obj: Any) -> int | None:
    if isinstance(obj, TenantScoped):
        return obj.shop_id
    if type(obj).__tablename__ == "shop":
        return obj.id
    return current_shop_id()


def _row(obj: Any, action: str, changes: dict) -> dict | None:
    shop_id = _shop_of(obj)
    if shop_id is None:
        return None
    user_id, actor, ip = _actor()
    return {
        "shop_id": shop_id, "at": utcnow(), "user_id": user_id, "actor": actor,
        "entity": type(obj).__tablename__, "entity_id": getattr(obj, "id", None),
        "action": action, "changes": changes, "ip": ip,
    }


@event.listens_for(Session, "after_flush")
def _record(session: Session, flush_context) -> None:
    rows = []
    for obj in session.new:
        if isinstance(obj, Audited):
            rows.append(_row(obj, "created", _diff(obj, created=True)))
    for obj in session.dirty:
        if isinstance(obj, Audited) and session.is_modified(obj, include_collections=False):
            changes = _diff(obj, created=False)
            if changes:
                rows.append(_row(obj, "updated", changes))
    for obj in session.deleted:
        if isinstance(obj, Audited):
            rows.append(_row(obj, "deleted", {}))
    rows.extend(session.info.pop("audit_notes", []))
    rows = [r for r in rows if r]
    if rows:
        session.connection().execute(AuditEntry.__table__.insert(), rows)


@event.listens_for(Session, "before_commit")
def _record_pending_notes(session: Session) -> None:
    """A business event with no row change beside it (a bon mailed) has no flush to ride on."""
    rows = session.info.pop("audit_notes", [])
    if rows:
        session.connection().execute(AuditEntry.__table__.insert(), rows)


@event.listens_for(Session, "after_soft_rollback")
def _drop_notes_of_rolled_back_work(session: Session, previous_transaction) -> None:
    """A business event of work that was rolled back did not happen."""
    if previous_transaction.nested is False and previous_transaction.parent is None:
        session.info.pop("audit_notes", None)


def note(obj: Any, action: str, changes: dict | None = None, session: Session | None = None) -> None:
    """Record a business event on `obj` (written with the next flush, or at commit)."""
    session = session or db.session
    row = _row(obj, action, {k: [_plain(a), _plain(b)] for k, (a, b) in (changes or {}).items()})
    if row:
        session.info.setdefault("audit_notes", []).append(row)
