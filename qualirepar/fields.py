"""Form fields shared by the features."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from wtforms import DecimalField
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
        return f"{self.data:.2f}".replace(".", ",") if self.data is not None else ""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        raw = valuelist[0].replace("\u00a0", "").replace(" ", "").replace("€", "").replace(",", ".")
        try:
            value = Decimal(raw)
            if not value.is_finite():
                raise InvalidOperation
            self.data = value.quantize(Decimal("0.01"))
        except InvalidOperation:
            self.data = None
            raise ValueError(_l("Montant invalide : écrivez par exemple 119,90.")) from None


def positive(form, field) -> None:
    """Greater than zero (an unreadable amount already has its own message)."""
    if field.data is not None and field.data <= 0:
        raise ValidationError(_l("Le montant doit être positif."))
