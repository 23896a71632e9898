"""The period of an audit pack: the previous quarter by default, a year at most, both ends included."""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _

from ..core import csvfr
from ..core.clock import paris_today
from ..core.refusal import Refusal

MAX_DAYS = 366  # a period of one year at most (a leap year included)
BONS_BY_DEFAULT_DAYS = 31  # the bons are offered by default for a period of a month at most


class PeriodError(Refusal, ValueError):
    """The period cannot be used; the message is for the user, in French."""


def previous_quarter(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The calendar quarter before the one `today` is in: the default period."""
    today = today or paris_today()
    first_month = 3 * ((today.month - 1) // 3) + 1
    end = dt.date(today.year, first_month, 1) - dt.timedelta(days=1)
    return dt.date(end.year, end.month - 2, 1), end


def check_period(period_from: dt.date | None, period_to: dt.date | None) -> None:
    if period_from is None or period_to is None:
        raise PeriodError(_("Indiquez les deux dates de la période (du … au …)."))
    if period_from > period_to:
        raise PeriodError(_("La date de début (%(a)s) est après la date de fin (%(b)s).",
                            a=csvfr.day(period_from), b=csvfr.day(period_to)))
    if days(period_from, period_to) > MAX_DAYS:
        raise PeriodError(_("La période dépasse %(n)s jours : choisissez une année au plus.", n=MAX_DAYS))


def days(period_from: dt.date, period_to: dt.date) -> int:
    """Days in the period, both ends included."""
    return (period_to - period_from).days + 1


def bons_by_default(period_from: dt.date, period_to: dt.date) -> bool:
    return days(period_from, period_to) <= BONS_BY_DEFAULT_DAYS


def in_period(column, period_from: dt.date, period_to: dt.date):
    """The SQL condition of a date column in the period, both ends included."""
    return column.between(period_from, period_to)
