"""The FEC of what the app itself writes (LPF art. A47 A-1): payments and their reversal taken by
billing.payments, a credit note issued by billing.invoices, an organism's statement imported by
claims.payments; every entry balanced, the totals those of the invoices."""
from __future__ import annotations

import uuid
from decimal import Decimal

from qualirepar.billing import deposits, invoices, payments
from qualirepar.billing.models import Invoice
from qualirepar.claims import payments as statements
from qualirepar.core.clock import paris_today
from qualirepar.extensions import db
from qualirepar.fiscal import settings as fiscal_settings
from qualirepar.repairs.models import RepairOrder
from qualirepar.tenancy import as_shop

from . import helpers as h

D = Decimal


def test_the_fec_of_the_apps_own_records_balances_and_matches_the_invoices(app, shop):
    """A47 A-1: each entry balanced; the net credits of 706/707 and 44571 are the HT and VAT of the
    month's invoices and credit notes; the cash journal holds the payment and its reversal; the
    organism's transfer, imported from its statement, credits its receivable."""
    today = paris_today()
    first, second = h.order(app, shop.id), h.order(app, shop.id)
    owner = shop.users["owner"].id
    with app.test_request_context(), as_shop(shop.id):
        bonus = h.invoice(first, today, bonus="50.00", organism="ecosystem")
        taken = payments.record_payment(bonus, "cash", D("130.00"), owner)
        payments.reverse_payment(taken, D("30.00"), "Erreur de rendu de monnaie", owner)
        payments.record_payment(bonus, "cheque", D("30.00"), owner, reference="CHQ 0042")
        cancelled = h.invoice(second, today)
        note = invoices.credit(db.session.get(Invoice, cancelled.id), "Erreur de quantité", str(uuid.uuid4()), owner)
        lines = statements.parse(("reference_paiement;date_paiement;numero_facture;montant\n"
                                  f"VIR-ECO-77;{today:%d/%m/%Y};{bonus.number};50,00\n").encode(), "ecosystem")
        statements.import_statement(lines, "releve-ecosystem.csv")
        numbers = {bonus.number, cancelled.number, note.number}
        month = (today.replace(day=1), today)
        _, records = h.parse(h.fec(shop.id, *month))
        period = db.session.execute(db.select(db.func.sum(Invoice.total_ht), db.func.sum(Invoice.total_vat))
                                    .where(Invoice.issued_on >= month[0], Invoice.issued_on <= month[1])).one()
    entries = h.by_entry(records)
    for number, entry in entries.items():
        assert sum(h.money(r["Debit"]) for r in entry) == sum(h.money(r["Credit"]) for r in entry), number
    assert h.net_credit(records, "706") + h.net_credit(records, "707") == period[0] == D("150.00")  # the credit note cancels one
    assert h.net_credit(records, "4457") == period[1] == D("30.00")
    cash = [(h.money(r["Debit"]), h.money(r["Credit"])) for r in records if r["CompteNum"] == "530000"]
    assert cash == [(D("130.00"), D("0")), (D("0"), D("30.00"))]
    assert [h.money(r["Debit"]) for r in records if r["CompteNum"] == "511200"] == [D("30.00")]
    transfer = [r for r in records if r["PieceRef"] == "VIR-ECO-77"]
    assert [(r["CompteNum"], r["CompAuxNum"], r["Debit"], r["Credit"]) for r in transfer] == [
        ("512000", "", "50,00", "0,00"), ("411100", "ECOSYSTEM", "0,00", "50,00")]
    # the customers paid, the cancelled invoice is credited, the organism paid its bonus: 411 is settled
    assert h.net_credit(records, "411") == D("0.00")
    assert {r["PieceRef"] for r in records if r["JournalCode"] == "VE"} == numbers


def test_a_deposit_is_an_advance_then_deducted_on_the_invoice_and_given_back_by_its_credit_note(app, shop):
    """A deposit (billing.deposits) is money received before the invoice: cash debited, the
    customer's advance 4191 credited; the invoice deducts it (4191 debited, 411 credited), and a
    credit note of that invoice gives it back to 4191 for the invoice that replaces it."""
    today = paris_today()
    order_id = h.order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        deposits.take_deposit(order, "cash", D("40.00"), shop.users["owner"].id)
        invoice = h.invoice(order_id, today)
        month = (today.replace(day=1), today)
        _, before_note = h.parse(h.fec(shop.id, *month))
        invoices.credit(db.session.get(Invoice, invoice.id), "Erreur de quantité", str(uuid.uuid4()), None)
        _, records = h.parse(h.fec(shop.id, *month))
    advance = [(r["JournalCode"], r["Debit"], r["Credit"]) for r in before_note if r["CompteNum"] == "419100"]
    assert advance == [("VE", "40,00", "0,00"), ("CA", "0,00", "40,00")]  # on the day, the sales journal first
    assert h.net_credit(before_note, "4191") == 0 and h.net_credit(before_note, "411") == D("-140.00")  # 180 − 40 still due
    assert [r["Debit"] for r in before_note if r["CompteNum"] == "530000"] == ["40,00"]
    assert h.net_credit(records, "4191") == D("40.00") and h.net_credit(records, "411") == 0
    for number, entry in h.by_entry(records).items():
        assert sum(h.money(r["Debit"]) for r in entry) == sum(h.money(r["Credit"]) for r in entry), number


def test_the_file_is_named_by_the_fiscal_year_the_owner_set(app, shop, as_role):
    """A47 A-1 IX: the date in the name is the fiscal year's closing date (fiscal.settings)."""
    with app.test_request_context(), as_shop(shop.id):
        fiscal_settings.save(shop.id, 6, 30)
        db.session.commit()
    client = as_role("owner")
    resp = client.post("/comptabilite/fec/telecharger", data={"period": "2026-03"})
    assert resp.data.startswith(b"JournalCode|")  # read to the end, as a browser does: the stream closes
    assert resp.headers["Content-Disposition"].endswith('FEC20260630.txt"')
    resp = client.post("/comptabilite/fec/telecharger", data={"period": "2026-07"})
    assert resp.data.startswith(b"JournalCode|")
    assert resp.headers["Content-Disposition"].endswith('FEC20270630.txt"')
