from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from . import bon_fields as F
from .services import parse_choices


class TermsForm(FlaskForm):
    """The settings page: the states of the fields come as state_<key> selects, read by the view."""

    terms = TextAreaField(_l("Conditions générales imprimées sur le bon"), validators=[Length(max=20000)],
                          description=_l("Un paragraphe par ligne vide. Elles figurent sous les signatures."))


class CustomFieldForm(FlaskForm):
    label = StringField(_l("Libellé"), validators=[DataRequired(_l("Donnez un libellé au champ.")), Length(max=120)])
    kind = SelectField(_l("Type"), choices=[(k, v) for k, v in F.KINDS.items()])
    choices = TextAreaField(_l("Choix possibles (un par ligne)"), validators=[Optional(), Length(max=3000)])
    state = SelectField(_l("Sur le bon"), choices=[(k, v) for k, v in F.STATES.items()], default=F.SHOWN)
    help = StringField(_l("Aide affichée sous le champ"), validators=[Optional(), Length(max=300)])

    def validate_choices(self, field):
        if self.kind.data == "choice" and len(parse_choices(field.data)) < 2:
            raise ValidationError(_l("Indiquez au moins deux choix, un par ligne."))


class SendBonForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail du client"), validators=[DataRequired(_l("Indiquez l'adresse e-mail.")),
                                                                   Email(_l("Adresse e-mail invalide.")), Length(max=254)])
