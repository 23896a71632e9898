"""The fiscal journal: one chain per shop of signed entries, appended inside the caller's transaction.

Each entry carries the canonical record, the hash of the entry before it, a sequence without gaps
and an Ed25519 signature of its own hash (BOI-TVA-DECLA-30-10-30 II, inaltérabilité and
sécurisation), and the perpetual grand totals after it (all time and the current day, month and
year, by VAT rate and by payment method), so that a missing or altered entry breaks both the chain
and the totals. The chain's head row is locked while appending (SELECT ... FOR UPDATE on PostgreSQL;
SQLite writes one transaction at a time): two counters at the same instant never fork the chain.
"""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from types import SimpleNamespace
from decimal import Decimal
from typing import Iterator

from flask_babel import gettext as _
from sqlalchemy import bindparam, insert, update

from ..core.clock import PARIS, paris_date, utcnow
from ..extensions import db
from . import kinds
from .canonical import canonical, plain
from .keys import chain_of, sign_with
from .models import FiscalChain, FiscalEntry
from .version import software_version

GENESIS = "0" * 64  # the prev_hash of a shop's first entry
PERIODS = ("day", "month", "year")
BATCH = 2000


@dataclass
class Amounts:
    """What an entry adds to the grand totals, signed (a credit note or a reversal is negative):
    by VAT rate {"20.00": {"ht", "vat", "ttc"}} and by payment method {"cash": Decimal}."""

    vat: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    methods: dict[str, Decimal] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"vat": {rate: {k: plain(Decimal(v)) for k, v in row.items()} for rate, row in sorted(self.vat.items())},
                "methods": {m: plain(Decimal(v)) for m, v in sorted(self.methods.items())}}

    @classmethod
    def from_json(cls, data: dict | None) -> Amounts:
        data = data or {}
        return cls(vat={rate: {k: Decimal(v) for k, v in row.items()} for rate, row in (data.get("vat") or {}).items()},
                   methods={m: Decimal(v) for m, v in (data.get("methods") or {}).items()})

    def plus(self, other: Amounts) -> Amounts:
        vat = {rate: dict(row) for rate, row in self.vat.items()}
        for rate, row in other.vat.items():
            mine = vat.setdefault(rate, {})
            for k, v in row.items():
                mine[k] = mine.get(k, Decimal(0)) + v
        methods = dict(self.methods)
        for m, v in other.methods.items():
            methods[m] = methods.get(m, Decimal(0)) + v
        return Amounts(vat=vat, methods=methods)


def period_keys(recorded_at: dt.datetime) -> dict[str, str]:
    """The day, month and (calendar) year an entry counts in: the Paris day it was recorded."""
    day = paris_date(recorded_at)
    return {"day": day.isoformat(), "month": day.strftime("%Y-%m"), "year": str(day.year)}


def add_totals(totals: dict, amounts: Amounts, recorded_at: dt.datetime) -> dict:
    """The grand totals after an entry: all time, and each period's (restarting with a new period)."""
    keys = period_keys(recorded_at)
    after = {"all": Amounts.from_json(totals.get("all")).plus(amounts).to_json()}
    for period in PERIODS:
        before = totals.get(period) or {}
        running = Amounts.from_json(before) if before.get("key") == keys[period] else Amounts()
        after[period] = {"key": keys[period], **running.plus(amounts).to_json()}
    return after


def entry_body(entry: FiscalEntry) -> dict:
    """What the entry's hash covers: everything but the hash and the signature."""
    return {"shop_id": entry.shop_id, "seq": entry.seq, "kind": entry.kind, "occurred_on": entry.occurred_on,
            "recorded_at": entry.recorded_at, "user_id": entry.user_id, "record_table": entry.record_table,
            "record_id": entry.record_id, "payload": entry.payload, "amounts": entry.amounts, "totals": entry.totals,
            "closes_until": entry.closes_until, "prev_hash": entry.prev_hash}


def digest(body: dict) -> str:
    return hashlib.sha256(canonical(body)).hexdigest()


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=dt.timezone.utc)  # SQLite hands instants back naive: they are UTC
    return moment


# the two statements of every append, built once (parameters bound at execution: the compiled form is cached)
_ENTRY_INSERT = insert(FiscalEntry.__table__)
_HEAD_UPDATE = update(FiscalChain.__table__).where(FiscalChain.__table__.c.id == bindparam("head_id"))


def _lock(shop_id: int) -> SimpleNamespace:
    """The shop's chain head, locked until the caller's transaction ends, as it is in the database now.
    Core statements on the session's connection: the journal's own rows need no ORM unit of work."""
    conn, t = db.session.connection(), FiscalChain.__table__
    for _attempt in range(2):
        if conn.dialect.name == "sqlite":  # take the write lock before reading the head
            conn.execute(update(t).where(t.c.shop_id == shop_id).values(last_seq=t.c.last_seq))
        row = conn.execute(db.select(t).where(t.c.shop_id == shop_id).with_for_update()).mappings().one_or_none()
        if row is not None:
            return SimpleNamespace(**row)
        chain_of(shop_id)  # the first entry of the shop: its head and key pair
    raise RuntimeError("fiscal chain head unavailable")


