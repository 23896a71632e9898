"""Form fields shared by the features."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import DateField, DecimalField
from wtforms.validators import ValidationError
from wtforms.widgets import TextInput


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
        value = french_decimal(valuelist[0])
        try:
            if value is None:
                raise InvalidOperation
            self.data = value.quantize(Decimal("0.01"))  # far too large a number cannot be quantized
        except InvalidOperation:
            raise ValueError(_l("Montant invalide : écrivez par exemple 119,90.")) from None


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


def french_decimal(text: str) -> Decimal | None:
    """'1 234,50 €' -> Decimal('1234.50'); None when it is not a finite number."""
    raw = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("€", "").replace(",", ".")
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    if not value.is_finite() or not -12 <= value.as_tuple().exponent <= 12:
        return None  # '1e-2000000' is a number, but not one a shop types: it would be kept spelled out
    return value


def french_amount(value) -> str:
    """An amount in euros written for a French file or message: Decimal('25') -> '25,00'; None -> ''.
    Exports (CSV), the audit pack and stored messages use it; pages use the `euros` filter (Babel)."""
    return f"{Decimal(value):.2f}".replace(".", ",") if value is not None else ""


def french_number(value) -> str:
    """A number with the digits it has, the French way: Decimal('0.150') -> '0,15'; None -> ''."""
    return format(Decimal(value).normalize(), "f").replace(".", ",") if value is not None else ""


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
