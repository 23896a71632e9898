"""What the FEC page asks for: the file's name and its period for the shop, and the export itself,
journaled as an export for the tax authority (fiscal journal, TAX_EXPORT) before the first byte."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterator

from flask_babel import gettext as _

from ..core.clock import paris_today
from ..core.refusal import Refusal
from ..extensions import db
from ..fiscal import journal, kinds
from ..fiscal.settings import settings_of
from ..shops.models import Shop
from . import accounts, export, period


class NoSiren(Refusal):
    """The shop has no SIRET yet: the file is named by its SIREN (A47 A-1 IX)."""

    endpoint = "fec.index"

    def __init__(self):
        super().__init__(_("Renseignez le SIRET de l'atelier (Paramètres → Boutique) : le FEC est nommé par son SIREN."))


@dataclass
class Export:
    shop_id: int
    start: dt.date
    end: dt.date
    filename: str
    chart: dict[str, accounts.Account]

    def stream(self) -> Iterator[bytes]:
        return export.stream(self.shop_id, self.start, self.end, self.chart)


def siren(shop: Shop) -> str | None:
    digits = (shop.siret or "").strip()
    return digits[:9] if len(digits) == 14 and digits.isdigit() else None


def year_end(shop_id: int) -> tuple[int, int]:
    """The fiscal year's last (month, day), the one the closings follow (fiscal.settings: 31/12 unless set)."""
    s = settings_of(shop_id)
    return s.year_end_month or 12, s.year_end_day or 31


def choices(shop_id: int) -> list[tuple[str, str]]:
    return period.choices(paris_today(), *year_end(shop_id))


def default_period(shop_id: int) -> str:
    """The month just ended: what the accountant asks for most."""
    first = paris_today().replace(day=1) - dt.timedelta(days=1)
    return f"{first:%Y-%m}"


def bounds(shop_id: int, value: str | None) -> tuple[dt.date, dt.date]:
    return period.parse(value, *year_end(shop_id))


def prepare(shop_id: int, value: str | None, user_id: int | None) -> Export:
    """The export of a period, journaled (TAX_EXPORT: the period, the file's name, what it holds)
    and committed before the file streams; NoSiren or a PeriodError, nothing journaled."""
    shop = db.session.get(Shop, shop_id)
    siren_ = siren(shop)
    if siren_ is None:
        raise NoSiren()
    start, end = bounds(shop_id, value)
    month, day = year_end(shop_id)
    fy_end = period.fiscal_year(end, month, day)[1]
    name = export.filename(siren_, fy_end)
    counts = export.summary(shop_id, start, end)
    journal.record(kinds.TAX_EXPORT, {"format": "FEC (LPF art. A47 A-1)", "file": name, "from": start, "to": end,
                                      "invoices": counts["invoices"], "credit_notes": counts["credit_notes"],
                                      "payments": counts["payments"], "deposits": counts["deposits"],
                                      "transfers": counts["transfers"]},
                   shop_id=shop_id, occurred_on=paris_today(), user_id=user_id)
    db.session.commit()
    return Export(shop_id, start, end, name, accounts.chart(shop_id))
