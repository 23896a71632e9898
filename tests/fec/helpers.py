"""Records of a shop's period written as the billing and claims code writes them (the FEC reads
rows, so the tests write the rows: an order, its invoice with lines, payments, an organism's
statement lines), and the FEC parsed back into its records and entries."""
from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from decimal import Decimal

from qualirepar.billing import quotes
from qualirepar.billing.models import Invoice, InvoiceLine, Payment
from qualirepar.claims.models import ClaimPayment
from qualirepar.core.clock import utcnow
from qualirepar.core.money import line_total
from qualirepar.extensions import db
from qualirepar.fec import accounts, export
from qualirepar.repairs.models import RepairOrder
from qualirepar.shops.models import Shop
from qualirepar.tenancy import current_shop_id

from .. import factories

D = Decimal
# (kind, label, quantity, unit price HT, VAT rate): the washing machine of tests/billing (150 HT, 30 VAT)
STANDARD = [("diagnosis", "Diagnostic", "1", "40.00", "20.00"), ("labour", "Main-d'œuvre", "1.5", "50.00", "20.00"),
            ("part", "Pompe de vidange", "1", "35.00", "20.00")]
_numbers = iter(range(1, 10**6))


def order(app, shop_id: int, **fields) -> int:
    return factories.make_order(app, shop_id, **fields)


def _seller() -> dict:
    """The shop's identity as billing.invoices snapshots it on each invoice."""
    shop = db.session.get(Shop, current_shop_id())
    return {"name": shop.name, "siret": shop.siret, "vat_number": shop.vat_number, "label_number": shop.label_number,
            "address": shop.address_lines, "phone": shop.phone, "email": shop.email}


def invoice(order_id: int, day: dt.date, lines=STANDARD, bonus: str = "0", organism: str | None = None,
            buyer: dict | None = None) -> Invoice:
    """An invoice as billing.invoices issues it (totals by rate, VAT rounded per rate), in the current shop."""
    built = [InvoiceLine(position=position, kind=kind, label=label, quantity=D(qty), unit_price=D(price), vat_rate=D(rate),
                         total_ht=line_total(D(qty), D(price))) for position, (kind, label, qty, price, rate) in enumerate(lines)]
    t = quotes.totals(built)
    breakdown = [{k: str(v) for k, v in row.items()} for row in t.breakdown]
    ht, vat = t.ht, t.vat
    record = Invoice(number=f"FT{day.year}-{next(_numbers):05d}", kind="invoice", order_id=order_id, issue_key=str(uuid.uuid4()),
                     generation=0, issued_at=utcnow(), issued_on=day, seller=_seller(), appliance={"product": "Lave-linge", "brand": "BOSCH"},
                     buyer=buyer or {"last_name": "Martin", "first_name": "Léa"}, vat_breakdown=breakdown,
                     total_ht=ht, total_vat=vat, total_ttc=ht + vat, bonus_amount=D(bonus), bonus_organism=organism,
                     amount_due=ht + vat - D(bonus), lines=built)
    db.session.add(record)
    db.session.commit()
    return record


def credit_note(of: Invoice, day: dt.date) -> Invoice:
    """As billing.invoices.credit writes it: every amount negated, the lines' quantities negated."""
    note = Invoice(number=f"FT{day.year}-{next(_numbers):05d}", kind="credit_note", order_id=of.order_id, credits_id=of.id,
                   issue_key=str(uuid.uuid4()), generation=of.generation, issued_at=utcnow(), issued_on=day, seller=of.seller,
                   buyer=of.buyer, appliance={"reason": "Erreur"},
                   vat_breakdown=[{"rate": r["rate"], "base": str(-D(r["base"])), "vat": str(-D(r["vat"]))} for r in of.vat_breakdown],
                   total_ht=-of.total_ht, total_vat=-of.total_vat, total_ttc=-of.total_ttc, bonus_amount=-of.bonus_amount,
                   bonus_organism=of.bonus_organism, amount_due=-of.amount_due,
                   lines=[InvoiceLine(position=ln.position, kind=ln.kind, label=ln.label, quantity=-ln.quantity,
                                      unit_price=ln.unit_price, vat_rate=ln.vat_rate, total_ht=-ln.total_ht) for ln in of.lines])
    db.session.add(note)
    db.session.commit()
    return note


def payment(of: Invoice, method: str, amount: str, day: dt.date) -> Payment:
    row = Payment(invoice_id=of.id, method=method, amount=D(amount), received_on=day)
    db.session.add(row)
    db.session.commit()
    return row


def statement_line(organism: str, reference: str, day: dt.date, invoice_number: str, amount: str) -> ClaimPayment:
    row = ClaimPayment(organism=organism, reference=reference, paid_on=day, invoice_number=invoice_number,
                       external_id=f"EXT-{invoice_number}", amount=D(amount), source="releve.csv")
    db.session.add(row)
    db.session.commit()
    return row


def customer_id(order_id: int) -> int:
    return db.session.get(RepairOrder, order_id).customer_id


# --- the file read back ------------------------------------------------------------------------


def parse(data: bytes) -> tuple[list[str], list[dict]]:
    """(header, records as dicts), the file decoded as it is written (ISO 8859-15, CRLF, «|»)."""
    text = data.decode(export.ENCODING)
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    rows = [line.split("|") for line in text.split("\r\n")[:-1]]
    header, body = rows[0], rows[1:]
    return header, [dict(zip(header, row, strict=True)) for row in body]


def money(text: str) -> Decimal:
    assert text.count(",") == 1 and "." not in text, text
    return D(text.replace(",", "."))


def by_entry(records: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        out[r["EcritureNum"]].append(r)
    return out


def net_credit(records: list[dict], prefix: str) -> Decimal:
    """Credits minus debits of the accounts whose number starts with `prefix`."""
    return sum((money(r["Credit"]) - money(r["Debit"]) for r in records if r["CompteNum"].startswith(prefix)), D("0.00"))


def fec(shop_id: int, start: dt.date, end: dt.date) -> bytes:
    return b"".join(export.stream(shop_id, start, end, accounts.chart(shop_id)))
