"""Deposit pages: take an acompte for an order (at intake, or against its accepted quote), its
page and its printed receipt; the deposits shown on the invoice (a template global)."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from ..catalog.eligibility import euros
from ..core.forms import EuroField, positive
from ..core.refusal import Refusal
from ..extensions import db
from ..files.models import StoredFile
from ..files.storage import get_storage
from ..permissions import ANY_ROLE, allow
from ..rendering import pdf_response, redirect_to, render
from ..repairs.models import RepairOrder
from . import bp, deposits
from .forms import METHOD_LABELS
from .models import Quote


class DepositForm(FlaskForm):
    method = SelectField(_l("Moyen de paiement"), choices=list(METHOD_LABELS.items()))
    amount = EuroField(_l("Montant de l'acompte"), validators=[InputRequired(_l("Indiquez le montant.")), positive])
    reference = StringField(_l("Référence (n° de chèque, de virement)"), validators=[Optional(), Length(max=80)])


@bp.app_template_global()
def order_deposits(order_id: int) -> list:
    """The deposits of an order, for the invoice page and the invoice PDF."""
    return deposits.deposits_of(order_id)


def _form_page(order: RepairOrder, quote: Quote | None, form: DepositForm, status: int = 200):
    return render("billing/deposit_form.html", order=order, quote=quote, form=form, taken=deposits.deposits_of(order.id),
                  room=deposits.ceiling(order, quote), status=status)


@bp.route("/dossiers/<int:order_id>/acompte", methods=["GET", "POST"])
@allow("owner", "technician", "support")
def take_deposit(order_id: int):
    """Take a deposit: the amount, the method; the receipt follows."""
    order = db.get_or_404(RepairOrder, order_id)
    quote_id = request.values.get("devis", type=int)
    quote = db.get_or_404(Quote, quote_id) if quote_id else deposits.current_quote(order)
    form = DepositForm()
    if form.validate_on_submit():
        try:
            deposit = deposits.take_deposit(order, form.method.data, form.amount.data, current_user.id, form.reference.data, quote)
        except Refusal as exc:  # too large, not positive, a closed day...: beside the amount
            form.amount.errors = [*form.amount.errors, str(exc)]
        else:
            return redirect_to("billing.deposit", deposit_id=deposit.id,
                               message=_("Acompte de %(a)s enregistré : reçu %(n)s.", a=euros(deposit.amount), n=deposit.number))
        return _form_page(order, quote, form, status=422)
    if request.method == "POST":
        return _form_page(order, quote, form, status=422)
    return _form_page(order, quote, form)


@bp.get("/acomptes/<int:deposit_id>")
@allow(*ANY_ROLE)
def deposit(deposit_id: int):
    dep = db.get_or_404(deposits.Deposit, deposit_id)
    order = db.session.get(RepairOrder, dep.order_id)
    return render("billing/deposit.html", deposit=dep, order=order, methods=METHOD_LABELS,
                  quote=db.session.get(Quote, dep.quote_id) if dep.quote_id else None)


@bp.get("/acomptes/<int:deposit_id>.pdf")
@allow(*ANY_ROLE)
def deposit_receipt(deposit_id: int):
    """The receipt stored when the deposit was taken (the same bytes every time)."""
    dep = db.get_or_404(deposits.Deposit, deposit_id)
    stored = db.get_or_404(StoredFile, dep.file_id)
    return pdf_response(get_storage().read(stored.storage_key), f"recu-acompte-{dep.number}.pdf")
