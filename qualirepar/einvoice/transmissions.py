"""Transmissions to the plateforme agréée: a row per subject (an invoice for a business customer, or
an e-reporting period) before any job; the job deposits the file once (the PA is given the row's
idempotency key, so a retry after an unknown outcome is the same deposit), then the status job
follows its lifecycle. Nothing is lost (the row stays until the PA answers) and nothing is sent twice
(one row per subject, unique in the database; one deposit per key at the PA)."""
from __future__ import annotations

import datetime as dt
import logging

from flask_babel import gettext as _
from rq import Retry
from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from ..audit import utcnow
from ..core.clock import paris_today
from ..billing.models import Invoice
from ..billing.payments import balance
from ..core.queue import JobRow, start
from ..extensions import db
from ..files.models import StoredFile
from ..files.storage import get_storage
from ..tenancy import TenantScoped
from . import states
from .pa import registry
from .pa.base import EREPORT, INVOICE, Meta, PAError
from .pa.sandbox import ContractError
from .settings import settings_for

SEND_JOB = "qualirepar.einvoice.tasks.send_transmission"
BUSINESS = "business"  # the invoice's buyer snapshot `kind` of a business customer (repairs.customers)
RETRY = Retry(max=4, interval=[10, 60, 300, 900])  # seconds between the attempts of one job
log = logging.getLogger(__name__)


class Transmission(TenantScoped, JobRow, db.Model):
    """One deposit at the PA and what became of it."""

    __tablename__ = "einvoice_transmission"
    FAILED = states.FAILED
    RUNNING = tuple(states.TO_SEND)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # pa.base.INVOICE or EREPORT
    subject: Mapped[str] = mapped_column(String(80))  # "invoice:17", "ereport:transactions:2027-09-01": one row each
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoice.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"))  # what is deposited (the invoice's PDF, the report's JSON)
    provider: Mapped[str] = mapped_column(String(20))  # the shop's PA when the row was made
    status: Mapped[str] = mapped_column(String(12), default=states.QUEUED, index=True)  # states.*
    ref: Mapped[str | None] = mapped_column(String(200))  # the deposit's reference at the PA
    reason: Mapped[str | None] = mapped_column(Text)  # the PA's reason for a rejection or a refusal, in French
    history: Mapped[list] = mapped_column(JSON, default=list)  # [{"at", "status", "detail"}]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("shop_id", "subject"),)

    @property
    def label(self) -> str:
        return states.label(self.status)

    @property
    def problem(self) -> bool:
        return self.status in states.PROBLEM

    @property
    def accepted(self) -> bool:
        return self.status in states.ACCEPTED

    @property
    def retryable(self) -> bool:
        return self.status == states.FAILED

    @property
    def key(self) -> str:
        return f"shop-{self.shop_id}:{self.subject}"

    def move(self, action: str, detail: str | None = None) -> None:
        before = self.status
        self.status = states.MACHINE.next_state(self.status, action)
        if self.status != before or detail:
            self.history = [*(self.history or []), {"at": utcnow().isoformat(timespec="seconds"), "status": self.status,
                                                    "detail": detail}]


def of_invoice(invoice_id: int) -> Transmission | None:
    return db.session.execute(db.select(Transmission).where(Transmission.subject == f"invoice:{invoice_id}")).scalar_one_or_none()


def _create(kind: str, subject: str, filename: str, file_id: int | None, shop_id: int, invoice_id: int | None = None) -> Transmission:
    """The row for `subject`, made once: a second call (a double click, two workers) finds the first."""
    existing = db.session.execute(db.select(Transmission).where(Transmission.subject == subject)).scalar_one_or_none()
    if existing is not None:
        return existing
    row = Transmission(kind=kind, subject=subject, filename=filename, file_id=file_id, invoice_id=invoice_id, shop_id=shop_id,
                       provider=settings_for(shop_id).pa_provider, status=states.QUEUED,
                       history=[{"at": utcnow().isoformat(timespec="seconds"), "status": states.QUEUED, "detail": None}])
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return db.session.execute(db.select(Transmission).where(Transmission.subject == subject)).scalar_one()
    _start(row)
    return row


def _start(row: Transmission) -> bool:
    """Queue the row's job; a queue that is down leaves the row failed, with the French message (core.queue.start)."""
    if start(row, SEND_JOB, row.shop_id, row.id, retry=RETRY, job_timeout=120):
        return True
    row.history = [*(row.history or []), {"at": utcnow().isoformat(timespec="seconds"), "status": states.FAILED, "detail": row.error}]
    db.session.commit()
    return False


