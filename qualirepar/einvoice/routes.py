"""The e-invoicing pages: the owner's settings, an invoice's transmission; the e-reporting pages
(`ereporting_routes`) and the suppliers' e-invoices (`supplier_routes`) on the same blueprint."""
from __future__ import annotations

from flask import flash, request
from flask_babel import gettext as _

from ..billing.models import Invoice
from ..extensions import db
from ..permissions import ANY_ROLE, allow
from ..rendering import redirect_to, render
from ..tenancy import current_shop_id
from . import settings as einvoice_settings
from . import states, transmissions
from .blueprint import bp
from .forms import SettingsForm

__all__ = ["bp"]


@bp.route("/parametres/facturation-electronique", methods=["GET", "POST"])
@allow("owner")
def settings():
    """The shop's VAT regime (e-reporting periods), its option for the debits, its plateforme agréée."""
    current = einvoice_settings.settings_for(current_shop_id())
    form = SettingsForm(obj=current) if request.method == "GET" else SettingsForm()
    if form.validate_on_submit():
        einvoice_settings.save(current_shop_id(), option_debits=form.option_debits.data,
                               vat_regime=form.vat_regime.data, pa_provider=form.pa_provider.data)
        db.session.commit()
        flash(_("Réglages de facturation électronique enregistrés."), "success")
        return redirect_to("einvoice.settings")
    return render("einvoice/settings.html", form=form, current=current, status=422 if form.errors else 200)


# --- the invoice's transmission (a fragment of the invoice page) ------------------------------------


@bp.app_template_global("einvoice_transmission")
def _transmission_of(invoice_id: int):
    return transmissions.of_invoice(invoice_id)


@bp.app_template_filter("transmission_status")
def _status_label(status: str) -> str:
    return states.label(status)


@bp.get("/facturation-electronique/factures/<int:invoice_id>/transmission")
@allow(*ANY_ROLE)
def transmission_fragment(invoice_id: int):
    """The transmission card of an invoice, refreshed by htmx while the deposit is on its way."""
    invoice = db.get_or_404(Invoice, invoice_id)
    return render("einvoice/_transmission.html", invoice=invoice)


@bp.post("/facturation-electronique/transmissions/<int:transmission_id>/relancer")
@allow("owner", "support")
def retry(transmission_id: int):
    """Send again a transmission that could not be sent (the queue was down, the PA refused the request)."""
    row = db.get_or_404(transmissions.Transmission, transmission_id)
    queued = transmissions.requeue(row)
    flash(_("Envoi relancé.") if queued else _("Cette transmission n'est pas à relancer."), "success" if queued else "warning")
    if row.invoice_id:
        return redirect_to("billing.invoice", invoice_id=row.invoice_id)
    return redirect_to("einvoice.ereporting_page")


@bp.get("/facturation-electronique/transmissions")
@allow("owner", "support")
def transmissions_list():
    """Every deposit at the plateforme agréée, those to act on (rejected, refused, not sent) first."""
    rows = db.session.execute(db.select(transmissions.Transmission).order_by(
        transmissions.Transmission.updated_at.desc(), transmissions.Transmission.id.desc()).limit(500)).scalars().all()
    rows.sort(key=lambda r: not r.problem)  # stable: the newest first within each group
    numbers = dict(db.session.execute(db.select(Invoice.id, Invoice.number).where(
        Invoice.id.in_([r.invoice_id for r in rows if r.invoice_id]))).all()) if rows else {}
    return render("einvoice/transmissions.html", rows=rows, numbers=numbers)


from . import ereporting_routes, supplier_routes  # noqa: E402,F401 - their views on the same blueprint
