"""The periods the owner picks from: a month, or a fiscal year; and the fiscal year's closing
date that names the file (A47 A-1 IX)."""
from __future__ import annotations

import calendar
import datetime as dt

from flask_babel import format_date
from flask_babel import gettext as _

from ..core.refusal import Refusal

MONTHS_BACK = 24
YEARS_BACK = 6  # the six years the books are kept (LPF art. L102 B)


class PeriodError(Refusal):
    """A period that is not one of the page's choices."""


def _year_end(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def fiscal_year(day: dt.date, end_month: int = 12, end_day: int = 31) -> tuple[dt.date, dt.date]:
    """(first day, last day) of the fiscal year that holds `day`."""
    end = _year_end(day.year, end_month, end_day)
    if end < day:
        end = _year_end(day.year + 1, end_month, end_day)
    return _year_end(end.year - 1, end_month, end_day) + dt.timedelta(days=1), end


def choices(today: dt.date, end_month: int = 12, end_day: int = 31) -> list[tuple[str, str]]:
    """(value, label): the current and the previous months, then the fiscal years."""
    out = []
    year, month = today.year, today.month
    for _i in range(MONTHS_BACK):
        first = dt.date(year, month, 1)
        out.append((f"{year:04d}-{month:02d}", format_date(first, "MMMM y").capitalize()))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    start, end = fiscal_year(today, end_month, end_day)
    for _i in range(YEARS_BACK):
        out.append((f"exercice-{end:%Y%m%d}", _("Exercice du %(a)s au %(b)s", a=format_date(start, "short"),
                                                  b=format_date(end, "short"))))
        start, end = fiscal_year(start - dt.timedelta(days=1), end_month, end_day)
    return out


def parse(value: str | None, end_month: int = 12, end_day: int = 31) -> tuple[dt.date, dt.date]:
    """'2026-11' → November 2026; 'exercice-20261231' → the fiscal year closing that day."""
    value = (value or "").strip()
    try:
        if value.startswith("exercice-"):
            end = dt.datetime.strptime(value[len("exercice-"):], "%Y%m%d").date()
            start, fy_end = fiscal_year(end, end_month, end_day)
            if fy_end != end:
                raise ValueError(value)
            return start, end
        first = dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise PeriodError(_("Choisissez une période dans la liste.")) from None
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])
