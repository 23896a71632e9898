"""Closings (issue 19, conservation): daily, monthly and annual, each one signed journal entry
carrying the period's totals and the perpetual grand totals (BOI-TVA-DECLA-30-10-30, condition de conservation:
clôtures journalière, mensuelle et annuelle, with the cumulative grand total); a period once
closed accepts no new record dated in it (`journal.record` refuses it, ClosedPeriod).

The period's totals are computed from the journal's entries dated in it (not from the business
tables: the journal is what the signatures cover). Each closing is one transaction: its row, its
journal entry and the new closed_until commit together or not at all; a catch-up of several
periods commits one closing at a time, in order, so a worker killed in the middle leaves each
closing complete or absent. A closing done is never redone (the unique row per kind and period).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from ..core.clock import paris_today
from ..extensions import db
from . import kinds
from .closing_models import FiscalClosing
from .canonical import plain
from .journal import Amounts, grand_totals, record
from .keys import chain_of
from .models import FiscalChain, FiscalEntry
from .settings import fiscal_year, month_of

#: the business entries a closing adds up; the technical ones are counted only
BUSINESS = (kinds.INVOICE, kinds.CREDIT_NOTE, kinds.PAYMENT, kinds.REVERSAL, kinds.DEPOSIT)
ONE_DAY = dt.timedelta(days=1)


@dataclass
class PeriodTotals:
    """What a period holds, from its journal entries (sums signed: credit notes and reversals negative)."""

    entries: int = 0
    first_seq: int | None = None
    last_seq: int | None = None

    def __post_init__(self):
        self.counts: dict[str, int] = {}
        self.sales, self.credit_notes = Amounts(), Amounts()  # by VAT rate
        self.payments, self.reversals, self.deposits = Amounts(), Amounts(), Amounts()  # by method

    def add(self, entry) -> None:  # a journal entry, or a row of its kind, seq and amounts
        self.counts[entry.kind] = self.counts.get(entry.kind, 0) + 1
        if entry.kind not in BUSINESS:
            return
        self.entries += 1
        self.first_seq = entry.seq if self.first_seq is None else min(self.first_seq, entry.seq)
        self.last_seq = entry.seq if self.last_seq is None else max(self.last_seq, entry.seq)
        amounts = Amounts.from_json(entry.amounts)
        bucket = {kinds.INVOICE: "sales", kinds.CREDIT_NOTE: "credit_notes", kinds.PAYMENT: "payments",
                  kinds.REVERSAL: "reversals", kinds.DEPOSIT: "deposits"}[entry.kind]
        setattr(self, bucket, getattr(self, bucket).plus(amounts))

    def to_json(self) -> dict:
        net = self.sales.plus(self.credit_notes)
        received = self.payments.plus(self.reversals).plus(self.deposits)
        return {"entries": self.entries, "first_seq": self.first_seq, "last_seq": self.last_seq,
                "counts": dict(sorted(self.counts.items())), "sales": self.sales.to_json()["vat"],
                "credit_notes": self.credit_notes.to_json()["vat"], "net": net.to_json()["vat"],
                "payments": self.payments.to_json()["methods"], "reversals": self.reversals.to_json()["methods"],
                "deposits": self.deposits.to_json()["methods"], "received": received.to_json()["methods"],
                "total": _sum_rates(net)}


def _sum_rates(amounts: Amounts) -> dict:
    """HT, VAT and TTC over every rate."""
    return {k: plain(sum((row.get(k, Decimal(0)) for row in amounts.vat.values()), Decimal("0.00"))) for k in ("ht", "vat", "ttc")}


def period_totals(shop_id: int, start: dt.date, end: dt.date) -> dict:
    """The totals of the entries dated from `start` to `end` (streamed: a year of a large shop)."""
    totals = PeriodTotals()
    query = (db.select(FiscalEntry.kind, FiscalEntry.seq, FiscalEntry.amounts)  # the columns only: a year of a large shop
             .where(FiscalEntry.shop_id == shop_id, FiscalEntry.occurred_on >= start, FiscalEntry.occurred_on <= end,
                    FiscalEntry.kind.notin_(kinds.CLOSINGS)).order_by(FiscalEntry.seq).execution_options(yield_per=1000))
    for entry in db.session.execute(query):
        totals.add(entry)
    return totals.to_json()


def _lock_chain(shop_id: int) -> None:
    """Hold the shop's chain head until the closing commits (as `journal.record` does when it appends):
    no record can slip into the period between its totals and its closing entry."""
    chain_of(shop_id)
    if db.engine.dialect.name == "sqlite":  # take the write lock before reading
        db.session.execute(update(FiscalChain).where(FiscalChain.shop_id == shop_id).values(last_seq=FiscalChain.last_seq))
    db.session.execute(db.select(FiscalChain.id).where(FiscalChain.shop_id == shop_id).with_for_update())


def done(shop_id: int, kind: str, end: dt.date) -> FiscalClosing | None:
    return db.session.execute(db.select(FiscalClosing).where(FiscalClosing.shop_id == shop_id, FiscalClosing.kind == kind,
                                                             FiscalClosing.period_end == end)).scalar_one_or_none()


def close(shop_id: int, kind: str, start: dt.date, end: dt.date, user_id: int | None = None) -> FiscalClosing | None:
    """One closing, in its own transaction; None when it was already done (by another process too)."""
    if done(shop_id, kind, end) is not None:
        return None
    try:
        _lock_chain(shop_id)
        totals = period_totals(shop_id, start, end)
        grand = grand_totals(shop_id)
        payload = {"kind": kind, "period_start": start, "period_end": end, "totals": totals, "grand_totals": grand}
        entry = record_closing(kind, payload, shop_id=shop_id, end=end, user_id=user_id)
        closing = FiscalClosing(shop_id=shop_id, kind=kind, period_start=start, period_end=end, entry_seq=entry.seq,
                                first_seq=totals["first_seq"], last_seq=totals["last_seq"], entries=totals["entries"],
                                totals=totals, grand_totals=grand, user_id=user_id)
        db.session.add(closing)
        db.session.flush()
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # closed at the same instant by another process: its closing stands
        return None
    except BaseException:
        db.session.rollback()  # killed in the middle: nothing of this closing is kept
        raise
    return closing


def record_closing(kind: str, payload: dict, *, shop_id: int, end: dt.date, user_id: int | None):
    """The closing's journal entry (`record` looked up at call time: the atomicity test breaks it)."""
    return record(kind, payload, shop_id=shop_id, occurred_on=end, user_id=user_id, closes_until=end)


