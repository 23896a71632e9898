"""Deposits (acomptes, issue 19): taken at intake or when the quote is accepted, on a receipt
numbered without gaps, journaled as DEPOSIT with the method, deducted from the invoice; refused
when larger than what the customer will owe, not positive, or on a closed period."""
import datetime as dt
import uuid
from pathlib import Path
from decimal import Decimal

import pypdfium2
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from qualirepar.billing import deposits, invoices, payments, quotes
from qualirepar.billing.deposits import Deposit, DepositRefused
from qualirepar.core.clock import paris_today
from qualirepar.extensions import db
from qualirepar.files.models import StoredFile
from qualirepar.files.storage import get_storage
from qualirepar.fiscal import closings, journal, kinds, triggers
from qualirepar.fiscal.models import FiscalEntry
from qualirepar.fiscal.verify import verify_shop
from qualirepar.repairs.models import RepairOrder
from qualirepar.tenancy import as_shop

from .. import pdf
from .helpers import STANDARD, quote_with, washing_machine_order

D = Decimal
REASON = "Réparation faite au comptoir"
SHOTS = Path(__file__).resolve().parent.parent / "browser" / "screenshots"


def _accepted(order):
    quote = quote_with(order, *STANDARD)  # 150.00 HT, 180.00 TTC, 50 € bonus: the customer owes 130.00
    quotes.validate(quote, None)
    quotes.decide(quote, True, "signature", "127.0.0.1", "Léa Martin")
    return quote


def _pdf_text(file_id: int) -> str:
    stored = db.session.get(StoredFile, file_id)
    return " ".join(pdf.text(get_storage().read(stored.storage_key)).split())


def test_a_deposit_at_quote_acceptance_is_journaled_and_has_its_receipt(app, shop):
    order_id = washing_machine_order(app, shop.id)
    year = paris_today().year
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        quote = _accepted(order)
        dep = deposits.take_deposit(order, "card", D("40"), shop.users["owner"].id, quote=quote)
        assert (dep.number, dep.amount, dep.stage, dep.quote_id) == (f"AC-{year}-00001", D("40.00"), "quote", quote.id)
        entry = db.session.execute(db.select(FiscalEntry).where(FiscalEntry.kind == kinds.DEPOSIT)).scalar_one()
        assert (entry.record_table, entry.record_id) == ("deposit", dep.id)
        assert entry.amounts["methods"] == {"card": "40.00"}
        assert deposits.deposited(order) == D("40.00")
        receipt = _pdf_text(dep.file_id)
        stored = db.session.get(StoredFile, dep.file_id)
        SHOTS.mkdir(parents=True, exist_ok=True)  # drawn to be looked at (helper 2's report)
        pypdfium2.PdfDocument(get_storage().read(stored.storage_key))[0].render(scale=1.6).to_pil().save(SHOTS / "deposit-receipt.png")
    for expected in (f"Reçu d'acompte n° AC-{year}-00001", "MARTIN Léa", "Carte bancaire", "Acompte reçu 40,00 €",
                     "Ce reçu n'est pas une facture"):
        assert expected in receipt, expected


def test_the_invoice_deducts_the_deposits_and_paid_counts_them(app, shop):
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        quote = _accepted(order)
        first = deposits.take_deposit(order, "cash", D("30"), None, quote=quote).number
        deposits.take_deposit(order, "cheque", D("20"), None, reference="1234567", quote=quote)
        invoice = invoices.issue_invoice(order, quote, str(uuid.uuid4()), None, reason=REASON)
        assert invoice.amount_due == D("130.00")
        assert payments.paid(invoice) == D("50.00") and payments.balance(invoice) == D("80.00")
        with pytest.raises(Exception, match="dépasse le reste à payer"):
            payments.record_payment(invoice, "card", D("80.01"), None)
        payments.record_payment(invoice, "card", D("80.00"), None)
        assert payments.balance(invoice) == D("0.00")
        text_ = _pdf_text(invoice.file_id)
    assert f"Acompte {first}" in text_ and "− 30,00 €" in text_ and "− 20,00 €" in text_
    assert "Reste à payer 80,00 €" in text_


def test_a_deposit_larger_than_the_quote_minus_the_bonus_is_refused(app, shop):
    """Issue 19 «Bad input»: a deposit larger than the quote (its TTC minus the bonus)."""
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        quote = _accepted(order)
        with pytest.raises(DepositRefused, match=r"130,00"):
            deposits.take_deposit(order, "cash", D("130.01"), None, quote=quote)
        deposits.take_deposit(order, "cash", D("100"), None, quote=quote)
        with pytest.raises(DepositRefused, match=r"30,00"):  # with what was already taken
            deposits.take_deposit(order, "cash", D("30.01"), None, quote=quote)
        last = deposits.take_deposit(order, "cash", D("30"), None, quote=quote)
        assert last.number.endswith("-00002")  # the refused ones used no receipt number
        assert db.session.execute(db.select(db.func.count(FiscalEntry.id)).where(FiscalEntry.kind == kinds.DEPOSIT)).scalar() == 2


