"""The FEC of a period (article A47 A-1 of the Livre des procédures fiscales, BOI-CF-IOR-60-40-20):
its layout, the balance of every entry, the totals against the period's invoices, and each kind of
entry: a bonus invoice, a credit note, a cash payment and its reversal, an organism's transfer."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from qualirepar.fec import accounts, export
from qualirepar.tenancy import as_shop

from . import helpers as h

D = Decimal
DAY = dt.date(2026, 11, 12)
NOVEMBER = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


@pytest.fixture
def period(app, shop):
    """A month of a shop: a bonus invoice paid cash and card, an invoice at three rates cancelled
    by a credit note, one outside the month, a transfer from Ecologic of two bonuses."""
    order_a, order_b, order_c = (h.order(app, shop.id) for _ in range(3))
    with app.test_request_context(), as_shop(shop.id):
        bonus = h.invoice(order_a, DAY, bonus="50.00", organism="ecologic")
        h.payment(bonus, "cash", "30.00", DAY)
        h.payment(bonus, "card", "100.00", DAY + dt.timedelta(days=1))
        mixed = h.invoice(order_b, DAY, lines=[("labour", "Main-d'œuvre", "1", "100.00", "10.00"),
                                               ("part", "Joint", "2", "7.33", "5.50"),
                                               ("travel", "Déplacement", "1", "25.00", "20.00")])
        note = h.credit_note(mixed, DAY + dt.timedelta(days=2))
        other = h.invoice(order_c, dt.date(2026, 10, 31), bonus="25.00", organism="ecologic")
        h.statement_line("ecologic", "VIR-2026-118", DAY + dt.timedelta(days=5), bonus.number, "50.00")
        h.statement_line("ecologic", "VIR-2026-118", DAY + dt.timedelta(days=5), other.number, "25.00")
        return {"bonus": bonus.number, "mixed": mixed.number, "note": note.number, "other": other.number,
                "customer": h.customer_id(order_a), "ht": bonus.total_ht + mixed.total_ht + note.total_ht,
                "vat": bonus.total_vat + mixed.total_vat + note.total_vat}


def _file(app, shop):
    with app.test_request_context(), as_shop(shop.id):
        return h.parse(h.fec(shop.id, *NOVEMBER))


def _entry_of(records, piece_ref, journal):
    found = [r for r in records if r["PieceRef"] == piece_ref and r["JournalCode"] == journal]
    assert found, (piece_ref, journal)
    return found


def test_the_18_zones_of_A47_A_1_in_order_on_the_first_line_then_18_zones_on_every_line(app, shop, period):
    """LPF art. A47 A-1 VII 1° and BOI-CF-IOR-60-40-20 § 10: the first line names the zones, in
    the order of the text; «|» separates them (VI), every record has the 18."""
    assert export.COLUMNS == ("JournalCode", "JournalLib", "EcritureNum", "EcritureDate", "CompteNum", "CompteLib",
                              "CompAuxNum", "CompAuxLib", "PieceRef", "PieceDate", "EcritureLib", "Debit", "Credit",
                              "EcritureLet", "DateLet", "ValidDate", "Montantdevise", "Idevise")
    header, records = _file(app, shop)  # parse() refuses a line without 18 zones (zip strict)
    assert header == list(export.COLUMNS) and records
    for r in records:
        for zone in ("EcritureDate", "PieceDate", "ValidDate"):
            assert len(r[zone]) == 8 and r[zone].isdigit(), (zone, r[zone])  # AAAAMMJJ (A47 A-1 III)
        h.money(r["Debit"]), h.money(r["Credit"])  # comma decimal, both written


def test_the_file_is_named_siren_FEC_closing_date_of_the_fiscal_year():
    """LPF art. A47 A-1 IX: SirenFECAAAAMMJJ, AAAAMMJJ the closing date of the fiscal year."""
    assert export.filename("123456789", dt.date(2026, 12, 31)) == "123456789FEC20261231.txt"


def test_every_entry_is_balanced_and_numbered_without_gaps_in_date_order(app, shop, period):
    """Double entry (PCG art. 911-1; A47 A-1: EcritureNum a continuous sequence): each entry's debits
    equal its credits; the entries count 1, 2, 3... in the order of their dates."""
    _, records = _file(app, shop)
    entries = h.by_entry(records)
    assert list(entries) == [str(n) for n in range(1, len(entries) + 1)]
    for number, lines in entries.items():
        assert sum(h.money(r["Debit"]) for r in lines) == sum(h.money(r["Credit"]) for r in lines), number
        assert len({(r["JournalCode"], r["EcritureDate"], r["PieceRef"]) for r in lines}) == 1
        assert all((h.money(r["Debit"]) == 0) != (h.money(r["Credit"]) == 0) for r in lines)  # one side per line
    dates = [lines[0]["EcritureDate"] for lines in entries.values()]
    assert dates == sorted(dates)
    assert len(entries) == 6  # bonus invoice, mixed invoice, credit note, two payments, one transfer


def test_revenue_and_vat_credited_equal_the_period_invoices_minus_credit_notes(app, shop, period):
    """A47 A-1 (the sales journal) against the invoices: the net credits of 706, 707 and 44571 are the
    HT and the VAT of the period's invoices and credit notes; the invoice of October stays out."""
    _, records = _file(app, shop)
    assert h.net_credit(records, "706") + h.net_credit(records, "707") == period["ht"]
    assert h.net_credit(records, "4457") == period["vat"]
    assert all(r["PieceRef"] != period["other"] or r["JournalCode"] == "BQ" for r in records)


