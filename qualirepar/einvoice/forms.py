"""Forms of the e-invoicing pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField
from wtforms.validators import ValidationError

from .settings import PA_PROVIDERS, VAT_REGIMES


class SettingsForm(FlaskForm):
    """The owner's «Facturation électronique» settings."""

    vat_regime = RadioField(_l("Régime de TVA"), choices=list(VAT_REGIMES.items()), validate_choice=False,
                            description=_l("Il fixe la période de transmission des données de vente aux particuliers (e-reporting)."))
    option_debits = BooleanField(_l("Option pour le paiement de la TVA d'après les débits"),
                                 description=_l("Si la boutique a opté pour les débits (CGI art. 269, 2, c), la mention "
                                                "« Option pour le paiement de la taxe d'après les débits » figure sur ses factures."))
    pa_provider = SelectField(_l("Plateforme agréée"), choices=list(PA_PROVIDERS.items()), validate_choice=False,
                              description=_l("Le dossier d'envoi garde chaque facture électronique dans un dossier de la boutique, "
                                             "à confier à votre plateforme ; aucune plateforme réelle n'est encore raccordée."))

    def validate_vat_regime(self, field):
        if field.data not in VAT_REGIMES:
            raise ValidationError(_l("Choisissez le régime de TVA de la boutique dans la liste."))

    def validate_pa_provider(self, field):
        if field.data not in PA_PROVIDERS:
            raise ValidationError(_l("Choisissez la plateforme agréée dans la liste."))
