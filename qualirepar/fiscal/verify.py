"""Verification anyone can run (BOI-TVA-DECLA-30-10-30 II, sécurisation): the shop's chain read in
sequence, in batches (constant memory), each entry's sequence, hash, link to the one before,
Ed25519 signature (with the public key only), recorded instant and grand totals; the chain head
against the last entry (entries cut off at the end); then every journaled business row (invoices
with their lines, payments...) against the record its entry carries, and every entry against its row
(a row deleted). The first broken entry is named, by its number, in French."""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import time
from dataclasses import dataclass, field

from flask_babel import gettext as _

from ..core.clock import paris_today, utcnow
from ..extensions import db
from . import kinds
from .canonical import canonical
from .journal import BATCH, GENESIS, Amounts, add_totals, digest, entry_body, record
from .keys import verify_signature
from .models import FiscalChain, FiscalCheck, FiscalEntry
from .records import JOURNALED, snapshots

MAX_PROBLEMS = 50
#: what a journaled row is called in a message: (plain, after «à»)
NAMES = {"invoice": ("la facture", "à la facture"), "payment": ("le paiement", "au paiement"),
         "deposit": ("l'acompte", "à l'acompte")}


@dataclass
class Problem:
    seq: int | None  # the entry at fault, or None for a row no entry carries
    message: str


@dataclass
class Report:
    shop_id: int
    entries: int = 0
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first(self) -> Problem | None:
        return min(self.problems, key=lambda p: (p.seq is None, p.seq or 0)) if self.problems else None

    def add(self, seq: int | None, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(seq, message))


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.timezone.utc) if moment.tzinfo is None else moment


def _signature_ok(public_pem: str, entry) -> bool:
    try:
        return verify_signature(public_pem, entry.hash.encode(), base64.b64decode(entry.signature, validate=True))
    except (binascii.Error, ValueError):
        return False


def _check_chain(report: Report, chain: FiscalChain) -> None:
    """Pass 1: the entries in sequence; stops at the first broken one (all after it follow from it)."""
    t = FiscalEntry.__table__
    expected, prev_hash, totals, last_at, last_hash = 1, GENESIS, {}, None, None
    while True:
        rows = db.session.connection().execute(db.select(t).where(t.c.shop_id == chain.shop_id, t.c.seq >= expected)
                                  .order_by(t.c.seq).limit(BATCH)).all()
        if not rows:
            break
        for e in rows:
            n = e.seq
            if n != expected:
                report.add(expected, _("L'écriture n° %(n)d manque : le journal passe de la n° %(p)d à la n° %(s)d.",
                                       n=expected, p=expected - 1, s=n))
                return
            if digest(entry_body(e)) != e.hash:
                report.add(n, _("L'écriture n° %(n)d a été modifiée ou déplacée : son empreinte ne correspond plus à son contenu.",
                                n=n))
                return
            if e.prev_hash != prev_hash:
                report.add(n, _("L'écriture n° %(n)d ne suit pas la précédente : le chaînage est rompu (une écriture a été "
                                "retirée, remplacée ou déplacée).", n=n))
                return
            if not _signature_ok(chain.public_key_pem, e):
                report.add(n, _("L'écriture n° %(n)d n'a pas une signature valide pour la clé publique de la boutique.", n=n))
                return
            at = _aware(e.recorded_at)
            if last_at is not None and at < last_at:
                report.add(n, _("L'écriture n° %(n)d est datée avant la précédente.", n=n))
                return
            totals = add_totals(totals, Amounts.from_json(e.amounts), at)
            if totals != e.totals:  # plain strings on both sides
                report.add(n, _("L'écriture n° %(n)d porte des totaux cumulés faux.", n=n))
                return
            report.entries += 1
            expected, prev_hash, last_at, last_hash = n + 1, e.hash, at, e.hash
    if chain.last_seq != expected - 1 or (chain.last_hash or None) != last_hash:
        report.add(expected, _("Les dernières écritures manquent : le journal s'arrête à la n° %(s)d alors que la chaîne en "
                               "compte %(c)d.", s=expected - 1, c=chain.last_seq))


