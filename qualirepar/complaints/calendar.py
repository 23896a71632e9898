"""French working days: Monday to Friday, except the public holidays (Code du travail L3133-1)."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

from dateutil.easter import easter


@lru_cache(maxsize=64)
def public_holidays(year: int) -> frozenset[dt.date]:
    """The eleven national public holidays (Alsace-Moselle's two more are not counted)."""
    e = easter(year)
    return frozenset({
        dt.date(year, 1, 1), e + dt.timedelta(days=1),  # jour de l'an, lundi de Pâques
        dt.date(year, 5, 1), dt.date(year, 5, 8),  # fête du travail, victoire 1945
        e + dt.timedelta(days=39), e + dt.timedelta(days=50),  # Ascension, lundi de Pentecôte
        dt.date(year, 7, 14), dt.date(year, 8, 15), dt.date(year, 11, 1), dt.date(year, 11, 11), dt.date(year, 12, 25),
    })


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year)


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The n-th working day after `start` (the day itself is not counted)."""
    day, left = start, n
    while left > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


ANSWER_WITHIN = 8  # working days (label QualiRépar)


def due_on(received_on: dt.date) -> dt.date:
    return add_working_days(received_on, ANSWER_WITHIN)
