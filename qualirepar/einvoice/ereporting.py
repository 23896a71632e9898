"""E-reporting data of the sales to private customers (B2C), per period (`periods`): the totals of
the transactions by category and VAT rate (CGI art. 290; DGFiP's categories TT-81: TLB1 deliveries of
goods subject to VAT, TPS1 services subject to VAT), and for services the payments received by rate
(CGI art. 290 A), unless the shop opted for VAT on the debits (then no payment data is due,
BOI-TVA-DECLA-20-30-60 § 30). Invoices to business customers are e-invoiced instead (transmissions).

What counts: every invoice and credit note issued in the period to a private buyer (a credit note
counts negative, in the period it is issued); a part line is goods (TLB1), diagnosis, labour and
travel lines are services (TPS1). Bases are the lines' totals excl. VAT as invoiced (the bonus
réparation is paid by a third party and does not lower them); the VAT of a rate is the invoices'
VAT of that rate exactly, split between the categories by their bases (the largest takes the cent
left over). Payments: the customer's counter payments, the deposits taken on the order before the
invoice, and the eco-organism's transfers of the bonus, on the day received, each shared between
rates by the services' part of its invoice's (or, for a deposit, its quote's) total.

The structure of the exports is documented in docs/e-reporting.md.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy.orm import selectinload

from ..billing.deposit_models import Deposit
from ..billing.models import Invoice, Payment, Quote
from ..claims.models import Claim, ClaimPayment
from ..core import csvfr
from ..core.money import cents, line_total
from ..extensions import db
from ..repairs.models import Customer, RepairOrder
from ..shops.models import Shop
from .periods import PAYMENTS, TRANSACTIONS, Period
from .transmissions import BUSINESS

GOODS, SERVICES = "TLB1", "TPS1"  # TT-81 category codes (spécifications externes DGFiP)
CATEGORY_LABELS = {GOODS: "Livraisons de biens soumises à la TVA", SERVICES: "Prestations de services soumises à la TVA"}
ZERO = Decimal("0.00")
FORMAT_VERSION = "qualirepar-ereporting-1"


@dataclass
class Row:
    category: str
    rate: Decimal
    base: Decimal = ZERO  # excl. VAT
    vat: Decimal = ZERO
    count: int = 0  # invoices and credit notes with a line of this category and rate

    @property
    def ttc(self) -> Decimal:
        return self.base + self.vat


@dataclass
class Report:
    period: Period
    rows: list[Row] = field(default_factory=list)  # transactions, or payments (category TPS1 only)
    invoices: list[str] = field(default_factory=list)  # the numbers counted

    @property
    def total_base(self) -> Decimal:
        return sum((r.base for r in self.rows), ZERO)

    @property
    def total_vat(self) -> Decimal:
        return sum((r.vat for r in self.rows), ZERO)

    @property
    def total_ttc(self) -> Decimal:
        return self.total_base + self.total_vat


def category(line_kind: str) -> str:
    return GOODS if line_kind == "part" else SERVICES


def _b2c(invoice: Invoice) -> bool:
    return (invoice.buyer or {}).get("kind") != BUSINESS


def _invoices(start: dt.date, end: dt.date) -> list[Invoice]:
    rows = db.session.execute(db.select(Invoice).where(Invoice.issued_on >= start, Invoice.issued_on <= end)
                              .options(selectinload(Invoice.lines))  # the lines of all in one query, not one per invoice
                              .order_by(Invoice.issued_on, Invoice.id)).scalars().all()
    return [inv for inv in rows if _b2c(inv)]


def _vat_by_rate(invoice: Invoice, bases: dict[Decimal, Decimal]) -> dict[Decimal, Decimal]:
    """The invoice's VAT per rate: its breakdown when it has one, else computed from the bases, the
    largest rate taking what the invoice's total VAT says beyond."""
    if invoice.vat_breakdown:
        return {Decimal(str(r["rate"])).quantize(Decimal("0.01")): Decimal(str(r["vat"])) for r in invoice.vat_breakdown}
    vat = {rate: cents(base * rate / 100) for rate, base in bases.items()}
    if vat:
        top = max(vat, key=lambda r: abs(bases[r]))
        vat[top] += invoice.total_vat - sum(vat.values(), ZERO)
    return vat


def _split(total: Decimal, parts: dict[str, Decimal], rate: Decimal) -> dict[str, Decimal]:
    """`total` shared between categories by their bases; the largest base takes the remainder."""
    out = {c: cents(b * rate / 100) for c, b in parts.items()}
    if out:
        top = max(parts, key=lambda c: abs(parts[c]))
        out[top] += total - sum(out.values(), ZERO)
    return out


