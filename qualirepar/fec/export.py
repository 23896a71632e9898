"""The FEC file, streamed: article A47 A-1 of the Livre des procédures fiscales (LPF), commented
in BOFiP BOI-CF-IOR-60-40-20.

- Flat file, one record per line (A47 A-1 I 1°: «Retour chariot et/ou Fin de ligne»: CRLF here),
  the zones separated by «|» (VI: a tabulation or «|», unique and unequivocal in the file: «|»,
  tabs and line ends are therefore taken out of every text).
- First line: the names of the 18 zones, in the order of A47 A-1 VII 1° (BOI-CF-IOR-60-40-20 § 10).
- Dates AAAAMMJJ; amounts in characters, base ten, comma decimal (A47 A-1 III 2°-4°); Debit and
  Credit both written, the empty side «0,00».
- Character set: ISO 8859-15 (A47 A-1 III 1°: «ASCII, norme ISO 8859-15 ou EBCDIC»). The text lists
  these three and not UTF-8; of the three, ISO 8859-15 is the one with every French letter (é, à,
  ç, œ) and «€». A character outside it is replaced (’ by ', – by -, anything else by ?).
- File name SirenFECAAAAMMJJ.txt, AAAAMMJJ the closing date of the fiscal year (A47 A-1 IX).
- Entries in chronological order (by EcritureDate; on a day, sales, then cash, then bank),
  EcritureNum a continuous sequence from 1 in the file.

Memory stays flat: each kind of record is read EXPORT_BATCH rows at a time by keyset (never an
OFFSET, never all rows), the four streams (invoices, payments, deposits, transfers) merged lazily
(heapq.merge), and the text yielded in chunks of a few hundred lines.
"""
from __future__ import annotations

import datetime as dt
import heapq
from functools import lru_cache
from collections import defaultdict
from decimal import Decimal
from types import SimpleNamespace
from typing import Iterator

from sqlalchemy import or_, tuple_

from ..billing.deposit_models import Deposit
from ..billing.models import Invoice, InvoiceLine, Payment
from ..claims.models import Claim, ClaimPayment
from ..core.clock import paris_date
from ..extensions import db
from ..repairs.models import Customer, RepairOrder
from .accounts import Account
from .entries import (JOURNALS, ZERO, Entry, Lettering, bonus_lettering, deposit_entry, invoice_entry, payment_entry,
                      transfer_entry)

COLUMNS = ("JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib", "CompAuxNum",
           "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit", "EcritureLet", "DateLet",
           "ValidDate", "Montantdevise", "Idevise")
SEPARATOR = "|"
NEWLINE = "\r\n"
ENCODING = "iso-8859-15"
EXPORT_BATCH = 1000
LINES_PER_CHUNK = 500
MIME = f"text/plain; charset={ENCODING}"
_REPLACEMENTS = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "\u00a0": " ",
                               "\u202f": " ", "|": "/", "\t": " ", "\r": " ", "\n": " "})


def filename(siren: str, fiscal_year_end: dt.date) -> str:
    """A47 A-1 IX: SirenFECAAAAMMJJ, the date the fiscal year closes."""
    return f"{siren}FEC{fiscal_year_end:%Y%m%d}.txt"


def clean(text: str | None) -> str:
    return " ".join((text or "").translate(_REPLACEMENTS).split())


def amount(value: Decimal) -> str:
    return f"{value:.2f}".replace(".", ",")


@lru_cache(maxsize=4096)  # a year has 366 days and strftime is the slowest step of a line
def day(value: dt.date | None) -> str:
    return value.strftime("%Y%m%d") if value else ""


def _keyset(query, keys: tuple) -> Iterator[list]:
    """The rows of `query` ordered by `keys` (a unique tuple), EXPORT_BATCH at a time: each batch starts
    after the last row of the one before (rows are named by the key columns' labels)."""
    last = None
    while True:
        batch = query.where(tuple_(*keys) > tuple_(*last)) if last is not None else query
        rows = db.session.execute(batch.order_by(*keys).limit(EXPORT_BATCH)).all()
        if not rows:
            return
        yield rows
        last = tuple(getattr(rows[-1], key.key) for key in keys)


