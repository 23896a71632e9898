import datetime as dt

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Optional

from ..core.forms import EuroField, positive


class EligibilityForm(FlaskForm):
    product_type = SelectField(_l("Type d'appareil"), coerce=int, validators=[DataRequired(_l("Choisissez le type d'appareil."))])
    brand = StringField(_l("Marque"), validators=[DataRequired(_l("Saisissez la marque."))])
    repair_date = DateField(_l("Date de réparation"), default=dt.date.today,
                            validators=[DataRequired(_l("Indiquez la date de réparation (JJ/MM/AAAA)."))])
    total_incl_vat = EuroField(_l("Montant TTC prévu (avant bonus)"),
                               validators=[InputRequired(_l("Indiquez le montant TTC.")), positive])
    reused_part = BooleanField(_l("Pièce de réemploi (économie circulaire) utilisée"))
    business_customer = BooleanField(_l("Client professionnel (entreprise)"))


class BonusFilterForm(FlaskForm):
    class Meta:
        csrf = False

    family = SelectField(_l("Famille"), validators=[Optional()])
    organism = SelectField(_l("Éco-organisme"), choices=[("", _l("Les deux")), ("ecosystem", "ecosystem"), ("ecologic", "Ecologic")],
                           validators=[Optional()])
    q = StringField(_l("Recherche"), validators=[Optional()])
    date = DateField(_l("Au"), validators=[Optional()])
