"""What corrects or reprints an issued record without touching it (issue 19): a payment reversal (a
negative payment, its reason, the owner who made it) and the reprint of an invoice as a duplicate,
«Duplicata n° N», each journaled (BOI-TVA-DECLA-30-10-30 II: corrections by new records; NF525: duplicates traced)."""
from __future__ import annotations

from flask import flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from ..catalog import eligibility
from ..core.clock import paris_today
from ..core.forms import EuroField, positive
from ..extensions import db
from ..fiscal import journal, kinds
from ..fiscal.models import FiscalEntry
from ..permissions import allow
from ..rendering import pdf_response, redirect_to, refusals
from . import bp, invoices, payments
from .states import BillingError
from .models import Invoice, Payment


class ReversalForm(FlaskForm):
    amount = EuroField(_l("Montant à annuler"), validators=[InputRequired(_l("Indiquez le montant.")), positive])
    reason = TextAreaField(_l("Motif de l'annulation"), validators=[
        DataRequired(_l("Indiquez le motif de l'annulation.")),
        Length(min=5, max=500, message=_l("Le motif fait de 5 à 500 caractères."))])


@bp.post("/factures/<int:invoice_id>/paiements/<int:payment_id>/annulation")
@allow("owner")
def reverse(invoice_id: int, payment_id: int):
    payment = db.get_or_404(Payment, payment_id)
    if payment.invoice_id != invoice_id:
        return redirect_to("billing.invoice", invoice_id=invoice_id)
    form = ReversalForm()
    with refusals("billing.invoice", invoice_id=invoice_id):
        if not form.validate_on_submit():
            raise BillingError(" ".join(str(e) for errors in form.errors.values() for e in errors))
        payments.reverse_payment(payment, form.amount.data, form.reason.data, current_user.id)
    flash(_("Annulation de %(a)s enregistrée.", a=eligibility.euros(form.amount.data)), "success")
    return redirect_to("billing.invoice", invoice_id=invoice_id)


def duplicate_number(invoice: Invoice) -> int:
    """How many duplicates of the invoice were printed before (the journal says)."""
    return db.session.execute(db.select(db.func.count()).select_from(FiscalEntry).where(
        FiscalEntry.kind == kinds.DUPLICATE, FiscalEntry.payload["invoice_id"].as_integer() == invoice.id)).scalar_one()


@bp.post("/factures/<int:invoice_id>/duplicata")
@allow("owner", "technician", "support")
def duplicate(invoice_id: int):
    """The invoice rendered again, marked «Duplicata n° N», and the reprint journaled."""
    inv = db.get_or_404(Invoice, invoice_id)
    n = duplicate_number(inv) + 1
    credited = db.session.get(Invoice, inv.credits_id) if inv.credits_id else None
    pdf = invoices.render_invoice_pdf(inv, inv.lines, credited=credited, duplicate=n)
    journal.record(kinds.DUPLICATE, {"invoice_id": inv.id, "number": inv.number, "duplicate": n}, shop_id=inv.shop_id,
                   occurred_on=paris_today(), user_id=current_user.id)
    db.session.commit()
    return pdf_response(pdf, f"duplicata-{n}-{inv.number}.pdf")