def _invoices(shop_id: int, start: dt.date, end: dt.date, chart: dict[str, Account]) -> Iterator[Entry]:
    query = (db.select(Invoice.issued_on, Invoice.id, Invoice.number, Invoice.kind, Invoice.issued_at, Invoice.buyer,
                       Invoice.total_ht, Invoice.total_vat, Invoice.total_ttc, Invoice.bonus_amount, Invoice.bonus_organism,
                       Invoice.amount_due, Invoice.vat_breakdown, Invoice.order_id, RepairOrder.customer_id)
             .join(RepairOrder, RepairOrder.id == Invoice.order_id)
             .where(Invoice.shop_id == shop_id, Invoice.issued_on >= start, Invoice.issued_on <= end))
    for rows in _keyset(query, (Invoice.issued_on, Invoice.id)):
        lines: dict[int, list] = defaultdict(list)
        for invoice_id, kind, rate, ht in db.session.execute(
                db.select(InvoiceLine.invoice_id, InvoiceLine.kind, InvoiceLine.vat_rate, db.func.sum(InvoiceLine.total_ht))
                .where(InvoiceLine.invoice_id.in_([r.id for r in rows]))
                .group_by(InvoiceLine.invoice_id, InvoiceLine.kind, InvoiceLine.vat_rate)):
            lines[invoice_id].append((kind, rate, ht))
        deposits = _deposits_before(rows)
        settled = _bonus_settled(shop_id, [row.id for row in rows if row.kind == "invoice" and row.bonus_amount > 0])
        for row in rows:
            yield invoice_entry(row, lines[row.id], chart, paris_date(row.issued_at), deposits.get(row.id, ZERO),
                                settled.get(row.id))


def _bonus_settled(shop_id: int, invoice_ids: list[int]) -> dict[int, Lettering]:
    """The invoices among `invoice_ids` whose bonus the organism has paid in full, whatever the
    period of its transfers: the lettering of the bonus and of the transfer lines (their last date).
    A statement line belongs to an invoice by its claim, else by the invoice's number."""
    if not invoice_ids:
        return {}
    invoices = {row.id: row for row in db.session.execute(
        db.select(Invoice.id, Invoice.number, Invoice.bonus_amount, Invoice.bonus_organism)
        .where(Invoice.shop_id == shop_id, Invoice.id.in_(invoice_ids)))}
    by_claim = dict(db.session.execute(db.select(Claim.id, Claim.invoice_id).where(Claim.invoice_id.in_(invoice_ids))).all())
    by_number = {(row.bonus_organism, row.number): row.id for row in invoices.values()}
    paid: dict[int, list] = defaultdict(list)
    for line in db.session.execute(
            db.select(ClaimPayment.claim_id, ClaimPayment.organism, ClaimPayment.invoice_number, ClaimPayment.amount,
                      ClaimPayment.paid_on)
            .where(ClaimPayment.shop_id == shop_id, or_(ClaimPayment.claim_id.in_(list(by_claim) or [0]),
                                                        ClaimPayment.invoice_number.in_([r.number for r in invoices.values()])))):
        invoice_id = by_claim.get(line.claim_id) or by_number.get((line.organism, line.invoice_number))
        if invoice_id is not None:
            paid[invoice_id].append(line)
    return {invoice_id: bonus_lettering(invoice_id, max(line.paid_on for line in lines))
            for invoice_id, lines in paid.items()
            if sum((Decimal(line.amount) for line in lines), ZERO) == invoices[invoice_id].bonus_amount}


def _transfer_invoices(shop_id: int, rows) -> dict[int, int]:
    """Statement line id -> the invoice it pays (by its claim, else by the invoice's number)."""
    claims = dict(db.session.execute(db.select(Claim.id, Claim.invoice_id).where(
        Claim.id.in_(sorted({r.claim_id for r in rows if r.claim_id}) or [0]))).all())
    numbers = dict(((organism, number), invoice_id) for invoice_id, organism, number in db.session.execute(
        db.select(Invoice.id, Invoice.bonus_organism, Invoice.number).where(
            Invoice.shop_id == shop_id, Invoice.kind == "invoice",
            Invoice.number.in_(sorted({r.invoice_number for r in rows if r.invoice_number}) or [""]))))
    out = {}
    for r in rows:
        invoice_id = claims.get(r.claim_id) or numbers.get((r.organism, r.invoice_number))
        if invoice_id is not None:
            out[r.id] = invoice_id
    return out


