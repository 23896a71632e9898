"""The hand-back is signed (issue 16): «Restituer l'appareil» takes the customer's signature and the
payment still due (billing.payments.record_payment), in that order, nothing half-saved; the bon and
the verification report print the customer's signatures at intake and at hand-back."""
import uuid
from decimal import Decimal

import pytest

from qualirepar.billing import invoices, payments
from qualirepar.billing.models import Payment
from qualirepar.extensions import db
from qualirepar.intake import bon
from qualirepar.repairs import handback, signatures, states
from qualirepar.repairs.models import RepairOrder, Signature
from qualirepar.tenancy import as_shop

from .. import factories, pdf
from ..billing.helpers import STANDARD, quote_with, ready_to_invoice, repaired, washing_machine_order


@pytest.fixture
def invoiced(app, shop):
    """A washing machine repaired, its quote accepted, invoiced: 130 € left to pay."""
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        quote = quote_with(order, *STANDARD)
        ready_to_invoice(order, quote)
        invoices.issue_invoice(order, quote, str(uuid.uuid4()), None)
        signatures.sign(order, "customer", factories.data_url(), "Léa Martin")  # at intake
        yield order


def test_the_payment_due_is_asked_before_the_hand_back(invoiced):
    with pytest.raises(handback.HandBackRefused) as info:
        handback.hand_back(invoiced, factories.data_url(), "Léa Martin")
    assert "Reste 130,00" in str(info.value) and "moyen de paiement" in str(info.value)
    assert handback.of(invoiced) is None and invoiced.status == states.READY
    assert db.session.execute(db.select(db.func.count(Payment.id))).scalar_one() == 0


def test_a_refused_signature_takes_no_payment(invoiced):
    with pytest.raises(signatures.SignatureRefused):
        handback.hand_back(invoiced, factories.data_url(drawn=False), "Léa Martin", method="card")
    assert db.session.execute(db.select(db.func.count(Payment.id))).scalar_one() == 0
    assert invoiced.status == states.READY


def test_signed_and_paid_the_appliance_goes_back(invoiced):
    record = handback.hand_back(invoiced, factories.data_url(), "Léa Martin", method="cheque", reference="CHQ 0042")
    assert invoiced.status == states.HANDED_BACK and record.outcome == handback.REPAIRED
    payment = db.session.get(Payment, record.payment_id)
    assert (payment.method, payment.amount, payment.reference) == ("cheque", Decimal("130.00"), "CHQ 0042")
    assert payments.balance(invoices.invoice_of(invoiced)) == Decimal("0.00")
    signed = signatures.of(invoiced)
    assert set(signed) == {"customer", "handback"} and signed["handback"].id == record.signature_id


def test_nothing_due_no_payment_asked(app, shop):
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        repaired(order)
        record = handback.hand_back(order, factories.data_url(), "Léa Martin")
        assert record.payment_id is None and record.outcome == handback.REPAIRED


def test_the_bon_and_the_report_show_both_signatures(app, shop, invoiced, as_role):
    handback.hand_back(invoiced, factories.data_url(), "Léa Martin", method="card")
    text = pdf.text(bon.render_pdf(invoiced))
    assert "Le client : Léa Martin" in text and "Le client, à la restitution" in text
    assert pdf.images(bon.render_pdf(invoiced)) == 2
    client = as_role("technician")
    report = client.get(f"/dossiers/{invoiced.id}/controles/rapport.pdf")
    words = " ".join(pdf.text(report.data).split())
    assert "Le client, à la prise en charge" in words and "Le client, à la restitution" in words and "Réparé" in words
    assert pdf.images(report.data) == 2


def test_the_hand_back_page_asks_the_signature_then_closes_the_order(app, shop, invoiced, as_role):
    client = as_role("technician")
    order_id = invoiced.id
    resp = client.post(f"/dossiers/{order_id}/hand_back")
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/dossiers/{order_id}/restitution")
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Reste à payer" in page and 'data-testid="pad-handback"' in page
    refused = client.post(f"/dossiers/{order_id}/restitution", data={"signer_name": "Léa Martin", "method": "card"})
    assert refused.status_code == 422 and "Signez dans le cadre" in refused.get_data(as_text=True)
    done = client.post(f"/dossiers/{order_id}/restitution",
                       data={"signer_name": "Léa Martin", "method": "card", "signature": factories.data_url()})
    assert done.status_code == 303
    with app.app_context(), as_shop(shop.id):
        assert db.session.get(RepairOrder, order_id).status == states.HANDED_BACK
        assert db.session.execute(db.select(Signature.role).where(Signature.order_id == order_id)).scalars().all().count("handback") == 1