def test_a_bonus_invoice_debits_the_customer_with_the_net_and_the_organism_with_the_bonus(app, shop, period):
    """The bonus is part of the customer's price paid by the eco-organism: a receivable on it (411100,
    auxiliary ECOLOGIC); revenue by nature (706 labour and diagnosis, 707 the part) and rate."""
    _, records = _file(app, shop)
    lines = {(r["CompteNum"], r["CompAuxNum"]): (h.money(r["Debit"]), h.money(r["Credit"]))
             for r in _entry_of(records, period["bonus"], "VE")}
    assert lines == {("411000", f"C{period['customer']:06d}"): (D("130.00"), D("0")),
                     ("411100", "ECOLOGIC"): (D("50.00"), D("0")),
                     ("706200", ""): (D("0"), D("115.00")), ("707200", ""): (D("0"), D("35.00")),
                     ("445720", ""): (D("0"), D("30.00"))}
    customer = next(r for r in records if r["CompteNum"] == "411000" and r["PieceRef"] == period["bonus"])
    assert customer["CompAuxLib"] == "MARTIN Léa" and customer["JournalLib"] == "Journal des ventes"


def test_a_credit_note_reverses_its_invoice_account_by_account(app, shop, period):
    """A credit note is the invoice's entry reversed (same accounts and amounts, the sides swapped),
    rate by rate: 10 % labour (706100), 5,5 % part (707055), 20 % travel (706200)."""
    _, records = _file(app, shop)

    def sides(ref):
        return {r["CompteNum"]: (h.money(r["Debit"]), h.money(r["Credit"])) for r in _entry_of(records, ref, "VE")}

    invoice, note = sides(period["mixed"]), sides(period["note"])
    assert set(invoice) == {"411000", "706100", "707055", "706200", "445710", "445755", "445720"}
    assert note == {account: (credit, debit) for account, (debit, credit) in invoice.items()}
    assert invoice["707055"] == (D("0"), D("14.66")) and invoice["445755"] == (D("0"), D("0.81"))


def test_a_cash_payment_goes_to_the_cash_journal_and_a_card_payment_to_the_bank(app, shop, period):
    """Counter payments: cash debits 530 in journal CA, card 512 in BQ; the customer (411, its
    auxiliary account) credited."""
    _, records = _file(app, shop)
    cash, card = (r for r in records if r["PieceRef"] == period["bonus"] and r["JournalCode"] in ("CA", "BQ")
                  and r["CompteNum"] in ("530000", "512000"))
    assert (cash["JournalCode"], cash["JournalLib"], h.money(cash["Debit"])) == ("CA", "Journal de caisse", D("30.00"))
    assert (card["JournalCode"], h.money(card["Debit"])) == ("BQ", D("100.00"))
    credited = [r for r in records if r["CompteNum"] == "411000" and r["JournalCode"] in ("CA", "BQ")]
    assert sorted(h.money(r["Credit"]) for r in credited) == [D("30.00"), D("100.00")]
    assert {r["CompAuxNum"] for r in credited} == {f"C{period['customer']:06d}"}


def test_an_organism_transfer_is_one_bank_entry_crediting_its_receivable_line_by_line(app, shop, period):
    """The eco-organism's transfer (its statement, claims.payments): 512 debited with the total,
    the organism's bonus receivable credited per invoice, whatever month the invoice was."""
    _, records = _file(app, shop)
    transfer = _entry_of(records, "VIR-2026-118", "BQ")
    assert [(r["CompteNum"], r["CompAuxNum"], h.money(r["Debit"]), h.money(r["Credit"])) for r in transfer] == [
        ("512000", "", D("75.00"), D("0")), ("411100", "ECOLOGIC", D("0"), D("50.00")), ("411100", "ECOLOGIC", D("0"), D("25.00"))]
    assert transfer[0]["EcritureDate"] == "20261117"


