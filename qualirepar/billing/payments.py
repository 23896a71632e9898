"""Payments taken at the counter, and what is left to pay on an invoice."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _

from ..catalog.eligibility import euros
from ..core.clock import paris_today
from ..core.money import cents
from ..extensions import db
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
    return cents(total or 0)


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
    db.session.commit()
    return payment