def _first_day(shop_id: int) -> dt.date | None:
    """Where closing starts: the day after the last daily closing, else the first business entry's day."""
    last = db.session.execute(db.select(db.func.max(FiscalClosing.period_end)).where(
        FiscalClosing.shop_id == shop_id, FiscalClosing.kind == kinds.CLOSING_DAY)).scalar()
    if last is not None:
        return last + ONE_DAY
    return db.session.execute(db.select(db.func.min(FiscalEntry.occurred_on)).where(
        FiscalEntry.shop_id == shop_id, FiscalEntry.kind.in_(BUSINESS))).scalar()


def last_year_closed(shop_id: int) -> dt.date | None:
    return db.session.execute(db.select(db.func.max(FiscalClosing.period_end)).where(
        FiscalClosing.shop_id == shop_id, FiscalClosing.kind == kinds.CLOSING_YEAR)).scalar()


def close_through(shop_id: int, through: dt.date, user_id: int | None = None, force: bool = False) -> list[FiscalClosing]:
    """Close every day up to `through` not closed yet, in order, and each month and fiscal year that
    ends on the way. Nothing to close without any entry, unless `force` (the owner's click)."""
    start = _first_day(shop_id)
    if start is None:
        if not force:
            return []
        start = through
    made = []
    day = start
    while day <= through:
        for kind, first, last in periods_ending(shop_id, day):
            closing = close(shop_id, kind, first, last, user_id)
            if closing is not None:
                made.append(closing)
        day += ONE_DAY
    return made


def periods_ending(shop_id: int, day: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """The periods that end on `day`: the day itself, its month on the month's last day, the fiscal
    year on its last day; in that order (the month closes after its last day, the year after it)."""
    periods = [(kinds.CLOSING_DAY, day, day)]
    first, last = month_of(day)
    if day == last:
        periods.append((kinds.CLOSING_MONTH, first, last))
    first, last = fiscal_year(shop_id, day, last_year_closed(shop_id))
    if day == last:
        periods.append((kinds.CLOSING_YEAR, first, last))
    return periods


def close_today(shop_id: int, user_id: int | None) -> list[FiscalClosing]:
    """The owner's «Clôturer la journée»: the days not closed before, then today."""
    return close_through(shop_id, paris_today(), user_id, force=True)


def listing(shop_id: int, kind: str | None = None, limit: int = 60) -> list[FiscalClosing]:
    query = db.select(FiscalClosing).where(FiscalClosing.shop_id == shop_id)
    if kind:
        query = query.where(FiscalClosing.kind == kind)
    return list(db.session.execute(query.order_by(FiscalClosing.period_end.desc(), FiscalClosing.id.desc()).limit(limit)).scalars())