def test_a_payment_reversal_is_the_payment_reversed(app, shop):
    """A reversal (a negative payment row, issue 19) credits the cash and debits the customer back."""
    order_id = h.order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        invoice = h.invoice(order_id, DAY)
        h.payment(invoice, "cash", "50.00", DAY)
        h.payment(invoice, "cash", "-50.00", DAY)
        _, records = h.parse(h.fec(shop.id, *NOVEMBER))
    cash = [(h.money(r["Debit"]), h.money(r["Credit"]), r["EcritureLib"]) for r in records if r["CompteNum"] == "530000"]
    assert cash[0][:2] == (D("50.00"), D("0")) and cash[1][:2] == (D("0"), D("50.00"))
    assert cash[1][2].startswith("Annulation de règlement")
    assert h.net_credit(records, "411") == D("-180.00")  # the invoice alone remains due


def test_an_empty_period_is_a_valid_file_of_its_header_alone(app, shop):
    """A47 A-1: a period without entries still gives the file, the zones' names on its one line."""
    with app.test_request_context(), as_shop(shop.id):
        data = h.fec(shop.id, *NOVEMBER)
    assert data == ("|".join(export.COLUMNS) + "\r\n").encode("ascii")


def test_the_text_is_iso_8859_15_without_the_separator(app, shop):
    """A47 A-1 III 1° (ASCII, ISO 8859-15 or EBCDIC: ISO 8859-15 here) and VI (the separator unique
    and unequivocal): «é» and «œ» written in ISO 8859-15, a «|» typed in a name taken out."""
    order_id = h.order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        h.invoice(order_id, DAY, buyer={"last_name": "Lœuf|Dupont", "first_name": "Héloïse’"})
        data = h.fec(shop.id, *NOVEMBER)
    assert "LŒUF/DUPONT Héloïse'".encode("iso-8859-15") in data
    assert all(line.count(b"|") == 17 for line in data.split(b"\r\n")[:-1])


def test_the_owners_accounts_are_the_ones_written(app, shop, period):
    """The chart of accounts is the owner's: a changed number and name are used in the file."""
    with app.test_request_context(), as_shop(shop.id):
        accounts.save({"cash": ("5310", "Caisse du comptoir")})
        _, records = h.parse(h.fec(shop.id, *NOVEMBER))
    cash = [r for r in records if r["JournalCode"] == "CA" and h.money(r["Debit"])]
    assert [(r["CompteNum"], r["CompteLib"]) for r in cash] == [("5310", "Caisse du comptoir")]


def test_batches_and_a_transfer_across_two_batches_give_the_same_file(app, shop, period, monkeypatch):
    """Streaming reads EXPORT_BATCH rows at a time by keyset: with batches of one row, the file is
    the same, the transfer whose lines straddle two batches still one entry."""
    whole = _file(app, shop)
    monkeypatch.setattr(export, "EXPORT_BATCH", 1)
    assert _file(app, shop) == whole


def test_a_bonus_paid_in_full_is_lettered_with_its_transfer_lines(app, shop, period):
    """EcritureLet / DateLet (A47 A-1 VII): the organism's bonus on the invoice and the statement
    lines that paid it carry one code and the date of the last payment; the bonus of another
    month's invoice is lettered on its transfer line too."""
    _, records = _file(app, shop)
    organism = [r for r in records if r["CompteNum"] == "411100"]
    codes = {r["PieceRef"]: (r["EcritureLet"], r["DateLet"]) for r in organism if r["JournalCode"] == "VE"}
    transfer = [(r["EcritureLet"], r["DateLet"]) for r in organism if r["JournalCode"] == "BQ"]
    code, on = codes[period["bonus"]]
    assert code.startswith("B") and on == "20261117"
    assert transfer[0] == (code, on) and transfer[1][0] not in ("", code) and transfer[1][1] == "20261117"
    assert all(r["EcritureLet"] == "" for r in records if r["CompteNum"] != "411100")


def test_a_bonus_paid_in_part_is_not_lettered(app, shop):
    order_id = h.order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        invoice = h.invoice(order_id, DAY, bonus="50.00", organism="ecosystem")
        h.statement_line("ecosystem", "VIR-9", DAY, invoice.number, "20.00")
        _, records = h.parse(h.fec(shop.id, *NOVEMBER))
    assert [(r["EcritureLet"], r["DateLet"]) for r in records if r["CompteNum"] == "411100"] == [("", ""), ("", "")]
