"""An invoice's fields, the entry point the reading job calls."""
from __future__ import annotations

from ..reading import Reading
from .customer import find_customer
from .dates import find_date
from .ids import find_ids
from .lines import Field, lines_of
from .number import find_number
from .totals import solve_amounts

def invoice_fields(reading: Reading) -> dict[str, Field]:
    """number, date, total_ttc, total_ht, vat, bonus, siret, siren, vat_number, customer_name (those found)."""
    lines = lines_of(reading)
    out: dict[str, Field] = {}
    number = find_number(lines)
    if number:
        out["number"] = number
    day = find_date(lines)
    if day:
        out["date"] = day
    out.update(solve_amounts(lines))
    out.update(find_ids(lines))
    customer = find_customer(lines)
    if customer:
        out["customer_name"] = customer
    return out