def _deposits_before(rows) -> dict[int, Decimal]:
    """Per invoice of the batch, the deposits its order received before it was issued: what it
    deducts (billing.payments.paid counts them; none can be taken on an invoiced order)."""
    issued = {row.id: (row.order_id, _aware(row.issued_at)) for row in rows}
    taken: dict[int, list] = defaultdict(list)
    for order_id, created_at, amount_ in db.session.execute(
            db.select(Deposit.order_id, Deposit.created_at, Deposit.amount)
            .where(Deposit.order_id.in_(sorted({order_id for order_id, _at in issued.values()})))):
        taken[order_id].append((_aware(created_at), Decimal(amount_)))
    return {invoice_id: sum((a for at, a in taken[order_id] if at <= issued_at), ZERO)
            for invoice_id, (order_id, issued_at) in issued.items() if taken[order_id]}


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)  # SQLite hands back naive UTC


def _payments(shop_id: int, start: dt.date, end: dt.date, chart: dict[str, Account]) -> Iterator[Entry]:
    query = (db.select(Payment.received_on, Payment.id, Payment.method, Payment.amount, Payment.created_at,
                       Invoice.number.label("invoice_number"), Invoice.buyer, RepairOrder.customer_id)
             .join(Invoice, Invoice.id == Payment.invoice_id).join(RepairOrder, RepairOrder.id == Invoice.order_id)
             .where(Payment.shop_id == shop_id, Payment.received_on >= start, Payment.received_on <= end))
    for rows in _keyset(query, (Payment.received_on, Payment.id)):
        for row in rows:
            yield payment_entry(row, chart, paris_date(row.created_at))


def _transfers(shop_id: int, start: dt.date, end: dt.date, chart: dict[str, Account]) -> Iterator[Entry]:
    """One entry per transfer: the statement lines of one organism, reference and date together
    (consecutive in this order, so a transfer split over two batches is carried over)."""
    query = (db.select(ClaimPayment.paid_on, ClaimPayment.organism, ClaimPayment.reference, ClaimPayment.id,
                       ClaimPayment.amount, ClaimPayment.invoice_number, ClaimPayment.external_id, ClaimPayment.imported_at,
                       ClaimPayment.claim_id)
             .where(ClaimPayment.shop_id == shop_id, ClaimPayment.paid_on >= start, ClaimPayment.paid_on <= end))
    group: list = []
    lettered: dict[int, Lettering] = {}
    for rows in _keyset(query, (ClaimPayment.paid_on, ClaimPayment.organism, ClaimPayment.reference, ClaimPayment.id)):
        invoice_of = _transfer_invoices(shop_id, rows)
        settled = _bonus_settled(shop_id, sorted(set(invoice_of.values())))
        lettered.update({row_id: settled[invoice_id] for row_id, invoice_id in invoice_of.items() if invoice_id in settled})
        for row in rows:
            if group and (row.paid_on, row.organism, row.reference) != (group[0].paid_on, group[0].organism, group[0].reference):
                yield transfer_entry(group, chart, max(paris_date(r.imported_at) for r in group), lettered)
                for done in group:
                    lettered.pop(done.id, None)
                group = []
            group.append(row)
    if group:
        yield transfer_entry(group, chart, max(paris_date(r.imported_at) for r in group), lettered)