@pytest.mark.parametrize("amount", ["0", "-5"])
def test_a_deposit_must_be_positive(app, shop, amount):
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        with pytest.raises(DepositRefused, match="doit être positif"):
            deposits.take_deposit(order, "cash", D(amount), None)
        assert db.session.execute(db.select(Deposit)).first() is None


def test_a_deposit_at_intake_before_any_quote(app, shop):
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        dep = deposits.take_deposit(order, "cash", D("25"), None)
        assert (dep.stage, dep.quote_id) == ("intake", None)
        quote = _accepted(order)  # then the quote: 130.00 owed, 25.00 already taken
        assert deposits.ceiling(order, quote) == D("105.00")


def test_a_deposit_on_a_closed_day_is_refused_and_nothing_is_kept(app, shop):
    """BOI-TVA-DECLA-30-10-30, condition de conservation: a closed period accepts no new record."""
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        deposits.take_deposit(order, "cash", D("10"), None)
        closings.close_today(shop.id, shop.users["owner"].id)
        files_before = db.session.execute(db.select(db.func.count(StoredFile.id))).scalar()
        with pytest.raises(kinds.ClosedPeriod, match="La période est close"):
            deposits.take_deposit(order, "cash", D("10"), None)
        assert db.session.execute(db.select(db.func.count(Deposit.id))).scalar() == 1
        assert db.session.execute(db.select(db.func.count(StoredFile.id))).scalar() == files_before
        assert journal.closed_until(shop.id) == paris_today()


def test_no_deposit_once_the_order_is_invoiced(app, shop):
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        quote = _accepted(order)
        invoices.issue_invoice(order, quote, str(uuid.uuid4()), None, reason=REASON)
        with pytest.raises(DepositRefused, match="facturé"):
            deposits.take_deposit(order, "cash", D("10"), None, quote=quote)


@pytest.mark.parametrize("statement", ["UPDATE deposit SET amount = 1", "DELETE FROM deposit"])
def test_the_database_refuses_to_change_a_deposit(app, shop, statement):
    """BOI-TVA-DECLA-30-10-30, condition d'inaltérabilité: a deposit is insert-only, in the database itself."""
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        deposits.take_deposit(db.session.get(RepairOrder, order_id), "cash", D("10"), None)
    with app.app_context(), db.engine.connect() as conn:
        with pytest.raises(DBAPIError, match="inaltérable"):
            conn.execute(text(statement))


def test_the_counter_takes_a_deposit_from_the_quote_page(app, shop, as_role):
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        quote_id = _accepted(db.session.get(RepairOrder, order_id)).id
    client = as_role("support")
    page = client.get(f"/devis/{quote_id}").get_data(as_text=True)
    assert "Prendre un acompte" in page
    form = client.get(f"/dossiers/{order_id}/acompte?devis={quote_id}").get_data(as_text=True)
    assert "Au plus 130,00" in form
    refused = client.post(f"/dossiers/{order_id}/acompte", data={"devis": quote_id, "amount": "200", "method": "cash"})
    assert refused.status_code == 422 and "130,00" in refused.get_data(as_text=True)
    taken = client.post(f"/dossiers/{order_id}/acompte", data={"devis": quote_id, "amount": "45,50", "method": "cash"})
    assert taken.status_code == 303
    shown = client.get(taken.headers["Location"]).get_data(as_text=True)
    assert "45,50" in shown and "Imprimer le reçu" in shown
    with app.app_context(), as_shop(shop.id):
        dep = db.session.execute(db.select(Deposit)).scalar_one()
    receipt = client.get(f"/acomptes/{dep.id}.pdf")
    assert receipt.status_code == 200 and receipt.data.startswith(b"%PDF")


def test_a_deposit_changed_in_the_database_is_named_by_the_verification(app, shop):
    """BOI-TVA-DECLA-30-10-30, sécurisation: a deposit's row altered by raw SQL (its trigger dropped)
    no longer matches its signed entry, and the verification says which."""
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        dep = deposits.take_deposit(db.session.get(RepairOrder, order_id), "cash", D("10"), None)
        dep_id, seq = dep.id, db.session.execute(db.select(FiscalEntry.seq).where(FiscalEntry.record_table == "deposit")).scalar_one()
    with app.app_context():
        dialect = db.engine.dialect.name
        with db.engine.begin() as conn:
            for statement in triggers.drop_sql(dialect, "deposit"):
                conn.execute(text(statement))
            conn.execute(text("UPDATE deposit SET amount = 1 WHERE id = :id"), {"id": dep_id})
            for statement in triggers.create_sql(dialect, "deposit"):
                conn.execute(text(statement))
    with app.app_context(), as_shop(shop.id):
        report = verify_shop(shop.id)
    assert not report.ok
    assert any(p.seq == seq and f"l'acompte id {dep_id}" in p.message and "amount" in p.message for p in report.problems), report.problems
