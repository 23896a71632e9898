"""Money, one way: Decimal euros to the cent, rounded half up; one parser of amounts typed the
French way, with its limit and its message; one formatter for files and stored messages.

Pages format with the `euros` Jinja filter (Babel, the user's locale); CSV files, the audit pack and
texts kept in the audit log use `french_amount` (always '1234,50', whatever the locale).
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from .refusal import Refusal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
#: no amount a repair shop handles reaches 100,000 €; past it a typed value is a typo or a probe
MAX_AMOUNT = Decimal("100000")
AMOUNT_MESSAGE = _l("Montant invalide : écrivez par exemple 119,90.")


class AmountError(Refusal, ValueError):
    """Not an amount in euros a shop types; the message is for the user, in French."""

    def __init__(self, message=AMOUNT_MESSAGE):
        super().__init__(str(message))


def cents(value) -> Decimal:
    """To the cent, half up (the French rounding of amounts; never the banker's)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def line_total(quantity, unit_price) -> Decimal:
    """A line's amount, half up to the cent, as the totals (the templates show this, never Jinja's round)."""
    return cents(Decimal(quantity) * Decimal(unit_price))


def french_decimal(text: str | None) -> Decimal | None:
    """'1 234,50 €' -> Decimal('1234.50'); None when it is not a finite number a shop would type."""
    if text is None:
        return None
    raw = (str(text).replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("€", "")
           .replace(",", ".").strip())
    try:
        value = Decimal(raw)
    except InvalidOperation:
        return None
    if not value.is_finite() or not -12 <= value.as_tuple().exponent <= 12:
        return None  # '1e-2000000' is a number, but not one a shop types: it would be kept spelled out
    return value


def parse_amount(text: str | None, limit: Decimal = MAX_AMOUNT) -> Decimal | None:
    """An amount typed the French way, to the cent: '' -> None; anything else not an amount under
    `limit` (in absolute value) raises AmountError with the French message."""
    if text is None or not str(text).strip():
        return None
    value = french_decimal(text)
    if value is None or abs(value) >= limit:
        raise AmountError()
    return cents(value)


def french_amount(value) -> str:
    """An amount in euros written for a French file or message: Decimal('25') -> '25,00'; None -> ''."""
    return f"{cents(value):.2f}".replace(".", ",") if value is not None else ""


def french_number(value) -> str:
    """A number with the digits it has, the French way: Decimal('0.150') -> '0,15'; None -> ''."""
    return format(Decimal(value).normalize(), "f").replace(".", ",") if value is not None else ""
