"""Time, one way. Stored instants are UTC; the days a shop sees, stores and compares are Paris days.

`date.today()` is the server's day: on a server in UTC an intake typed between midnight and 1-2 am
Paris time would get the day before, which moves the 3-month warranty boundary (référentiel
QualiRépar § 6.1.5). Code asks this module instead.
"""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def utcnow() -> dt.datetime:
    """Now, aware, in UTC (what the database stores)."""
    return dt.datetime.now(dt.timezone.utc)


def paris_now() -> dt.datetime:
    return utcnow().astimezone(PARIS)


def paris_today() -> dt.date:
    """Today in Paris, whatever the server's time zone."""
    return paris_now().date()


def paris_date(moment: dt.datetime | None) -> dt.date | None:
    """The Paris day of a stored instant (a naive value is taken as UTC, as SQLite hands it back)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(PARIS).date()


def paris_time(moment: dt.datetime | None) -> dt.datetime | None:
    """A stored instant shown in Paris (naive values are UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(PARIS)
