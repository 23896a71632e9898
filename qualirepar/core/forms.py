"""The forms module shared by the features: fields typed the French way (amounts, numbers, days)
and validators of French business identifiers (SIRET, VAT number, postcode, phone), each with its
French message beside the field."""
from __future__ import annotations

import datetime as dt
import re

from flask_babel import lazy_gettext as _l
from wtforms import DateField, DecimalField
from wtforms.validators import ValidationError
from wtforms.widgets import TextInput
from stdnum import exceptions as stdnum_errors
from stdnum.fr import siret as stdnum_siret
from stdnum.fr import tva as stdnum_tva

from .money import AmountError, french_amount, french_decimal, parse_amount


class EuroField(DecimalField):
    """An amount in euros typed the French way: '1 234,50 €' as well as '1234.50'.

    A text input with the decimal keypad: type="number" refuses the French comma in some browsers.
    """

    widget = TextInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("render_kw", {"inputmode": "decimal", "autocomplete": "off"})
        super().__init__(*args, **kwargs)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return french_amount(self.data)

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        try:
            self.data = parse_amount(valuelist[0])
        except AmountError as refused:
            raise ValueError(str(refused)) from None


class FrenchDecimalField(EuroField):
    """A number typed the French way ('0,5', '1 200'), kept with the precision typed."""

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return format(self.data, "f").replace(".", ",") if self.data is not None else ""

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not valuelist[0].strip():
            return
        self.data = french_decimal(valuelist[0])
        if self.data is None:
            raise ValueError(_l("Nombre invalide : écrivez par exemple 12,5."))


def positive(form, field) -> None:
    """Greater than zero (an unreadable amount already has its own message)."""
    if field.data is not None and field.data <= 0:
        raise ValidationError(_l("Le montant doit être positif."))


class DayField(DateField):
    """A date from the browser's date picker (AAAA-MM-JJ) or typed the French way (JJ/MM/AAAA)."""

    FORMATS = ("%Y-%m-%d", "%d/%m/%Y")

    def process_formdata(self, valuelist):
        self.data = None
        text = valuelist[0].strip() if valuelist and valuelist[0] else ""
        if not text:
            return
        for fmt in self.FORMATS:
            try:
                self.data = dt.datetime.strptime(text, fmt).date()
                return
            except ValueError:
                continue
        raise ValueError(_l("Date invalide : choisissez-la dans le calendrier ou écrivez-la JJ/MM/AAAA."))


# --- French business identifiers ------------------------------------------------------------


def compact_digits(value: str | None) -> str:
    return re.sub(r"[\s.\-]", "", value or "")


def siret(form, field) -> None:
    """A French SIRET: 14 digits with a valid Luhn key (La Poste's exception included)."""
    if not field.data:
        return
    value = compact_digits(field.data)
    try:
        field.data = stdnum_siret.validate(value)
    except stdnum_errors.InvalidLength:  # before InvalidFormat, its parent class
        raise ValidationError(_l("Un SIRET compte 14 chiffres (vous en avez saisi %(n)s).", n=len(value))) from None
    except stdnum_errors.InvalidFormat:
        raise ValidationError(_l("Le SIRET ne contient que des chiffres.")) from None
    except stdnum_errors.InvalidChecksum:
        raise ValidationError(_l("Ce SIRET n'existe pas : la clé de contrôle ne correspond pas. Vérifiez chaque chiffre.")) from None


def vat_matching_siret(siret_field: str = "siret"):
    """A French VAT number (FR + key + SIREN) whose SIREN is the shop's."""

    def check(form, field) -> None:
        if not field.data:
            return
        value = re.sub(r"[\s.\-]", "", field.data).upper()
        try:
            value = stdnum_tva.validate(value)
        except stdnum_errors.ValidationError:
            raise ValidationError(_l("Numéro de TVA invalide : attendu FR, 2 caractères de clé puis le SIREN (9 chiffres).")) from None
        field.data = "FR" + value if not value.startswith("FR") else value
        siret_value = compact_digits(getattr(form, siret_field).data)
        if len(siret_value) == 14 and field.data[-9:] != siret_value[:9]:
            raise ValidationError(_l("Ce numéro de TVA ne correspond pas au SIREN du SIRET saisi."))

    return check


def postcode(form, field) -> None:
    if field.data and not re.fullmatch(r"\d{5}", field.data.strip()):
        raise ValidationError(_l("Code postal à 5 chiffres."))
    if field.data:
        field.data = field.data.strip()


def phone(form, field) -> None:
    """A French phone number, stored as typed but checked: 0X XX XX XX XX or +33 X XX XX XX XX."""
    if not field.data:
        return
    value = re.sub(r"[\s.\-()]", "", field.data)
    if not re.fullmatch(r"(\+33|0033|0)[1-9]\d{8}", value):
        raise ValidationError(_l("Numéro de téléphone français attendu, par exemple 01 23 45 67 89."))
