"""The entries built from one record, whatever it holds (fec.entries): an invoice made in another
program, whose lines are the quote's and whose totals were read from its own file."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from qualirepar.fec import accounts, entries

D = Decimal
DAY = dt.date(2026, 11, 12)


def _external(**fields):
    values = dict(id=7, number="EXT-118", kind="invoice", issued_on=DAY, customer_id=3, buyer={"last_name": "Roux"},
                  total_ht=D("100.00"), total_vat=D("20.00"), total_ttc=D("120.00"), bonus_amount=D("25.00"),
                  bonus_organism="ecosystem", amount_due=D("95.00"), vat_breakdown=[])
    values.update(fields)
    return SimpleNamespace(**values)


def test_an_invoice_whose_lines_do_not_add_up_is_booked_on_its_own_totals_and_balances():
    """Double entry: the lines (the quote's, 150 HT) disagree with the totals read from the other
    program's invoice (100 HT, 20 VAT): revenue and VAT are its totals, at the rate they imply."""
    entry = entries.invoice_entry(_external(), [("labour", D("20.00"), D("150.00"))], accounts.DEFAULTS, DAY)
    assert entry.balanced()
    assert [(ln.account.number, ln.debit, ln.credit) for ln in entry.lines] == [
        ("411000", D("95.00"), D("0.00")), ("411100", D("25.00"), D("0.00")),
        ("706200", D("0.00"), D("100.00")), ("445720", D("0.00"), D("20.00"))]


def test_its_credit_note_is_the_same_reversed():
    note = _external(kind="credit_note", total_ht=D("-100.00"), total_vat=D("-20.00"), total_ttc=D("-120.00"),
                     bonus_amount=D("-25.00"), amount_due=D("-95.00"))
    entry = entries.invoice_entry(note, [("labour", D("20.00"), D("-150.00"))], accounts.DEFAULTS, DAY)
    assert entry.balanced() and [(ln.account.number, ln.debit, ln.credit) for ln in entry.lines] == [
        ("411000", D("0.00"), D("95.00")), ("411100", D("0.00"), D("25.00")),
        ("706200", D("100.00"), D("0.00")), ("445720", D("20.00"), D("0.00"))]


def test_a_zero_invoice_has_no_line_and_is_left_out():
    zero = _external(total_ht=D("0.00"), total_vat=D("0.00"), total_ttc=D("0.00"), bonus_amount=D("0.00"), amount_due=D("0.00"))
    assert entries.invoice_entry(zero, [], accounts.DEFAULTS, DAY).lines == []
