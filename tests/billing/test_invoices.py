"""Invoices: issued once per click, numbered without gaps even when issued at the same instant,
never changed (service and database), corrected by a credit note; the claim is created with them;
payment at the counter before the hand-back."""
import datetime as dt
import threading
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from qualirepar.billing import invoices, quotes
from qualirepar.billing import payments as counter_payments
from qualirepar.billing import queries as billing_queries
from qualirepar.billing import states as billing_states
from qualirepar.billing.models import Invoice
from qualirepar.claims.models import Claim
from qualirepar.extensions import db
from qualirepar.files.models import StoredFile
from qualirepar.fiscal.kinds import Unalterable
from qualirepar.files.storage import get_storage
from qualirepar.repairs import services as repair_services
from qualirepar.repairs.models import RepairOrder
from qualirepar.tenancy import as_shop

from .. import pdf
from ..checklists.helpers import fill
from .helpers import STANDARD, quote_with, ready_to_invoice, repaired, washing_machine_order
from qualirepar.core.clock import paris_today

D = Decimal


def _accepted_quote(order):
    """A quote the customer signed, on a repair marked done: what an invoice is issued for."""
    quote = quote_with(order, *STANDARD)
    ready_to_invoice(order, quote)
    return quote


def _issue(app, shop, order_id, key=None):
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        quote = _accepted_quote(order)
        return invoices.issue_invoice(order, quote, key or str(uuid.uuid4()), shop.users["owner"].id).id


def test_an_invoice_with_the_bonus_and_its_claim(app, shop):
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        fill(order, "checkin")  # the nameplate photo is taken at check-in
        invoice = invoices.issue_invoice(order, _accepted_quote(order), str(uuid.uuid4()), None)
        year = paris_today().year
        assert invoice.number == f"F{year}-00001" and invoice.kind == "invoice"
        # 40 + 75 + 35 = 150.00 HT, 30.00 VAT, 180.00 TTC, 50 € bonus, 130.00 to pay
        assert (invoice.total_ht, invoice.total_vat, invoice.total_ttc) == (D("150.00"), D("30.00"), D("180.00"))
        assert (invoice.bonus_amount, invoice.bonus_organism, invoice.amount_due) == (D("50.00"), "ecologic", D("130.00"))
        claim = db.session.execute(db.select(Claim)).scalar_one()
        assert (claim.invoice_id, claim.order_id, claim.organism, claim.status, claim.bonus_amount) == (
            invoice.id, order.id, "ecologic", "queued", D("50.00"))
        assert claim.attachments["invoice"] == invoice.file_id and "nameplate" in claim.attachments
        stored = db.session.get(StoredFile, invoice.file_id)
        data = get_storage().read(stored.storage_key)
    text_ = " ".join(pdf.text(data).split())
    assert pdf.pages(data) == 1
    for expected in (f"Facture F{year}-00001", "SIRET", "MARTIN Léa", "Lave-linge", "Apple", "WM-778899", "Pompe de vidange",
                     "Total HT 150,00 €", "TVA 20 % sur 150,00 €", "Total TTC 180,00 €",
                     "Bonus réparation QualiRépar", "− 50,00 €", "(Ecologic)", "Net à payer 130,00 €", "Garantie commerciale de 3 mois"):
        assert expected in text_, expected


def test_issuing_twice_gives_one_invoice_and_one_claim(app, shop):
    order_id = washing_machine_order(app, shop.id)
    key = str(uuid.uuid4())
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        quote = _accepted_quote(order)
        first = invoices.issue_invoice(order, quote, key, None)
        again = invoices.issue_invoice(order, quote, key, None)  # the retried request
        assert again.id == first.id
        with pytest.raises(billing_states.BillingError, match="déjà la facture"):
            invoices.issue_invoice(order, quote, str(uuid.uuid4()), None)  # another click, another key: refused
        assert db.session.execute(db.select(db.func.count(Invoice.id))).scalar_one() == 1
        assert db.session.execute(db.select(db.func.count(Claim.id))).scalar_one() == 1


