"""The accounting entries of the FEC, built from the shop's records, each balanced (sum of the
debits = sum of the credits): the sales journal per invoice or credit note, the cash and bank
journals per counter payment (and its reversal), the bank journal per eco-organism transfer.

An amount is signed the accountant's way: positive is a debit, negative a credit; a credit note
(negative totals) or a payment reversal (negative amount) therefore lands on the other side by
itself, the same accounts reversed.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable

from .accounts import RATES, Account

ZERO = Decimal("0.00")
# Journals (JournalCode, JournalLib) and their rank on a day: sales before the money that pays them.
SALES, CASH, BANK = "VE", "CA", "BQ"
JOURNALS = {SALES: "Journal des ventes", CASH: "Journal de caisse", BANK: "Journal de banque"}
RANK = {SALES: 0, CASH: 1, BANK: 2}
GOODS_KINDS = ("part",)  # the parts are goods (707); diagnosis, labour and travel are services (706)
METHOD_LABELS = {"cash": "espèces", "card": "carte bancaire", "cheque": "chèque", "transfer": "virement"}
ORGANISM_LABELS = {"ecosystem": "ecosystem", "ecologic": "Ecologic"}


@dataclass(frozen=True)
class Lettering:
    """The code and date that match a receivable with what settled it (EcritureLet, DateLet)."""

    code: str
    on: dt.date


def bonus_lettering(invoice_id: int, on: dt.date) -> Lettering:
    """The organism's bonus on invoice `invoice_id` and the transfer lines that paid it in full."""
    return Lettering(f"B{invoice_id}", on)


@dataclass
class Line:
    account: Account
    label: str
    debit: Decimal
    credit: Decimal
    aux: tuple[str, str] | None = None  # (CompAuxNum, CompAuxLib)
    let: Lettering | None = None  # (EcritureLet, DateLet)


@dataclass
class Entry:
    journal: str
    day: dt.date  # EcritureDate
    piece_ref: str
    piece_date: dt.date
    valid_on: dt.date  # ValidDate
    sort_id: int
    lines: list[Line] = field(default_factory=list)

    @property
    def order(self) -> tuple:
        return (self.day, RANK[self.journal], self.sort_id)

    def add(self, account: Account, amount: Decimal, label: str, aux: tuple[str, str] | None = None,
            let: Lettering | None = None) -> None:
        """One line of `amount` (positive: debit, negative: credit); nothing for zero."""
        if amount > 0:
            self.lines.append(Line(account, label, amount, ZERO, aux, let))
        elif amount < 0:
            self.lines.append(Line(account, label, ZERO, -amount, aux, let))

    def balanced(self) -> bool:
        return sum((ln.debit for ln in self.lines), ZERO) == sum((ln.credit for ln in self.lines), ZERO)


def rate_key(rate) -> str:
    """'20.00' from Decimal('20'), '20.0', 20...: the key the chart uses; an unknown rate reads as 20 %."""
    text = f"{Decimal(str(rate)):.2f}"
    return text if text in RATES else "20.00"


def customer_aux(customer_id: int | None, buyer: dict | None) -> tuple[str, str]:
    buyer = buyer or {}
    name = " ".join(filter(None, ((buyer.get("last_name") or "").upper(), buyer.get("first_name")))) or "Client"
    company = buyer.get("company") or buyer.get("company_name")  # a business customer (issue 20) is named by its company
    return f"C{customer_id or 0:06d}", (company or name)[:100]


def organism_aux(organism: str | None) -> tuple[str, str]:
    code = (organism or "organisme").lower()
    return code.upper()[:20], f"Bonus réparation {ORGANISM_LABELS.get(code, code)}"


def _revenue(invoice, lines: Iterable[tuple[str, object, Decimal]]) -> dict[str, Decimal]:
    """HT by chart key (services:<rate> / goods:<rate>) from the invoice's lines (kind, rate, HT).
    When the lines do not add up to the invoice's HT (an invoice made in another program, whose
    totals were read from its file), the HT goes by the invoice's own VAT breakdown, as services."""
    by_key: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for kind, rate, ht in lines:
        nature = "goods" if kind in GOODS_KINDS else "services"
        by_key[f"{nature}:{rate_key(rate)}"] += Decimal(ht)
    if sum(by_key.values(), ZERO) == invoice.total_ht:
        return by_key
    by_key = defaultdict(lambda: ZERO)
    breakdown = invoice.vat_breakdown or []
    if breakdown and sum((Decimal(r["base"]) for r in breakdown), ZERO) == invoice.total_ht:
        for r in breakdown:
            by_key[f"services:{rate_key(r['rate'])}"] += Decimal(r["base"])
    else:
        by_key[f"services:{_overall_rate(invoice)}"] = invoice.total_ht
    return by_key


def _overall_rate(invoice) -> str:
    if not invoice.total_ht:
        return "20.00"
    rate = (Decimal(invoice.total_vat) * 100 / Decimal(invoice.total_ht)).quantize(Decimal("0.01"))
    nearest = min(RATES, key=lambda r: abs(Decimal(r) - rate))
    return nearest