def _deposits(shop_id: int, start: dt.date, end: dt.date, chart: dict[str, Account]) -> Iterator[Entry]:
    query = (db.select(Deposit.received_on, Deposit.id, Deposit.number, Deposit.method, Deposit.amount, Deposit.created_at,
                       Customer.id.label("customer_id"), Customer.last_name, Customer.first_name, Customer.company)
             .join(RepairOrder, RepairOrder.id == Deposit.order_id).join(Customer, Customer.id == RepairOrder.customer_id)
             .where(Deposit.shop_id == shop_id, Deposit.received_on >= start, Deposit.received_on <= end))
    for rows in _keyset(query, (Deposit.received_on, Deposit.id)):
        for row in rows:
            buyer = {"last_name": row.last_name, "first_name": row.first_name, "company": row.company}
            yield deposit_entry(SimpleNamespace(**row._mapping, buyer=buyer), chart, paris_date(row.created_at))


STREAMS = [_invoices, _payments, _deposits, _transfers]


def entries(shop_id: int, start: dt.date, end: dt.date, chart: dict[str, Account]) -> Iterator[Entry]:
    """Every entry of the period, in the file's order; entries without any line (a zero invoice) left out."""
    merged = heapq.merge(*(stream(shop_id, start, end, chart) for stream in STREAMS), key=lambda e: e.order)
    return (e for e in merged if e.lines)


def records(entries_: Iterator[Entry]) -> Iterator[list[str]]:
    """The zones of each line of each entry, EcritureNum counting the entries from 1."""
    for number, entry in enumerate(entries_, start=1):
        for line in entry.lines:
            aux_num, aux_lib = line.aux or ("", "")
            yield [entry.journal, JOURNALS[entry.journal], str(number), day(entry.day), line.account.number,
                   clean(line.account.label), clean(aux_num), clean(aux_lib), clean(entry.piece_ref), day(entry.piece_date),
                   clean(line.label), amount(line.debit), amount(line.credit), line.let.code if line.let else "",
                   day(line.let.on) if line.let else "", day(entry.valid_on), "", ""]


def encode(text: str) -> bytes:
    return text.encode(ENCODING, errors="replace")


def stream(shop_id: int, start: dt.date, end: dt.date, chart: dict[str, Account]) -> Iterator[bytes]:
    """The file's bytes: the header line, then the records, LINES_PER_CHUNK lines per chunk."""
    yield encode(SEPARATOR.join(COLUMNS) + NEWLINE)
    buffer: list[str] = []
    for zones in records(entries(shop_id, start, end, chart)):
        buffer.append(SEPARATOR.join(zones))
        if len(buffer) >= LINES_PER_CHUNK:
            yield encode(NEWLINE.join(buffer) + NEWLINE)
            buffer = []
    if buffer:
        yield encode(NEWLINE.join(buffer) + NEWLINE)


def summary(shop_id: int, start: dt.date, end: dt.date) -> dict:
    """What the period holds, for the page before the download: counts and the sales totals."""
    invoices = db.session.execute(
        db.select(Invoice.kind, db.func.count(Invoice.id), db.func.sum(Invoice.total_ht), db.func.sum(Invoice.total_vat))
        .where(Invoice.shop_id == shop_id, Invoice.issued_on >= start, Invoice.issued_on <= end).group_by(Invoice.kind)).all()
    by_kind = {kind: (count, ht or 0, vat or 0) for kind, count, ht, vat in invoices}
    payments = db.session.execute(db.select(db.func.count(Payment.id)).where(
        Payment.shop_id == shop_id, Payment.received_on >= start, Payment.received_on <= end)).scalar_one()
    deposits = db.session.execute(db.select(db.func.count(Deposit.id)).where(
        Deposit.shop_id == shop_id, Deposit.received_on >= start, Deposit.received_on <= end)).scalar_one()
    transfers = db.session.execute(db.select(db.func.count(ClaimPayment.id)).where(
        ClaimPayment.shop_id == shop_id, ClaimPayment.paid_on >= start, ClaimPayment.paid_on <= end)).scalar_one()
    invoice, note = by_kind.get("invoice", (0, 0, 0)), by_kind.get("credit_note", (0, 0, 0))
    return {"invoices": invoice[0], "credit_notes": note[0], "payments": payments, "deposits": deposits, "transfers": transfers,
            "ht": Decimal(invoice[1]) + Decimal(note[1]), "vat": Decimal(invoice[2]) + Decimal(note[2]),
            "empty": not (invoice[0] or note[0] or payments or deposits or transfers)}