def transactions(period: Period) -> Report:
    """The period's B2C sales by category and rate."""
    table: dict[tuple[str, Decimal], Row] = {}
    report = Report(period)
    for inv in _invoices(period.start, period.end):
        parts: dict[Decimal, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
        for line in inv.lines:
            parts[Decimal(line.vat_rate).quantize(Decimal("0.01"))][category(line.kind)] += line.total_ht
        vat = _vat_by_rate(inv, {rate: sum(c.values(), ZERO) for rate, c in parts.items()})
        for rate, cats in parts.items():
            for cat, amount in _split(vat.get(rate, ZERO), cats, rate).items():
                row = table.setdefault((cat, rate), Row(cat, rate))
                row.base += cats[cat]
                row.vat += amount
                row.count += 1
        report.invoices.append(inv.number)
    report.rows = sorted(table.values(), key=lambda r: (r.category, r.rate))
    return report


def _service_shares(lines) -> dict[Decimal, Decimal]:
    """The part of the lines' TTC that is services, per rate (fractions of 1): invoice or quote lines."""
    ttc_by: dict[tuple[str, Decimal], Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        rate = Decimal(line.vat_rate).quantize(Decimal("0.01"))
        ttc_by[(category(line.kind), rate)] += line_total(line.quantity, line.unit_price) * (1 + rate / 100)
    total = sum(ttc_by.values(), ZERO)
    if not total:
        return {}
    return {rate: ttc / total for (cat, rate), ttc in ttc_by.items() if cat == SERVICES}


def _deposits(period: Period) -> list[tuple[list, str, Decimal]]:
    """Deposits taken on private customers' orders in the period (VAT on services is due on receipt):
    (the quote's lines they were taken against, or the order's latest quote, the receipt's number, amount)."""
    out = []
    rows = db.session.execute(db.select(Deposit, Customer.kind).join(RepairOrder, Deposit.order_id == RepairOrder.id)
                              .join(Customer, RepairOrder.customer_id == Customer.id).where(
        Deposit.received_on >= period.start, Deposit.received_on <= period.end)).all()
    for deposit, kind in rows:
        if kind == BUSINESS:
            continue
        quote = db.session.get(Quote, deposit.quote_id) if deposit.quote_id else db.session.execute(
            db.select(Quote).where(Quote.order_id == deposit.order_id).order_by(Quote.id.desc())).scalars().first()
        if quote is not None:
            out.append((quote.lines, deposit.number, deposit.amount))
    return out


def payments(period: Period) -> Report:
    """The period's payments received for B2C services, by rate (TTC as received, VAT inside)."""
    received: list[tuple[list, str, Decimal]] = []  # (the lines that say what was paid for, a number, the amount)
    for pay, inv in db.session.execute(db.select(Payment, Invoice).join(Invoice, Payment.invoice_id == Invoice.id).where(
            Payment.received_on >= period.start, Payment.received_on <= period.end).options(selectinload(Invoice.lines))).all():
        if _b2c(inv):
            received.append((inv.lines, inv.number, pay.amount))
    for pay, inv in db.session.execute(db.select(ClaimPayment, Invoice).join(Claim, ClaimPayment.claim_id == Claim.id)
                                       .join(Invoice, Claim.invoice_id == Invoice.id).where(
            ClaimPayment.paid_on >= period.start, ClaimPayment.paid_on <= period.end).options(selectinload(Invoice.lines))).all():
        if _b2c(inv):
            received.append((inv.lines, inv.number, pay.amount))
    received += _deposits(period)
    table: dict[Decimal, Row] = {}
    numbers = []
    for lines, number, amount in received:
        for rate, share in _service_shares(lines).items():
            ttc = cents(amount * share)
            row = table.setdefault(rate, Row(SERVICES, rate))
            vat = cents(ttc * rate / (100 + rate))
            row.base += ttc - vat
            row.vat += vat
            row.count += 1
        numbers.append(number)
    return Report(period, sorted(table.values(), key=lambda r: r.rate), sorted(set(numbers)))


def report(period: Period) -> Report:
    return transactions(period) if period.flow == TRANSACTIONS else payments(period)


# --- exports (docs/e-reporting.md) -----------------------------------------------------------------

CSV_HEADER = ["flux", "debut", "fin", "echeance", "categorie", "libelle_categorie", "taux_tva", "base_ht", "tva", "ttc",
              "nombre_documents"]


def as_dict(rep: Report, shop: Shop) -> dict:
    p = rep.period
    return {"format": FORMAT_VERSION, "flow": p.flow, "frequency": p.frequency,
            "period": {"start": p.start.isoformat(), "end": p.end.isoformat(), "deadline": p.deadline.isoformat()},
            "seller": {"name": shop.name, "siren": (shop.siret or "")[:9] or None, "siret": shop.siret, "vat_number": shop.vat_number},
            "currency": "EUR",
            "transactions" if p.flow == TRANSACTIONS else "payments": [
                {"category": r.category, "vat_rate": str(r.rate), "base": str(r.base), "vat": str(r.vat), "total": str(r.ttc),
                 "documents": r.count} for r in rep.rows],
            "totals": {"base": str(rep.total_base), "vat": str(rep.total_vat), "total": str(rep.total_ttc)},
            "documents": rep.invoices}


def as_json(rep: Report, shop: Shop) -> bytes:
    body = as_dict(rep, shop)
    body.setdefault("transactions", [])  # the PA checks the key; a payments file carries an empty list
    return json.dumps(body, ensure_ascii=False, indent=2).encode("utf-8")


def as_csv(rep: Report) -> bytes:
    p = rep.period
    rows = [[p.flow, csvfr.day(p.start), csvfr.day(p.end), csvfr.day(p.deadline), r.category, CATEGORY_LABELS[r.category],
             csvfr.number(r.rate), csvfr.amount(r.base), csvfr.amount(r.vat), csvfr.amount(r.ttc), r.count] for r in rep.rows]
    return csvfr.rows_to_bytes(CSV_HEADER, rows)


__all__ = ["GOODS", "PAYMENTS", "SERVICES", "TRANSACTIONS", "Report", "Row", "as_csv", "as_json", "payments", "report",
           "transactions"]
