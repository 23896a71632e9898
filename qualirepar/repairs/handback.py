"""Handing the appliance back: the customer signs on the tablet, pays what is due (through
`billing.payments.record_payment`), and the order is closed. Three outcomes: repaired; not
repaired (quote refused); not repaired and **handed back out of service**, with a written warning
the customer signs (a safety measure out of its limits, or a fault found dangerous). The bon and
the verification report print the hand-back signature beside the intake's."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import JSON, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..audit import Audited, note, utcnow
from ..billing.payments import PAYMENT_METHODS, balance, record_payment
from ..billing.queries import invoice_of
from ..catalog.eligibility import euros
from ..checklists import safety
from ..extensions import db
from ..files.storage import get_storage
from ..tenancy import TenantScoped
from . import services, signatures, states
from .models import RepairOrder

REPAIRED, UNREPAIRED, OUT_OF_SERVICE = "repaired", "unrepaired", "out_of_service"
OUTCOMES = {REPAIRED: _l("Réparé"), UNREPAIRED: _l("Non réparé"), OUT_OF_SERVICE: _l("Non réparé, rendu hors service")}
WARNING_MIN = 20  # characters: a sentence, not a word


class HandBack(TenantScoped, Audited, db.Model):
    """The appliance given back: how (outcome), the warning signed when it is out of service, the
    safety measures out of limits at that moment, the payment taken then, who handed it back."""

    __tablename__ = "hand_back"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_order.id", ondelete="CASCADE"), unique=True)
    outcome: Mapped[str] = mapped_column(String(20))  # one of OUTCOMES
    warning: Mapped[str | None] = mapped_column(Text)  # out of service: what the customer signed
    failures: Mapped[list] = mapped_column(JSON, default=list)  # [{label, result}] out of limits then
    signature_id: Mapped[int | None] = mapped_column(ForeignKey("signature.id", ondelete="SET NULL"))
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payment.id", ondelete="SET NULL"))
    handed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    handed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def outcome_label(self) -> str:
        return OUTCOMES.get(self.outcome, self.outcome)


class HandBackRefused(states.RepairOrderError):
    """The hand-back cannot be recorded; the message is for the user, in French."""


def default_warning(order: RepairOrder) -> str:
    """The warning offered for the customer to sign, naming the measures out of limits."""
    found = safety.failures(order)
    text = _("Appareil NON RÉPARÉ, rendu HORS SERVICE. Ne le rebranchez pas et ne l'utilisez pas : risque de choc électrique "
             "ou d'incendie.")
    if found:
        text += " " + _("Mesures de sécurité hors limites : %(m)s.", m=safety.describe(found))
    return text + " " + _("Je reconnais avoir été informé(e) de ce danger et reprendre l'appareil en l'état.")


@dataclass
class Due:
    """What is left to pay before the appliance goes back (the order's current invoice)."""

    invoice: object | None
    amount: Decimal


def due(order: RepairOrder) -> Due:
    invoice = invoice_of(order)
    return Due(invoice, balance(invoice) if invoice is not None else Decimal("0.00"))


def of(order: RepairOrder) -> HandBack | None:
    return db.session.execute(db.select(HandBack).where(HandBack.order_id == order.id)).scalar_one_or_none()


def hand_back(order: RepairOrder, signature: str, signer_name: str, out_of_service: bool = False, warning: str | None = None,
              method: str | None = None, reference: str | None = None) -> HandBack:
    """Record the hand-back. Everything is checked before anything is written: the transition, the
    safety verdict, the warning, the drawing, the payment. The payment (when something is due: the
    whole balance) goes through `record_payment`, which commits it; then the signature, the
    hand-back row and the order's new status are committed together."""
    action = "hand_back_out_of_service" if out_of_service else "hand_back"
    states.next_state(order.status, action)  # IllegalTransition, in French
    safety.guard(order, action)
    warning = (warning or "").strip()
    if out_of_service and len(warning) < WARNING_MIN:
        raise HandBackRefused(_("Écrivez l'avertissement que le client signe (au moins %(n)s caractères).", n=WARNING_MIN))
    if not (signer_name or "").strip():
        raise HandBackRefused(_("Indiquez le nom de la personne qui reprend l'appareil."))
    signatures.check(signature)
    owed = due(order)
    if owed.amount > 0 and method not in PAYMENT_METHODS:
        raise HandBackRefused(_("Reste %(a)s à payer sur la facture %(n)s : choisissez le moyen de paiement.",
                                a=euros(owed.amount), n=owed.invoice.number))
    user_id = current_user.id if current_user and current_user.is_authenticated else None
    payment = record_payment(owed.invoice, method, owed.amount, user_id, reference) if owed.amount > 0 else None
    row, old_key = signatures.keep(order, signatures.HANDBACK, signature, signer_name)
    found = safety.failures(order) if out_of_service else []
    outcome = OUT_OF_SERVICE if out_of_service else (REPAIRED if order.repaired_at else UNREPAIRED)
    record = HandBack(order_id=order.id, outcome=outcome, warning=warning if out_of_service else None,
                      failures=[{"label": f.label, "result": f.result} for f in found], signature_id=row.id,
                      payment_id=payment.id if payment else None, handed_by_id=user_id, handed_at=utcnow())
    db.session.add(record)
    services.transition(order, action, commit=False)
    note(order, "handed_back", {"outcome": (None, outcome)})
    db.session.commit()
    if old_key:
        get_storage().delete(old_key)
    return record
