"""Field validators for French business identifiers, with French messages beside the field."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from stdnum import exceptions as stdnum_errors
from stdnum.fr import siret as stdnum_siret
from stdnum.fr import tva as stdnum_tva
from wtforms.validators import ValidationError


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