def test_an_issued_invoice_cannot_be_altered(app, shop):
    invoice_id = _issue(app, shop, washing_machine_order(app, shop.id))
    with app.test_request_context(), as_shop(shop.id):
        invoice = db.session.get(Invoice, invoice_id)
        invoice.total_ttc = D("1.00")
        with pytest.raises(Unalterable):
            db.session.commit()  # the ORM path (refused before any SQL is sent)
        db.session.rollback()
        for statement in ("UPDATE invoice SET amount_due = 0", "UPDATE invoice_line SET label = 'x'"):
            with pytest.raises(DBAPIError):
                db.session.execute(text(statement))  # straight SQL is refused too
            db.session.rollback()
        assert db.session.get(Invoice, invoice_id).total_ttc == D("180.00")


def test_a_credit_note_cancels_the_invoice_and_the_unsent_claim(app, shop):
    order_id = washing_machine_order(app, shop.id)
    invoice_id = _issue(app, shop, order_id)
    with app.test_request_context(), as_shop(shop.id):
        invoice = db.session.get(Invoice, invoice_id)
        with pytest.raises(billing_states.BillingError, match="motif"):
            invoices.credit(invoice, "", str(uuid.uuid4()), None)
        note = invoices.credit(invoice, "Erreur de quantité", str(uuid.uuid4()), None)
        assert note.kind == "credit_note" and note.credits_id == invoice.id and note.total_ttc == D("-180.00")
        assert note.number.endswith("00002")  # the same series, no gap
        assert db.session.execute(db.select(Claim.status)).scalar_one() == "cancelled"
        with pytest.raises(billing_states.BillingError, match="déjà annulée"):
            invoices.credit(invoice, "Encore", str(uuid.uuid4()), None)
        order = db.session.get(RepairOrder, order_id)
        assert billing_queries.invoice_of(order) is None  # a new invoice may be issued
        stored = db.session.get(StoredFile, note.file_id)
        text_ = " ".join(pdf.text(get_storage().read(stored.storage_key)).split())
    assert "Avoir" in text_ and f"Annule la facture {invoice.number}" in text_ and "Erreur de quantité" in text_


def test_payment_at_the_counter_before_the_hand_back(app, shop):
    from qualirepar.checklists.services import guard
    from qualirepar.repairs import services as repairs
    from qualirepar.repairs.states import RepairOrderError

    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        fill(order, "checkin")
        repairs.transition(order, "start_diagnosis", guard=guard)
        invoice = invoices.issue_invoice(order, _accepted_quote(order), str(uuid.uuid4()), None)
        assert order.status == "ready"  # the accepted quote moved the order on, then the repair was marked done

        def both(o, action):
            guard(o, action)
            repair_services.hand_back_guard(o, action)

        with pytest.raises(RepairOrderError, match="n'est pas réglée"):
            repairs.transition(order, "hand_back", guard=both)
        with pytest.raises(billing_states.BillingError, match="dépasse"):
            counter_payments.record_payment(invoice, "card", D("200"), None)
        with pytest.raises(billing_states.BillingError, match="inconnu"):
            counter_payments.record_payment(invoice, "bitcoin", D("10"), None)
        counter_payments.record_payment(invoice, "cash", D("30"), None)
        counter_payments.record_payment(invoice, "card", D("100"), None)
        assert counter_payments.balance(invoice) == D("0.00")
        repairs.transition(order, "hand_back", guard=both)
        assert order.status == "handed_back"


def test_no_claim_without_a_bonus(app, shop):
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        repaired(order)  # a simple job: «Réparer sans devis», done at once
        quote = quote_with(order, ("labour", "Réglage", "1", "30.00", "20"))
        quotes.validate(quote, None)
        invoice = invoices.issue_invoice(order, quote, str(uuid.uuid4()), None,
                                         reason="Petit réglage payé au comptoir")  # invoiced at once: the reason is kept
        assert invoice.bonus_amount == D("0.00") and invoice.amount_due == invoice.total_ttc == D("36.00")
        assert quote.status == "accepted" and quote.decided_via == "invoice"
        assert db.session.execute(db.select(db.func.count(Claim.id))).scalar_one() == 0


