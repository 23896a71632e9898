"""Forms of the documents library: a new document, and a new version of its file."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..core.forms import DayField
from .models import CATEGORIES
from .services import ACCEPTED_KINDS, MAX_MB


def _upload_field():
    return FileField(_l("Fichier"), validators=[FileRequired(_l("Choisissez le fichier à enregistrer."))],
                     description=_l("%(kinds)s, %(mb)s Mo au plus.", kinds=ACCEPTED_KINDS, mb=MAX_MB))


class ValidityForm(FlaskForm):
    """The dates of a document, and whether a label certificate's end date goes onto the shop."""

    valid_from = DayField(_l("Valable à partir du"), validators=[Optional()])
    expires_on = DayField(_l("Expire le"), validators=[Optional()],
                          description=_l("Laissez vide si le document n'expire pas."))
    update_label = BooleanField(_l("Certificat de labellisation : reporter la date d'expiration comme fin de validité "
                                   "du label de la boutique"), default=True)

    def validate_expires_on(self, field):
        if field.data and self.valid_from.data and field.data < self.valid_from.data:
            raise ValidationError(_l("La date d'expiration ne peut pas précéder la date de début de validité."))


class DocumentForm(ValidityForm):
    title = StringField(_l("Titre"), validators=[DataRequired(_l("Indiquez le titre du document.")),
                                                 Length(max=200, message=_l("200 caractères au plus."))])
    category = SelectField(_l("Catégorie"), choices=list(CATEGORIES.items()),
                           validate_choice=False, validators=[DataRequired(_l("Choisissez une catégorie."))])
    upload = _upload_field()
    note = TextAreaField(_l("Remarque"), validators=[Optional(), Length(max=2000, message=_l("2 000 caractères au plus."))])

    def validate_category(self, field):
        if field.data not in CATEGORIES:
            raise ValidationError(_l("Choisissez une catégorie de la liste."))


class ReplaceForm(ValidityForm):
    upload = _upload_field()
