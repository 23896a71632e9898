from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from ..core import forms as v
from ..core.clock import paris_today
from . import customers
from .models import BUSINESS, PRIVATE

REQUIRED = DataRequired(_l("Ce champ est obligatoire."))


def not_in_future(form, field):
    if field.data and field.data > paris_today():
        raise ValidationError(_l("La date d'achat ne peut pas être dans le futur."))


def business_id(cleaner):
    """A business customer's SIREN, SIRET or VAT number checked as soon as it is typed (the draft's
    field-by-field feedback); the form checks them together on submit."""

    def check(form, field) -> None:
        if form.customer_kind.data != BUSINESS:
            return
        try:
            cleaner(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None

    return check


class IntakeForm(FlaskForm):
    """The bon de prise en charge: the fields the label requires (référentiel §6.2.1); for a
    business customer its company and identifiers (repairs.customers), checked together."""

    customer_kind = RadioField(_l("Type de client"), choices=[(PRIVATE, _l("Particulier")), (BUSINESS, _l("Professionnel"))],
                               default=PRIVATE, validators=[Optional()])
    company = StringField(_l("Raison sociale"), validators=[Optional(), Length(max=200)])
    siren = StringField(_l("SIREN"), validators=[Optional(), Length(max=20), business_id(customers.clean_siren)], description=_l("9 chiffres, sur le Kbis ou les factures"))
    siret = StringField(_l("SIRET"), validators=[Optional(), Length(max=30), business_id(customers.clean_siret)], description=_l("14 chiffres, facultatif"))
    vat_number = StringField(_l("N° de TVA intracommunautaire"), validators=[Optional(), Length(max=30), business_id(customers.clean_vat)], description=_l("ex. FR44732829320"))
    billing_street = StringField(_l("Adresse de facturation"), validators=[Optional(), Length(max=200)],
                                 description=_l("Si elle diffère de l'adresse de l'appareil"))
    billing_postcode = StringField(_l("Code postal de facturation"), validators=[Optional(), v.postcode])
    billing_city = StringField(_l("Ville de facturation"), validators=[Optional(), Length(max=100)])
    po_reference = StringField(_l("Référence de commande du client"), validators=[Optional(), Length(max=100)],
                               description=_l("Son bon de commande, repris sur la facture"))
    title = SelectField(_l("Civilité"), choices=[("", "—"), ("Mme", "Mme"), ("M.", "M."), ("Mlle", "Mlle")], validators=[Optional()])
    last_name = StringField(_l("Nom"), validators=[REQUIRED, Length(max=100)])
    first_name = StringField(_l("Prénom"), validators=[REQUIRED, Length(max=100)])
    street = StringField(_l("Adresse"), validators=[REQUIRED, Length(max=200)])
    postcode = StringField(_l("Code postal"), validators=[REQUIRED, v.postcode])
    city = StringField(_l("Ville"), validators=[REQUIRED, Length(max=100)])
    phone = StringField(_l("Téléphone"), validators=[REQUIRED, v.phone])
    email = EmailField(_l("E-mail"), validators=[Optional(), Email(_l("Adresse e-mail invalide.")), Length(max=254)])
    product_type = SelectField(_l("Type d'appareil"), coerce=int, validators=[DataRequired(_l("Choisissez le type d'appareil."))])
    brand = StringField(_l("Marque"), validators=[REQUIRED, Length(max=150)])
    commercial_reference = StringField(_l("Référence commerciale (modèle)"), validators=[Optional(), Length(max=120)])
    serial_number = StringField(_l("N° de série ou IMEI"), validators=[REQUIRED, Length(max=80)])
    purchase_date = DateField(_l("Date d'achat"), validators=[Optional(), not_in_future])
    service_requested = TextAreaField(_l("Prestation demandée"), validators=[REQUIRED, Length(max=2000)])
    fault_description = TextAreaField(_l("Panne décrite par le client"), validators=[REQUIRED, Length(max=4000)])
    symptom_code = StringField(_l("Code symptôme"), validators=[Optional(), Length(max=20)])
    parts_info = TextAreaField(_l("Informations pour commander les pièces"), validators=[Optional(), Length(max=2000)])
    accessories = StringField(_l("Accessoires laissés"), validators=[Optional(), Length(max=500)])
    visible_condition = StringField(_l("État apparent"), validators=[Optional(), Length(max=500)])
    kind = RadioField(_l("Lieu d'intervention"), choices=[("workshop", _l("En atelier")), ("onsite", _l("À domicile"))], default="workshop")
    site = SelectField(_l("Lieu de réparation"), coerce=int, validators=[Optional()])
    customer_id = HiddenField()  # an existing customer picked by search (a stale id starts a new customer)
    draft_key = HiddenField()  # the draft this bon was typed into, removed once the order exists

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.customer_kind.data != BUSINESS:
            return ok
        try:
            ids = customers.check_business(self.company.data, self.siren.data, self.siret.data, self.vat_number.data)
        except customers.CustomerRefused as refused:
            for name, message in refused.errors.items():
                if message not in self[name].errors:  # the field's own check may have said it already
                    self[name].errors = [*self[name].errors, message]
            return False
        self.siren.data, self.siret.data, self.vat_number.data = ids.siren or "", ids.siret or "", ids.vat_number or ""
        billing = (self.billing_street.data, self.billing_postcode.data, self.billing_city.data)
        if any(billing) and not all(billing):
            for field in (self.billing_street, self.billing_postcode, self.billing_city):
                if not field.data:
                    field.errors = [*field.errors, _l("Complétez l'adresse de facturation (adresse, code postal, ville) ou videz-la.")]
            ok = False
        return ok


class UnlinkForm(FlaskForm):
    reason = TextAreaField(_l("Pourquoi ce dossier n'est-il pas un retour sous garantie ?"),
                           validators=[DataRequired(_l("Indiquez la raison.")), Length(min=5, max=1000, message=_l("Quelques mots au moins."))])