def test_twenty_invoices_issued_at_the_same_instant_get_twenty_consecutive_numbers(app, shop):
    orders = [washing_machine_order(app, shop.id, serial_number=f"WM-{i:04d}") for i in range(20)]
    quote_ids = {}
    with app.test_request_context(), as_shop(shop.id):
        for order_id in orders:
            quote_ids[order_id] = _accepted_quote(db.session.get(RepairOrder, order_id)).id
    barrier, errors, numbers = threading.Barrier(len(orders), timeout=30), [], []

    def issue(order_id):
        try:
            with app.test_request_context(), as_shop(shop.id):
                from qualirepar.billing.models import Quote

                barrier.wait()  # all start together (the pool lends connections as the issuers need them)
                order, quote = db.session.get(RepairOrder, order_id), db.session.get(Quote, quote_ids[order_id])
                numbers.append(invoices.issue_invoice(order, quote, str(uuid.uuid4()), None).number)
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=issue, args=(o,)) for o in orders]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    year = paris_today().year
    assert sorted(numbers) == [f"F{year}-{n:05d}" for n in range(1, 21)]


def test_the_shop_chooses_its_prefix_and_each_prefix_is_a_series(app, shop):
    from qualirepar.shops.models import Shop

    first = _issue(app, shop, washing_machine_order(app, shop.id, serial_number="A-1"))
    with app.app_context():
        db.session.get(Shop, shop.id).invoice_prefix = "ATL-{AAAA}/"
        db.session.commit()
    second = _issue(app, shop, washing_machine_order(app, shop.id, serial_number="A-2"))
    with app.app_context(), as_shop(shop.id):
        year = paris_today().year
        assert db.session.get(Invoice, first).number == f"F{year}-00001"
        assert db.session.get(Invoice, second).number == f"ATL-{year}/00001"


def test_two_invoices_for_one_order_at_the_same_instant_give_one(app, shop):
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        quote_id = _accepted_quote(db.session.get(RepairOrder, order_id)).id
    barrier, results = threading.Barrier(2, timeout=30), []

    def issue():
        with app.test_request_context(), as_shop(shop.id):
            from qualirepar.billing.models import Quote

            barrier.wait()
            try:
                order, quote = db.session.get(RepairOrder, order_id), db.session.get(Quote, quote_id)
                results.append(invoices.issue_invoice(order, quote, str(uuid.uuid4()), None).number)  # two tabs, two keys
            except billing_states.BillingError as exc:
                results.append(str(exc))
            db.session.remove()

    threads = [threading.Thread(target=issue) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    with app.app_context(), as_shop(shop.id):
        assert db.session.execute(db.select(db.func.count(Invoice.id))).scalar_one() == 1
        assert db.session.execute(db.select(db.func.count(Claim.id))).scalar_one() == 1
    assert len(results) == 2 and sum(r.startswith("F") for r in results) == 1


def test_a_credit_note_and_the_claims_and_payments_of_the_order(app, shop):
    order_id = washing_machine_order(app, shop.id)
    first = _issue(app, shop, order_id)
    with app.test_request_context(), as_shop(shop.id):
        invoice = db.session.get(Invoice, first)
        counter_payments.record_payment(invoice, "cash", D("100"), None)
        claim = db.session.execute(db.select(Claim)).scalar_one()
        claim.status = "needs_attention"  # kept in the shop by the pre-flight
        db.session.commit()
        invoices.credit(invoice, "Erreur de quantité", str(uuid.uuid4()), None)
        assert claim.status == "cancelled"  # not only a claim still waiting in the queue
        with pytest.raises(billing_states.BillingError, match="annulée par un avoir"):
            counter_payments.record_payment(invoice, "cash", D("10"), None)
        order = db.session.get(RepairOrder, order_id)
        quote = _accepted_quote(order)
        second = invoices.issue_invoice(order, quote, str(uuid.uuid4()), None)
        assert counter_payments.balance(second) == D("30.00")  # the 100 € paid go to the invoice that replaces it
        assert db.session.execute(db.select(Claim.status).order_by(Claim.id)).scalars().all() == ["cancelled", "queued"]


def test_a_credit_note_on_a_claim_already_with_the_organism_says_so(app, shop):
    from qualirepar.claims import preflight

    invoice_id = _issue(app, shop, washing_machine_order(app, shop.id))
    with app.test_request_context(), as_shop(shop.id):
        claim = db.session.execute(db.select(Claim)).scalar_one()
        claim.status, claim.external_id = "submitted", "ECL-1"
        db.session.commit()
        invoices.credit(db.session.get(Invoice, invoice_id), "Erreur", str(uuid.uuid4()), None)
        assert claim.status == "submitted" and "demandez à l'organisme d'annuler" in claim.last_error
        assert any("annulée par un avoir" in p.message for p in preflight.check(claim))
