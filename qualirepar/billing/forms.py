from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..core.forms import EuroField, FrenchDecimalField, positive

KIND_LABELS = {"diagnosis": _l("Diagnostic"), "labour": _l("Main-d'œuvre"), "part": _l("Pièce détachée"), "travel": _l("Déplacement")}
VAT_CHOICES = [("20.00", "20 %"), ("10.00", "10 %"), ("5.50", "5,5 %"), ("0.00", "0 %")]
METHOD_LABELS = {"cash": _l("Espèces"), "card": _l("Carte bancaire"), "cheque": _l("Chèque"), "transfer": _l("Virement")}


class LineForm(FlaskForm):
    kind = SelectField(_l("Type"), choices=list(KIND_LABELS.items()))
    label = StringField(_l("Désignation"), validators=[DataRequired(_l("Indiquez la désignation.")), Length(max=200)])
    quantity = FrenchDecimalField(_l("Quantité"), default=1, validators=[InputRequired(_l("Indiquez la quantité.")), positive])
    unit_price = EuroField(_l("Prix unitaire HT"), validators=[InputRequired(_l("Indiquez le prix.")), positive])
    vat_rate = SelectField(_l("TVA"), choices=VAT_CHOICES, default="20.00")
    part_reference = StringField(_l("Référence de la pièce"), validators=[Optional(), Length(max=80)])
    part_origin = SelectField(_l("Origine de la pièce"), choices=[("new", _l("Neuve")), ("reused", _l("Réemploi (économie circulaire)"))])
    supplier = StringField(_l("Fournisseur"), validators=[Optional(), Length(max=120)])


class PaymentForm(FlaskForm):
    method = SelectField(_l("Moyen de paiement"), choices=list(METHOD_LABELS.items()))
    amount = EuroField(_l("Montant"), validators=[InputRequired(_l("Indiquez le montant.")), positive])
    reference = StringField(_l("Référence (n° de chèque, de virement)"), validators=[Optional(), Length(max=80)])


class CreditForm(FlaskForm):
    reason = TextAreaField(_l("Motif de l'avoir"), validators=[DataRequired(_l("Indiquez le motif de l'avoir.")), Length(min=5, max=500)])
