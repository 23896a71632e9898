"""Which backups to keep: every backup of the last N days that have one, then the newest backup of
each of the last N ISO weeks and of each of the last N months (grandfather-father-son). Pure: given
the backups' times, the ones kept; the others are deleted by `archive.rotate`."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable


def _newest_per_period(newest_first: list[dt.datetime], period: Callable[[dt.datetime], Hashable], count: int) -> set[dt.datetime]:
    kept: dict[Hashable, dt.datetime] = {}
    for stamp in newest_first:
        key = period(stamp)
        if key not in kept:
            if len(kept) == count:
                break
            kept[key] = stamp
    return set(kept.values())


def to_keep(stamps: list[dt.datetime], days: int = 7, weeks: int = 5, months: int = 12) -> set[dt.datetime]:
    newest_first = sorted(stamps, reverse=True)
    recent_days = sorted({s.date() for s in newest_first}, reverse=True)[:days]
    keep = {s for s in newest_first if s.date() in recent_days}
    keep |= _newest_per_period(newest_first, lambda s: s.isocalendar()[:2], weeks)
    keep |= _newest_per_period(newest_first, lambda s: (s.year, s.month), months)
    return keep