def _vat(invoice) -> dict[str, Decimal]:
    """VAT by rate from the breakdown, when it adds up to the invoice's VAT; else all at its rate."""
    breakdown = invoice.vat_breakdown or []
    by_rate: dict[str, Decimal] = defaultdict(lambda: ZERO)
    if breakdown and sum((Decimal(r["vat"]) for r in breakdown), ZERO) == invoice.total_vat:
        for r in breakdown:
            by_rate[rate_key(r["rate"])] += Decimal(r["vat"])
    elif invoice.total_vat:
        by_rate[_overall_rate(invoice)] = invoice.total_vat
    if "0.00" in by_rate:  # VAT at 0 % is zero; a non-zero amount there is put on the standard rate
        by_rate["20.00"] += by_rate.pop("0.00")
    return by_rate


def invoice_entry(invoice, lines, chart: dict[str, Account], valid_on: dt.date, deposits: Decimal = ZERO,
                  bonus_let: Lettering | None = None) -> Entry:
    """VE: customer (TTC − bonus) and the organism's bonus on the debit side; revenue by nature and
    rate, and VAT collected by rate, on the credit side. The deposits taken on the order before the
    invoice (billing.deposits) are deducted: the customer's advance (4191) settles that much of its
    receivable. A credit note is the same, reversed (its deposits go back to 4191, for the invoice
    that replaces it). `bonus_let`: the organism has paid the bonus in full (its transfers lettered)."""
    credit_note = invoice.kind == "credit_note"
    what = "Avoir" if credit_note else "Facture"
    aux = customer_aux(invoice.customer_id, invoice.buyer)
    entry = Entry(SALES, invoice.issued_on, invoice.number, invoice.issued_on, valid_on, invoice.id)
    entry.add(chart["customers"], invoice.amount_due, f"{what} {invoice.number} {aux[1]}", aux)
    if invoice.bonus_amount:
        entry.add(chart["organisms"], invoice.bonus_amount, f"Bonus réparation {what.lower()} {invoice.number}",
                  organism_aux(invoice.bonus_organism), bonus_let)
    for key, ht in sorted(_revenue(invoice, lines).items()):
        entry.add(chart[key], -ht, f"{what} {invoice.number} {chart[key].label}")
    for rate, vat in sorted(_vat(invoice).items()):
        entry.add(chart[f"vat:{rate}"], -vat, f"{what} {invoice.number} {chart[f'vat:{rate}'].label}")
    applied = min(abs(deposits), abs(invoice.amount_due))
    if applied:
        applied = applied if invoice.amount_due > 0 else -applied
        label = f"Acompte déduit {what.lower()} {invoice.number}"
        entry.add(chart["deposits"], applied, label, aux)
        entry.add(chart["customers"], -applied, label, aux)
    return entry


def payment_entry(payment, chart: dict[str, Account], valid_on: dt.date) -> Entry:
    """CA (cash) or BQ (card, cheque, transfer): the money on the debit side, the customer credited.
    A reversal (a negative payment) is the same, reversed."""
    journal = CASH if payment.method == "cash" else BANK
    aux = customer_aux(payment.customer_id, payment.buyer)
    what = "Règlement" if payment.amount >= 0 else "Annulation de règlement"
    label = f"{what} {METHOD_LABELS.get(payment.method, payment.method)} {payment.invoice_number}"
    entry = Entry(journal, payment.received_on, payment.invoice_number, payment.received_on, valid_on, payment.id)
    treasury = chart.get(payment.method, chart["transfer"])
    entry.add(treasury, payment.amount, label)
    entry.add(chart["customers"], -payment.amount, f"{label} {aux[1]}", aux)
    return entry


def transfer_entry(rows: list, chart: dict[str, Account], valid_on: dt.date,
                   lettered: dict[int, Lettering] | None = None) -> Entry:
    """BQ: one eco-organism transfer (the lines of its statement with one reference and date):
    the bank debited with the total, the organism's bonus receivable credited line by line, each
    line lettered with its invoice's bonus once the bonus is paid in full (`lettered`, by row id)."""
    lettered = lettered or {}
    first = rows[0]
    aux = organism_aux(first.organism)
    entry = Entry(BANK, first.paid_on, first.reference[:40], first.paid_on, valid_on, first.id)
    total = sum((Decimal(r.amount) for r in rows), ZERO)
    entry.add(chart["bank"], total, f"Virement {aux[1]} {first.reference}")
    for r in rows:
        entry.add(chart["organisms"], -Decimal(r.amount),
                  f"Bonus réparation payé {r.invoice_number or r.external_id or ''}".strip(), aux, lettered.get(r.id))
    return entry


def deposit_entry(deposit, chart: dict[str, Account], valid_on: dt.date) -> Entry:
    """CA or BQ: a deposit (acompte, billing.deposits) taken before the invoice: the money on the
    debit side, the customer's advance (4191, its auxiliary account) credited."""
    journal = CASH if deposit.method == "cash" else BANK
    aux = customer_aux(deposit.customer_id, deposit.buyer)
    label = f"Acompte {METHOD_LABELS.get(deposit.method, deposit.method)} {deposit.number}"
    entry = Entry(journal, deposit.received_on, deposit.number, deposit.received_on, valid_on, deposit.id)
    entry.add(chart.get(deposit.method, chart["transfer"]), deposit.amount, label)
    entry.add(chart["deposits"], -deposit.amount, f"{label} {aux[1]}", aux)
    return entry
