"""The e-invoicing pages: the owner's settings (and, beside, the e-reporting and suppliers' pages)."""
from __future__ import annotations

from flask import flash, request
from flask_babel import gettext as _

from ..extensions import db
from ..permissions import allow
from ..rendering import redirect_to, render
from ..tenancy import current_shop_id
from . import settings as einvoice_settings
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