def after_issue(invoice: Invoice) -> Transmission | None:
    """Called by billing once an invoice or credit note is committed: a business customer's goes to
    the PA (e-invoicing); a private customer's sale is e-reported by period instead (ereporting)."""
    if (invoice.buyer or {}).get("kind") != BUSINESS or invoice.file_id is None:
        return None
    name = f"{'avoir' if invoice.kind == 'credit_note' else 'facture'}-{invoice.number}.pdf"
    return _create(INVOICE, f"invoice:{invoice.id}", name, invoice.file_id, invoice.shop_id, invoice_id=invoice.id)


def transmit_file(kind: str, subject: str, filename: str, file_id: int, shop_id: int) -> Transmission:
    """Any other deposit (an e-reporting period's data, already stored as a file)."""
    return _create(kind, subject, filename, file_id, shop_id)


def send(row: Transmission) -> str:
    """Deposit the row's file (the job's body); idempotent. A PA that does not answer raises PAError
    after the row says so: RQ tries again (RETRY), then the sweeper."""
    if row.status not in states.TO_SEND:
        return row.status
    if row.status == states.QUEUED:
        row.move("send")
    row.attempts += 1
    db.session.commit()
    provider = registry.provider(row.provider)
    stored = db.session.get(StoredFile, row.file_id)
    invoice = db.session.get(Invoice, row.invoice_id) if row.invoice_id else None
    meta = Meta(key=row.key, kind=row.kind, filename=row.filename, shop_id=row.shop_id,
                number=invoice.number if invoice else row.subject.rsplit(":", 1)[-1],
                seller_siren=((invoice.seller or {}).get("siret") or "")[:9] or None if invoice else None,
                buyer_siren=(invoice.buyer or {}).get("siren") if invoice else None)
    try:
        row.ref = provider.submit(get_storage().read(stored.storage_key), meta)
        answer = provider.status(row.ref)
    except PAError as exc:
        row.error = _("La plateforme agréée ne répond pas (%(n)s essai(s)) : nouvel essai automatique.", n=row.attempts)
        log.warning("transmission %s: %s", row.id, exc)
        db.session.commit()
        raise
    except ContractError as exc:
        row.move("fail", str(exc)[:300])
        row.error = _("La plateforme agréée a refusé la demande : %(e)s", e=str(exc)[:200])
        db.session.commit()
        return row.status
    _apply(row, answer.status, answer.reason)
    row.error = None
    db.session.commit()
    return row.status


def _apply(row: Transmission, status: str, reason: str | None) -> bool:
    action = states.ANSWER_ACTIONS.get(status)
    if action is None or not states.MACHINE.can(row.status, action):
        return False
    changed = states.MACHINE.next_state(row.status, action) != row.status
    if changed:
        row.move(action, reason)
        row.reason = reason
    return changed


def poll(row: Transmission) -> bool:
    """Ask the PA where a deposit stands; whether the row changed (the caller commits)."""
    if row.status not in states.TO_POLL or not row.ref:
        return False
    try:
        answer = registry.provider(row.provider).status(row.ref)
    except (PAError, ContractError) as exc:
        log.info("transmission %s not polled: %s", row.id, exc)
        return False
    return _apply(row, answer.status, answer.reason)


def report_paid(row: Transmission) -> bool:
    """A deposited invoice the customer has paid in full: the seller's «Encaissée» goes to the PA (the
    status job calls it). Whether the row changed (the caller commits)."""
    if row.status not in states.TO_POLL or row.kind != INVOICE or not row.ref or row.invoice_id is None:
        return False
    invoice = db.session.get(Invoice, row.invoice_id)
    if invoice is None or invoice.kind != "invoice" or balance(invoice) > 0:
        return False
    meta = Meta(key=row.key, kind=row.kind, filename=row.filename, shop_id=row.shop_id, number=invoice.number)
    try:
        answer = registry.provider(row.provider).report_paid(row.ref, meta, paris_today(), invoice.amount_due)
    except (PAError, ContractError) as exc:
        log.info("transmission %s: paid status not reported: %s", row.id, exc)
        return False
    return _apply(row, answer.status, answer.reason)


def requeue(row: Transmission) -> bool:
    """Start a failed or stuck row's job again (the user's button, the sweeper)."""
    if row.status == states.FAILED:
        row.move("requeue")
        row.error = None
        db.session.commit()
    if row.status not in states.TO_SEND:
        return False
    return _start(row)


__all__ = ["EREPORT", "INVOICE", "Transmission", "after_issue", "of_invoice", "poll", "requeue", "send", "transmit_file"]