def _differences(recorded: dict, current: dict) -> list[str]:
    fields = sorted(k for k in set(recorded.get("row", {})) | set(current.get("row", {}))
                    if recorded.get("row", {}).get(k) != current.get("row", {}).get(k))
    if canonical(recorded.get("lines")) != canonical(current.get("lines")):
        fields.append("lignes")
    return fields


def _check_rows(report: Report, shop_id: int, table: str) -> None:
    """Pass 2: each row of a journaled table against the record its entry carries; pass 3: each entry's row exists."""
    t, e = db.metadata.tables[table], FiscalEntry.__table__
    name, to_name = NAMES.get(table, (table, "à " + table))
    after = 0
    while True:
        ids = db.session.connection().execute(db.select(t.c.id).where(t.c.shop_id == shop_id, t.c.id > after)
                                 .order_by(t.c.id).limit(BATCH)).scalars().all()
        if not ids:
            break
        current = snapshots(table, ids, shop_id=shop_id)
        journaled = {r.record_id: r for r in db.session.connection().execute(
            db.select(e.c.record_id, e.c.seq, e.c.payload).where(e.c.shop_id == shop_id, e.c.record_table == table,
                                                                 e.c.record_id.in_(ids)))}
        for row_id in ids:
            report.rows += 1
            entry = journaled.get(row_id)
            if entry is None:
                report.add(None, _("Aucune écriture du journal ne porte %(what)s id %(id)d : cet enregistrement a été "
                                   "ajouté hors du logiciel.", what=name, id=row_id))
            elif entry.payload != current[row_id]:  # both plain: strings, numbers, booleans, None
                report.add(entry.seq, _("L'écriture n° %(n)d ne correspond plus %(what)s id %(id)d : modifié en base "
                                        "(%(fields)s).", n=entry.seq, what=to_name, id=row_id,
                                        fields=", ".join(_differences(entry.payload, current[row_id]))))
        after = ids[-1]
    gone = db.session.connection().execute(db.select(e.c.seq, e.c.record_id).select_from(e.outerjoin(t, t.c.id == e.c.record_id))
                              .where(e.c.shop_id == shop_id, e.c.record_table == table, t.c.id.is_(None))
                              .limit(MAX_PROBLEMS))  # no ORDER BY: streamed, no sort of the whole journal (Report.first orders)
    for seq, row_id in gone:
        report.add(seq, _("L'écriture n° %(n)d journalise %(what)s id %(id)d : cet enregistrement a été supprimé de la base.",
                          n=seq, what=name, id=row_id))


def verify_shop(shop_id: int) -> Report:
    """Check the shop's chain and journaled rows; nothing is written."""
    started = time.perf_counter()
    report = Report(shop_id=shop_id)
    chain = db.session.execute(db.select(FiscalChain).where(FiscalChain.shop_id == shop_id)
                               .execution_options(all_shops=True, populate_existing=True)).scalar_one_or_none()
    if chain is not None:
        _check_chain(report, chain)
    for table in JOURNALED:
        _check_rows(report, shop_id, table)
    report.seconds = time.perf_counter() - started
    return report


def run_check(shop_id: int, user_id: int | None = None) -> tuple[Report, FiscalCheck]:
    """Verify, keep the result for the owner's page and, when broken, journal it (INTEGRITY_FAILED); commits."""
    report = verify_shop(shop_id)
    first = report.first
    check = FiscalCheck(shop_id=shop_id, checked_at=utcnow(), user_id=user_id,
                        status=kinds.CHECK_OK if report.ok else kinds.CHECK_BROKEN, entries=report.entries,
                        broken_seq=first.seq if first else None, message=first.message if first else None,
                        seconds=f"{report.seconds:.2f}")
    db.session.add(check)
    if not report.ok:
        record(kinds.INTEGRITY_FAILED, {"seq": first.seq, "message": first.message, "problems": len(report.problems)},
               shop_id=shop_id, occurred_on=paris_today(), user_id=user_id)
    db.session.commit()
    return report, check


def last_check(shop_id: int) -> FiscalCheck | None:
    return db.session.execute(db.select(FiscalCheck).where(FiscalCheck.shop_id == shop_id)
                              .order_by(FiscalCheck.checked_at.desc(), FiscalCheck.id.desc()).limit(1)).scalar_one_or_none()
