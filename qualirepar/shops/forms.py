from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, EmailField, IntegerField, PasswordField, SelectField, StringField, URLField
from wtforms.validators import URL, DataRequired, Email, Length, NumberRange, Optional, Regexp, ValidationError

from ..core import forms as v
from ..eco.models import ENVIRONMENTS
from .models import FICHES_METIER

REQUIRED = DataRequired(_l("Ce champ est obligatoire."))


def _email():
    return EmailField(_l("E-mail"), validators=[Optional(), Email(_l("Adresse e-mail invalide.")), Length(max=254)])


class ShopForm(FlaskForm):
    name = StringField(_l("Nom commercial"), validators=[REQUIRED, Length(max=200)])
    siret = StringField(_l("SIRET"), validators=[REQUIRED, v.siret])
    vat_number = StringField(_l("N° de TVA intracommunautaire"), validators=[Optional(), v.vat_matching_siret()])
    label_number = StringField(_l("N° de label QualiRépar"), validators=[Optional(), Length(max=40)])
    label_valid_until = DateField(_l("Label valable jusqu'au"), validators=[Optional()])
    street = StringField(_l("Adresse"), validators=[Optional(), Length(max=200)])
    postcode = StringField(_l("Code postal"), validators=[Optional(), v.postcode])
    city = StringField(_l("Ville"), validators=[Optional(), Length(max=100)])
    phone = StringField(_l("Téléphone"), validators=[Optional(), v.phone])
    email = _email()
    logo = FileField(_l("Logo (PNG ou JPEG, 2 Mo au plus)"))
    invoice_prefix = StringField(_l("Préfixe des numéros de facture"), default="F{AAAA}-", validators=[
        Optional(), Length(max=20), Regexp(r"^[A-Za-z0-9_{}/-]+$", message=_l("Lettres, chiffres, - _ / et {AAAA} (l'année) seulement."))],
        description=_l("{AAAA} est remplacé par l'année : F{AAAA}- donne F2026-00001, F2026-00002… La numérotation suit sans trou "
                       "pour chaque préfixe ; changer de préfixe ouvre une nouvelle série."))
    payment_late_days = IntegerField(_l("Délai de paiement attendu des éco-organismes (jours)"), default=60,
                                     validators=[Optional(), NumberRange(1, 365, _l("Entre 1 et 365 jours."))],
                                     description=_l("Une demande envoyée et non payée après ce délai est signalée en retard."))


class SiteForm(FlaskForm):
    name = StringField(_l("Nom du lieu"), validators=[REQUIRED, Length(max=200)])
    street = StringField(_l("Adresse"), validators=[Optional(), Length(max=200)])
    postcode = StringField(_l("Code postal"), validators=[Optional(), v.postcode])
    city = StringField(_l("Ville"), validators=[Optional(), Length(max=100)])
    phone = StringField(_l("Téléphone"), validators=[Optional(), v.phone])
    is_deposit_site = BooleanField(_l("Lieu de dépôt (les clients peuvent y déposer un appareil)"))
    ecosystem_place_id = StringField(_l("Identifiant du lieu chez ecosystem"), validators=[Optional(), Length(max=40)])
    ecologic_site_id = StringField(_l("Identifiant du site chez Ecologic"), validators=[Optional(), Length(max=40)])
    active = BooleanField(_l("Actif"), default=True)


class SubcontractorForm(FlaskForm):
    name = StringField(_l("Raison sociale"), validators=[REQUIRED, Length(max=200)])
    siret = StringField(_l("SIRET"), validators=[Optional(), v.siret])
    label_number = StringField(_l("N° de label QualiRépar"), validators=[Optional(), Length(max=40)])
    email = _email()
    phone = StringField(_l("Téléphone"), validators=[Optional(), v.phone])
    city = StringField(_l("Ville"), validators=[Optional(), Length(max=100)])
    active = BooleanField(_l("Actif"), default=True)


class FicheForm(FlaskForm):
    code = SelectField(_l("Fiche métier"), choices=list(FICHES_METIER.items()), validators=[REQUIRED])
    certified_on = DateField(_l("Certifiée le"), validators=[Optional()])
    valid_until = DateField(_l("Valable jusqu'au"), validators=[Optional()])

    def validate_valid_until(self, field):
        if field.data and self.certified_on.data and field.data < self.certified_on.data:
            raise ValidationError(_l("La fin de validité précède la date de certification."))


class UserForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail"), validators=[REQUIRED, Email(_l("Adresse e-mail invalide.")), Length(max=254)])
    first_name = StringField(_l("Prénom"), validators=[REQUIRED, Length(max=100)])
    last_name = StringField(_l("Nom"), validators=[REQUIRED, Length(max=100)])
    role = SelectField(_l("Rôle"), choices=[("owner", _l("Gérant")), ("technician", _l("Technicien")), ("support", _l("Support / back-office"))])
    active = BooleanField(_l("Compte actif"), default=True)


class EcoAccountForm(FlaskForm):
    environment = SelectField(_l("Environnement"), choices=list(ENVIRONMENTS.items()))
    base_url = URLField(_l("Adresse de l'API (laisser vide pour celle de l'environnement)"),
                        validators=[Optional(), URL(require_tld=False, message=_l("Adresse web invalide."))])
    login = StringField(_l("Identifiant"), validators=[Optional(), Length(max=200)])
    secret = PasswordField(_l("Mot de passe ou clé d'API (laisser vide pour garder l'actuel)"), validators=[Optional(), Length(max=500)])
    repairer_id = StringField(_l("Identifiant réparateur"), validators=[Optional(), Length(max=60)])