def record(kind: str, payload: dict, *, shop_id: int, occurred_on: dt.date, amounts: Amounts | None = None,
           user_id: int | None = None, closes_until: dt.date | None = None, record_table: str | None = None,
           record_id: int | None = None) -> FiscalEntry:
    """Append one entry to the shop's chain inside the caller's transaction (no commit), so the
    business record and its entry commit or roll back together. A record dated on or before the
    shop's closed_until is refused (ClosedPeriod), except closings, archives and technical entries.
    A closing passes closes_until=<last day closed>. A software version other than the one last
    recorded, or a server clock earlier than the last entry, is journaled first (VERSION_CHANGE,
    CLOCK_CHANGE) and recorded_at never goes back. Returns the entry as written (not in the session)."""
    if kind not in kinds.ALL:
        raise ValueError(f"unknown fiscal entry kind {kind!r}")
    head = _lock(shop_id)
    if kind not in kinds.OUTSIDE_PERIODS and head.closed_until is not None and occurred_on <= head.closed_until:
        raise kinds.ClosedPeriod(_("La période est close jusqu'au %(d)s : rien ne peut plus y être enregistré "
                                   "(enregistrez-le à la date d'aujourd'hui).", d=head.closed_until.strftime("%d/%m/%Y")))
    now, last = utcnow(), _aware(head.last_recorded_at)
    today = now.astimezone(PARIS).date()
    version = software_version()
    if head.software_version != version and kind != kinds.VERSION_CHANGE:
        _append(head, kinds.VERSION_CHANGE, {"from": head.software_version, "to": version}, today, max(now, last or now))
    if last is not None and now < last:
        _append(head, kinds.CLOCK_CHANGE, {"server_clock": now, "last_recorded_at": last}, today, last)
        now = last
    entry = _append(head, kind, payload, occurred_on, now, amounts=amounts, user_id=user_id, closes_until=closes_until,
                    record_table=record_table, record_id=record_id)
    db.session.connection().execute(_HEAD_UPDATE, {
        "head_id": head.id, "last_seq": head.last_seq, "last_hash": head.last_hash, "last_recorded_at": head.last_recorded_at,
        "totals": head.totals, "closed_until": head.closed_until, "software_version": head.software_version})
    return entry


def _append(head: SimpleNamespace, kind: str, payload: dict, occurred_on: dt.date, recorded_at: dt.datetime, *,
            amounts: Amounts | None = None, user_id: int | None = None, closes_until: dt.date | None = None,
            record_table: str | None = None, record_id: int | None = None) -> FiscalEntry:
    amounts = amounts or Amounts()
    entry = FiscalEntry(shop_id=head.shop_id, seq=head.last_seq + 1, kind=kind, occurred_on=occurred_on,
                        recorded_at=recorded_at, user_id=user_id, record_table=record_table, record_id=record_id,
                        payload=plain(payload), amounts=amounts.to_json(),
                        totals=add_totals(head.totals or {}, amounts, recorded_at), closes_until=closes_until,
                        prev_hash=head.last_hash or GENESIS)
    entry.hash = digest(entry_body(entry))
    entry.signature = base64.b64encode(sign_with(head, entry.hash.encode())).decode()
    values = {c.name: getattr(entry, c.key) for c in FiscalEntry.__table__.columns if c.name != "id"}
    entry.id = db.session.connection().execute(_ENTRY_INSERT, values).inserted_primary_key[0]
    head.last_seq, head.last_hash, head.last_recorded_at, head.totals = entry.seq, entry.hash, recorded_at, entry.totals
    if kind == kinds.VERSION_CHANGE:
        head.software_version = payload["to"]
    if closes_until is not None and (head.closed_until is None or closes_until > head.closed_until):
        head.closed_until = closes_until
    return entry


def grand_totals(shop_id: int) -> dict:
    """The perpetual grand totals as of the shop's last entry ({} before the first)."""
    totals = db.session.execute(db.select(FiscalChain.totals).where(FiscalChain.shop_id == shop_id)).scalar_one_or_none()
    return totals or {}


def closed_until(shop_id: int) -> dt.date | None:
    return db.session.execute(db.select(FiscalChain.closed_until).where(FiscalChain.shop_id == shop_id)).scalar_one_or_none()


def entries(shop_id: int, since_seq: int | None = None, until_seq: int | None = None) -> Iterator[FiscalEntry]:
    """The shop's entries in sequence, read in batches (constant memory however long the journal)."""
    after = (since_seq - 1) if since_seq else 0
    while True:
        query = db.select(FiscalEntry).where(FiscalEntry.shop_id == shop_id, FiscalEntry.seq > after)
        if until_seq is not None:
            query = query.where(FiscalEntry.seq <= until_seq)
        batch = db.session.execute(query.order_by(FiscalEntry.seq).limit(BATCH)
                                   .execution_options(all_shops=True)).scalars().all()
        if not batch:
            return
        for entry in batch:
            yield entry
        after = batch[-1].seq
        for entry in batch:
            db.session.expunge(entry)
