"""The form the owner fills to add or change a control point of a template."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ..core.forms import FrenchDecimalField
from ..core.money import french_number

KIND_LABELS = {
    "yes_no": _l("Oui / non"),
    "measure": _l("Mesure (nombre, avec limites)"),
    "text": _l("Texte libre"),
    "choice": _l("Choix dans une liste"),
    "photo": _l("Photo"),
}

# Numeric(12, 4): 8 digits before the decimal point, 4 after.
LIMIT_MAX = Decimal("1e8")


class LimitField(FrenchDecimalField):
    """A limit typed the French way ('0,5', '-10', '1 000'); empty means no limit. It must fit the
    column: Numeric(12, 4)."""

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return french_number(self.data)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is None:
            return
        value, self.data = self.data, None
        if abs(value) >= LIMIT_MAX:
            raise ValueError(_l("Nombre trop grand."))
        if value.as_tuple().exponent < -4:
            raise ValueError(_l("4 décimales au plus."))
        self.data = value


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class PointForm(FlaskForm):
    label = StringField(_l("Point à contrôler"), validators=[
        DataRequired(_l("Indiquez le point à contrôler.")), Length(max=200, message=_l("200 caractères au plus."))])
    kind = SelectField(_l("Type de réponse"), choices=list(KIND_LABELS.items()), default="yes_no",
                       validate_choice=False)
    mandatory = BooleanField(_l("Obligatoire (bloque le dossier tant qu'il n'est pas renseigné)"))
    safety = BooleanField(_l("Point de sécurité (hors limites, l'appareil ne peut pas être déclaré réparé)"))
    unit = StringField(_l("Unité (mesure)"), validators=[Optional(), Length(max=20, message=_l("20 caractères au plus."))])
    min_value = LimitField(_l("Minimum (mesure)"))
    max_value = LimitField(_l("Maximum (mesure)"))
    choices = TextAreaField(_l("Réponses possibles (choix), une par ligne"), render_kw={"rows": 4})
    help = TextAreaField(_l("Aide pour le technicien"), validators=[
        Optional(), Length(max=300, message=_l("300 caractères au plus."))], render_kw={"rows": 2})

    def validate(self, extra_validators=None) -> bool:
        """Limits and unit only matter for a measure, options only for a choice: an error in a
        field the chosen kind ignores does not hold the form back (the field is dropped)."""
        valid = super().validate(extra_validators)
        ignored = []
        if self.kind.data != "measure":
            ignored += [self.unit, self.min_value, self.max_value]
        if self.kind.data != "choice":
            ignored.append(self.choices)
        for field in ignored:
            field.errors = []
        return valid or not any(f.errors for f in self)

    def validate_kind(self, field):
        if field.data not in KIND_LABELS:
            raise ValidationError(_l("Choisissez un type de réponse dans la liste."))

    def validate_max_value(self, field):
        if self.kind.data == "measure" and field.data is not None and self.min_value.data is not None \
                and field.data < self.min_value.data:
            raise ValidationError(_l("Le maximum doit être supérieur ou égal au minimum."))

    def validate_choices(self, field):
        if self.kind.data != "choice":
            return
        options = _lines(field.data)
        if len(options) < 2:
            raise ValidationError(_l("Indiquez au moins deux réponses possibles, une par ligne."))
        seen = set()
        for option in options:
            if len(option) > 200:
                raise ValidationError(_l("Une réponse possible compte 200 caractères au plus."))
            if option.casefold() in seen:
                raise ValidationError(_l("La réponse « %(r)s » est en double.", r=option))
            seen.add(option.casefold())

    def values(self) -> dict:
        """The point's fields, cleaned: limits and unit only for a measure, options only for a choice."""
        kind = self.kind.data
        measure = kind == "measure"
        return dict(
            label=self.label.data.strip(), kind=kind, mandatory=bool(self.mandatory.data), safety=bool(self.safety.data),
            unit=(self.unit.data or "").strip() or None if measure else None,
            min_value=self.min_value.data if measure else None,
            max_value=self.max_value.data if measure else None,
            choices=_lines(self.choices.data) if kind == "choice" else None,
            help=(self.help.data or "").strip() or None,
        )

    @classmethod
    def for_point(cls, point, **kwargs):
        """Prefilled from an existing point (its options back to one per line)."""
        form = cls(obj=point, **kwargs)
        if not form.is_submitted():
            form.choices.data = "\n".join(point.choices or [])
        return form
