"""Deposits (acomptes) taken at intake or when the quote is accepted: money received before the
invoice, on a receipt numbered without gaps, journaled as DEPOSIT with its method, and deducted
from the order's invoice (`payments.paid` counts them; the invoice shows them and the remainder).

A deposit is an encaissement like a payment: insert-only (the database refuses UPDATE and DELETE,
`fiscal.triggers`), refused on a closed period (`fiscal.journal.record`), never more than what the
customer will owe (the quote's TTC minus the bonus, BOI-TVA-DECLA-30-10-30, inaltérabilité: every encaissement
recorded, none invented)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import render_template
from flask_babel import gettext as _
from weasyprint import HTML

from ..audit import note, utcnow
from ..catalog.eligibility import euros
from ..core.clock import paris_today
from ..core.money import cents
from ..core.refusal import Refusal
from ..extensions import db
from ..files.services import store_bytes
from ..fiscal import journal, kinds, records
from ..numbering import next_number
from ..repairs import states as order_states
from ..repairs.models import Customer, RepairOrder
from ..shops.models import Shop
from . import states
from .forms import METHOD_LABELS
from .deposit_models import Deposit, deposited_on, deposits_of
from .models import Quote
from .queries import invoice_of
from .quotes import totals

INTAKE, QUOTE = "intake", "quote"  # when the deposit was taken
RECEIPT_MAX_BYTES = 2 * 1024 * 1024


class DepositRefused(states.BillingError):
    """A deposit refused; the message is for the user, in French."""


def deposited(order: RepairOrder) -> Decimal:
    """What the customer has paid in deposits on this order (Factur-X: the prepaid amount, BT-113)."""
    return deposited_on(order.id)


def current_quote(order: RepairOrder) -> Quote | None:
    """The order's latest validated quote that is neither refused nor expired."""
    return db.session.execute(db.select(Quote).where(Quote.order_id == order.id, Quote.validated_at.isnot(None),
                                                     Quote.status.in_(states.INVOICEABLE)).order_by(Quote.id.desc())).scalars().first()


def ceiling(order: RepairOrder, quote: Quote | None) -> Decimal | None:
    """What may still be taken as a deposit: the quote's TTC minus the bonus minus the deposits
    already taken; None without a validated quote (a deposit at intake, before any quote)."""
    if quote is None:
        return None
    ttc = totals(quote.lines).ttc
    # the bonus the invoice will deduct: the rule of invoices.invoice_bonus, not imported (the invoice
    # imports this module for its prepaid amount)
    bonus = (quote.bonus_amount if quote.bonus_eligible and not order.warranty_of_id else None) or Decimal("0.00")
    return ttc - min(bonus, ttc) - deposited(order)


def _check(order: RepairOrder, quote: Quote | None, method: str, amount: Decimal) -> None:
    if invoice_of(order) is not None:
        raise DepositRefused(_("Ce dossier est facturé : enregistrez le paiement sur la facture."))
    if order.status in order_states.CLOSED:
        raise DepositRefused(_("Ce dossier est clos : pas d'acompte."))
    if method not in METHOD_LABELS:
        raise DepositRefused(_("Moyen de paiement inconnu."))
    if amount <= 0:
        raise DepositRefused(_("Le montant de l'acompte doit être positif."))
    if quote is not None and quote.order_id != order.id:
        raise DepositRefused(_("Ce devis n'est pas celui de ce dossier."))
    if quote is not None and quote.validated_at is None:
        raise states.QuoteNotValidated()
    room = ceiling(order, quote)
    if room is not None and amount > room:
        raise DepositRefused(_("L'acompte dépasse ce que le client devra (total TTC du devis moins le bonus, moins les "
                               "acomptes déjà versés) : %(r)s au plus.", r=euros(max(room, Decimal("0.00")))))


def render_receipt(deposit: Deposit, order: RepairOrder) -> bytes:
    shop = db.session.get(Shop, order.shop_id)
    customer = db.session.get(Customer, order.customer_id)
    quote = db.session.get(Quote, deposit.quote_id) if deposit.quote_id else None
    html = render_template("billing/deposit_receipt_pdf.html", deposit=deposit, order=order, shop=shop, customer=customer,
                           quote=quote, method_label=METHOD_LABELS[deposit.method], taken_before=deposited(order))
    return HTML(string=html).write_pdf()


def take_deposit(order: RepairOrder, method: str, amount: Decimal, user_id: int | None, reference: str | None = None,
                 quote: Quote | None = None) -> Deposit:
    """Record a deposit, its receipt and its journal entry in one transaction: all three or nothing."""
    db.session.execute(db.select(RepairOrder.id).where(RepairOrder.id == order.id).with_for_update())  # one at a time per order
    amount = cents(amount)
    quote = quote or current_quote(order)
    _check(order, quote, method, amount)
    day = paris_today()
    try:
        deposit = Deposit(number=f"AC-{day.year}-{next_number(f'deposit:{day.year}'):05d}", order_id=order.id,
                          quote_id=quote.id if quote else None, stage=QUOTE if quote else INTAKE, method=method, amount=amount,
                          reference=(reference or "").strip() or None, received_on=day, received_by_id=user_id,
                          created_at=utcnow())
        stored = store_bytes(render_receipt(deposit, order), f"recu-acompte-{deposit.number}.pdf", "deposit_receipt",
                             {"application/pdf"}, RECEIPT_MAX_BYTES)
        db.session.flush()
        deposit.file_id = stored.id
        db.session.add(deposit)
        db.session.flush()
        journal_deposit(deposit)
        note(order, "deposit", {"deposit": (None, f"{deposit.number} {amount}")})
        db.session.commit()
    except Refusal:
        db.session.rollback()  # a closed day: no number used, no receipt kept, no entry
        raise
    return deposit


def journal_deposit(deposit: Deposit):
    """The deposit's entry: the row as the database holds it (`fiscal.records`), by its method."""
    return journal.record(kinds.DEPOSIT, records.snapshot("deposit", deposit.id, deposit.shop_id), shop_id=deposit.shop_id,
                          occurred_on=deposit.received_on, amounts=journal.Amounts(methods={deposit.method: Decimal(deposit.amount)}),
                          user_id=deposit.received_by_id, record_table="deposit", record_id=deposit.id)
