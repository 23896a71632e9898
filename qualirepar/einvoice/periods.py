"""The e-reporting periods and their deadlines, by the shop's VAT regime (pure: no database).

Sources (public texts, as in force for the small companies' start on 1 September 2027):
- CGI art. 290 (transaction data of sales to non-taxable persons, B2C) and art. 290 A (payment data
  of services whose VAT is due on receipt, i.e. without the option for the debits);
- CGI annexe II art. 242 nonies O and P, from décret n° 2022-1299 du 7 octobre 2022 as amended
  (décret n° 2024-266 du 25 mars 2024 for the calendar);
- BOI-TVA-DECLA-20-30-50-30 § 50 (réel normal mensuel: by ten-day period, «décade»), § 60 (réel
  normal trimestriel and réel simplifié: each month), § 70 (franchise en base: each civil two-month
  period), § 90 (deadline: ten days after the end of the period: the 20th, the 30th, the 10th of the
  next month; a month: the 10th of the next month), § 100 (réel simplifié and franchise: between the
  25th and the end of the month following the period);
- BOI-TVA-DECLA-20-30-60 § 170-210 (payment data: each month under the réel normal, monthly or
  quarterly; réel simplifié monthly, between the 25th and the end of the next month; franchise by
  two months; deadline the 10th of the next month under the réel normal).

Where a text leaves a range («between the 25th and the end of the month», a day the PA assigns), the
earliest day is kept: a report made five days early costs nothing, a late one a fine per
transmission (CGI art. 1788 D). February's second ten-day period is due on its last day.
"""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from flask_babel import format_date
from flask_babel import lazy_gettext as _l

from .settings import FRANCHISE, REEL_MENSUEL, REEL_SIMPLIFIE, REEL_TRIMESTRIEL

TRANSACTIONS, PAYMENTS = "transactions", "payments"
DECADE, MONTH, BIMESTER = "decade", "month", "bimester"
FREQUENCY_LABELS = {DECADE: _l("par décade (trois fois par mois)"), MONTH: _l("chaque mois"), BIMESTER: _l("tous les deux mois")}
FLOW_LABELS = {TRANSACTIONS: _l("données de transaction (ventes aux particuliers)"),
               PAYMENTS: _l("données de paiement (encaissements des prestations de services)")}

FREQUENCIES = {
    (REEL_MENSUEL, TRANSACTIONS): DECADE, (REEL_MENSUEL, PAYMENTS): MONTH,
    (REEL_TRIMESTRIEL, TRANSACTIONS): MONTH, (REEL_TRIMESTRIEL, PAYMENTS): MONTH,
    (REEL_SIMPLIFIE, TRANSACTIONS): MONTH, (REEL_SIMPLIFIE, PAYMENTS): MONTH,
    (FRANCHISE, TRANSACTIONS): BIMESTER, (FRANCHISE, PAYMENTS): BIMESTER,
}
LATE_DAY = 25  # réel simplifié and franchise: «between the 25th and the end of the next month», the earliest kept


@dataclass(frozen=True)
class Period:
    flow: str  # TRANSACTIONS or PAYMENTS
    frequency: str  # DECADE, MONTH or BIMESTER
    start: dt.date
    end: dt.date  # included
    deadline: dt.date  # the last day to deposit it at the PA

    @property
    def key(self) -> str:
        return f"{self.flow}:{self.start.isoformat()}"

    @property
    def label(self) -> str:
        if self.frequency == MONTH:
            return format_date(self.start, "MMMM yyyy")
        return _l("du %(a)s au %(b)s", a=format_date(self.start, "d MMMM"), b=format_date(self.end, "d MMMM yyyy"))


def last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _next_month(day: dt.date, on: int) -> dt.date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return dt.date(year, month, min(on, calendar.monthrange(year, month)[1]))


def period_of(day: dt.date, regime: str, flow: str) -> Period:
    """The period of `flow` that contains `day`, for a shop under `regime`."""
    frequency = FREQUENCIES[(regime, flow)]
    if frequency == DECADE:
        if day.day <= 10:
            start, end, deadline = day.replace(day=1), day.replace(day=10), day.replace(day=20)
        elif day.day <= 20:
            start, end = day.replace(day=11), day.replace(day=20)
            deadline = day.replace(day=min(30, calendar.monthrange(day.year, day.month)[1]))
        else:
            start, end = day.replace(day=21), last_day(day.year, day.month)
            deadline = _next_month(day, 10)
        return Period(flow, frequency, start, end, deadline)
    if frequency == MONTH:
        start, end = day.replace(day=1), last_day(day.year, day.month)
        return Period(flow, frequency, start, end, _next_month(end, LATE_DAY if regime == REEL_SIMPLIFIE else 10))
    first = day.month if day.month % 2 == 1 else day.month - 1  # civil two-month periods: Jan-Feb, Mar-Apr...
    start, end = dt.date(day.year, first, 1), last_day(day.year, first + 1)
    return Period(flow, frequency, start, end, _next_month(end, LATE_DAY))


def previous(period: Period, regime: str) -> Period:
    return period_of(period.start - dt.timedelta(days=1), regime, period.flow)


def periods_in_month(year: int, month: int, regime: str, flow: str) -> list[Period]:
    """The periods of `flow` that end in that month (three ten-day periods, one month, or the two-month
    period ending then)."""
    out, day, last = [], dt.date(year, month, 1), last_day(year, month)
    while day <= last:
        p = period_of(day, regime, flow)
        if p.end <= last and p not in out:
            out.append(p)
        day = p.end + dt.timedelta(days=1)
    if not out:  # an odd month of a two-month period: the period that is running
        out.append(period_of(dt.date(year, month, 1), regime, flow))
    return out


def next_deadline(today: dt.date, regime: str, flows: tuple[str, ...] = (TRANSACTIONS, PAYMENTS)) -> Period:
    """The next period to deposit: the ended period whose deadline is today or later, else the running one."""
    candidates = []
    for flow in flows:
        current = period_of(today, regime, flow)
        before = previous(current, regime)
        candidates.append(before if before.deadline >= today else current)
    return min(candidates, key=lambda p: (p.deadline, p.flow))
