"""The business records the journal carries, as they are in the database: every column of the row
(and of its lines), read back after the flush by the same query the verification runs, so that a
row changed afterwards, even by raw SQL, no longer matches its entry."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Iterable

from sqlalchemy import Table

from ..extensions import db
from . import kinds
from .canonical import plain
from .journal import Amounts, record
from .models import FiscalEntry

#: a journaled table's lines: (table, foreign key to the parent, order)
CHILDREN: dict[str, tuple[str, str, str]] = {"invoice": ("invoice_line", "invoice_id", "position")}
#: the business tables whose every row has its entry (other features add theirs, e.g. deposits)
JOURNALED: list[str] = ["invoice", "payment", "deposit"]


def _table(name: str) -> Table:
    return db.metadata.tables[name]


def _row(mapping) -> dict[str, Any]:
    return {k: plain(v) for k, v in mapping.items()}


def snapshots(table: str, ids: Iterable[int] | None = None, *, shop_id: int, id_range: tuple[int, int] | None = None) -> dict[int, dict]:
    """{id: canonical record} of the rows of `table` (given ids, or ids in [low, high]) with their lines."""
    t = _table(table)
    query = db.select(t).where(t.c.shop_id == shop_id)
    query = query.where(t.c.id.in_(list(ids))) if ids is not None else query.where(t.c.id.between(*id_range))
    conn = db.session.connection()  # Core on the session's connection: no ORM events, same transaction
    found = {m["id"]: {"table": table, "row": _row(m)} for m in conn.execute(query).mappings()}
    if table in CHILDREN and found:
        child, fk, order = CHILDREN[table]
        c = _table(child)
        for rec in found.values():
            rec["lines"] = []
        lines = conn.execute(db.select(c).where(c.c[fk].in_(list(found))).order_by(c.c[fk], c.c[order], c.c.id)).mappings()
        for m in lines:
            found[m[fk]]["lines"].append(_row(m))
    return found


def snapshot(table: str, row_id: int, shop_id: int) -> dict:
    return snapshots(table, [row_id], shop_id=shop_id)[row_id]


def invoice_amounts(invoice) -> Amounts:
    """An invoice's (or credit note's, negative) amounts by VAT rate; one made elsewhere without its
    breakdown counts under "na" with its totals."""
    rows = invoice.vat_breakdown or []
    if not rows:
        return Amounts(vat={"na": {"ht": Decimal(invoice.total_ht), "vat": Decimal(invoice.total_vat),
                                   "ttc": Decimal(invoice.total_ttc)}})
    vat: dict[str, dict[str, Decimal]] = {}
    for r in rows:
        rate = format(Decimal(r["rate"]).quantize(Decimal("0.01")), "f")
        mine = vat.setdefault(rate, {"ht": Decimal(0), "vat": Decimal(0), "ttc": Decimal(0)})
        base, tax = Decimal(r["base"]), Decimal(r["vat"])
        mine["ht"] += base
        mine["vat"] += tax
        mine["ttc"] += base + tax
    return Amounts(vat=vat)


def journal_invoice(invoice) -> FiscalEntry:
    """The entry of an invoice or a credit note just flushed (same transaction)."""
    kind = kinds.CREDIT_NOTE if invoice.kind == "credit_note" else kinds.INVOICE
    return record(kind, snapshot("invoice", invoice.id, invoice.shop_id), shop_id=invoice.shop_id,
                  occurred_on=invoice.issued_on, amounts=invoice_amounts(invoice), user_id=invoice.issued_by_id,
                  record_table="invoice", record_id=invoice.id)


def journal_payment(payment) -> FiscalEntry:
    """The entry of a payment (or of its reversal, a negative payment) just flushed."""
    kind = kinds.REVERSAL if payment.reverses_id is not None else kinds.PAYMENT
    return record(kind, snapshot("payment", payment.id, payment.shop_id), shop_id=payment.shop_id,
                  occurred_on=payment.received_on, amounts=Amounts(methods={payment.method: Decimal(payment.amount)}),
                  user_id=payment.received_by_id, record_table="payment", record_id=payment.id)
