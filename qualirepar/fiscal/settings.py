"""The shop's fiscal year (exercice): its last day, set by the owner (31 December unless set), and
the periods the closings follow: the Paris day, the calendar month, the fiscal year."""
from __future__ import annotations

import calendar
import datetime as dt

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit import note
from ..extensions import db
from .closing_models import FiscalSettings
from .kinds import FiscalRefusal

MONTH_NAMES = (_l("janvier"), _l("février"), _l("mars"), _l("avril"), _l("mai"), _l("juin"), _l("juillet"), _l("août"),
               _l("septembre"), _l("octobre"), _l("novembre"), _l("décembre"))


def settings_of(shop_id: int) -> FiscalSettings:
    """The shop's row (not written until the owner saves it: the defaults apply)."""
    row = db.session.execute(db.select(FiscalSettings).where(FiscalSettings.shop_id == shop_id)).scalar_one_or_none()
    return row or FiscalSettings(shop_id=shop_id, year_end_month=12, year_end_day=31)


def _year_end(year: int, month: int, day: int) -> dt.date:
    """That year's last day of the fiscal year (28 February in a year without the 29th)."""
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def fiscal_year(shop_id: int, day: dt.date, last_closed: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """(first day, last day) of the fiscal year holding `day`. After a change of the year's last
    day, the year runs from the day after the last annual closing (`last_closed`) to the next end:
    a longer or shorter exercice, never a day in two years nor a day in none."""
    s = settings_of(shop_id)
    end = _year_end(day.year, s.year_end_month, s.year_end_day)
    if end < day:
        end = _year_end(day.year + 1, s.year_end_month, s.year_end_day)
    start = _year_end(end.year - 1, s.year_end_month, s.year_end_day) + dt.timedelta(days=1)
    if last_closed is not None and last_closed < day:
        start = last_closed + dt.timedelta(days=1)
    return start, end


def month_of(day: dt.date) -> tuple[dt.date, dt.date]:
    return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def save(shop_id: int, month: int, day: int) -> FiscalSettings:
    """Set the fiscal year's last day (the years already closed stay as they were closed)."""
    if not 1 <= month <= 12:
        raise FiscalRefusal(_("Mois invalide."))
    if not 1 <= day <= calendar.monthrange(2001, month)[1]:  # a year without 29 February: the 28th ends it
        raise FiscalRefusal(_("Le %(d)s %(m)s n'existe pas.", d=day, m=MONTH_NAMES[month - 1]))
    row = settings_of(shop_id)
    before = (row.year_end_month, row.year_end_day)
    row.year_end_month, row.year_end_day = month, day
    if row.id is None:
        db.session.add(row)
    db.session.flush()
    note(row, "fiscal_year_end", {"year_end": (f"{before[1]:02d}/{before[0]:02d}", f"{day:02d}/{month:02d}")})
    db.session.commit()
    return row
