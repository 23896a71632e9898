"""Payments taken at the counter, and what is left to pay on an invoice. A payment is never changed
nor removed (issue 19): a mistake is corrected by a reversal, a negative payment naming the one it
cancels, with its reason and who made it; each is a signed entry of the fiscal journal, written in
the same transaction."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _

from ..catalog.eligibility import euros
from ..core.clock import paris_today
from ..core.money import cents
from ..extensions import db
from ..fiscal.records import journal_payment
from .deposit_models import deposited_on
from .models import Invoice, Payment
from .queries import credited
from .states import BillingError

PAYMENT_METHODS = ("cash", "card", "cheque", "transfer")


def paid(invoice: Invoice) -> Decimal:
    """What the customer paid for this invoice, with what was paid on the order's cancelled invoices
    before it (the money stays the customer's: it goes to the invoice that replaces them)."""
    earlier = db.select(Invoice.id).where(Invoice.order_id == invoice.order_id, Invoice.kind == "invoice",
                                          Invoice.generation < invoice.generation)
    total = db.session.execute(db.select(db.func.sum(Payment.amount)).where(
        (Payment.invoice_id == invoice.id) | Payment.invoice_id.in_(earlier))).scalar()
    return cents(total or 0) + deposited_on(invoice.order_id)  # the order's deposits are deducted too


def balance(invoice: Invoice) -> Decimal:
    return invoice.amount_due - paid(invoice)


def record_payment(invoice: Invoice, method: str, amount: Decimal, user_id: int | None, reference: str | None = None) -> Payment:
    if invoice.kind != "invoice":
        raise BillingError(_("On n'encaisse pas un avoir."))
    if credited(invoice):
        raise BillingError(_("Cette facture est annulée par un avoir : encaissez la facture qui la remplace."))
    # one payment at a time per invoice (PostgreSQL row lock; SQLite writes one at a time anyway)
    db.session.execute(db.select(Invoice.id).where(Invoice.id == invoice.id).with_for_update())
    if method not in PAYMENT_METHODS:
        raise BillingError(_("Moyen de paiement inconnu."))
    amount = cents(amount)
    if amount <= 0:
        raise BillingError(_("Le montant doit être positif."))
    if amount > balance(invoice):
        raise BillingError(_("Le montant dépasse le reste à payer (%(r)s).", r=euros(balance(invoice))))
    payment = Payment(invoice_id=invoice.id, method=method, amount=amount, reference=(reference or "").strip() or None,
                      received_on=paris_today(), received_by_id=user_id)
    db.session.add(payment)
    db.session.flush()
    journal_payment(payment)
    db.session.commit()
    return payment


def reversed_amount(payment: Payment) -> Decimal:
    """How much of a payment its reversals already gave back (a positive amount)."""
    total = db.session.execute(db.select(db.func.sum(Payment.amount)).where(Payment.reverses_id == payment.id)).scalar()
    return -cents(total or 0)


def reverse_payment(payment: Payment, amount: Decimal, reason: str, user_id: int | None) -> Payment:
    """Cancel all or part of a payment: a negative payment, journaled (the payment itself stays)."""
    if payment.reverses_id is not None:
        raise BillingError(_("Une annulation ne s'annule pas : enregistrez un nouvel encaissement."))
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise BillingError(_("Indiquez le motif de l'annulation (5 caractères au moins)."))
    if len(reason) > 500:
        raise BillingError(_("Le motif est trop long (500 caractères au plus)."))
    # one reversal at a time per payment (PostgreSQL row lock; SQLite writes one at a time anyway)
    db.session.execute(db.select(Payment.id).where(Payment.id == payment.id).with_for_update())
    amount = cents(amount)
    if amount <= 0:
        raise BillingError(_("Le montant à annuler doit être positif."))
    left = payment.amount - reversed_amount(payment)
    if amount > left:
        raise BillingError(_("On ne peut pas annuler plus que ce qui a été encaissé : %(r)s restent sur ce paiement.",
                             r=euros(left)))
    reversal = Payment(invoice_id=payment.invoice_id, method=payment.method, amount=-amount, reference=payment.reference,
                       received_on=paris_today(), received_by_id=user_id, reverses_id=payment.id, reason=reason)
    db.session.add(reversal)
    db.session.flush()
    journal_payment(reversal)
    db.session.commit()
    return reversal
