"""The owner's corrections from the invoice page (issue 19): a payment reversal with its reason, the
reprint of a duplicate («Duplicata n° N»), each journaled; French messages for bad input."""
from __future__ import annotations

import io
from decimal import Decimal

from pypdf import PdfReader

from qualirepar.billing.models import Payment
from qualirepar.extensions import db
from qualirepar.fiscal import journal, kinds
from qualirepar.tenancy import as_shop

from . import fiscal_factories as ff

D = Decimal


def _paid_invoice(app, shop):
    with app.test_request_context(), as_shop(shop.id):
        inv = ff.invoice(ff.order(app, shop.id))
        pay = ff.payment(inv, "70.00", "card")
        db.session.commit()
        return inv.id, pay.id


def test_the_owner_reverses_a_payment_from_the_invoice_page(app, shop, as_role):
    invoice_id, payment_id = _paid_invoice(app, shop)
    client = as_role("owner")
    page = client.get(f"/factures/{invoice_id}").get_data(as_text=True)
    assert "Annuler cet encaissement" in page and "Réimprimer (duplicata)" in page
    url = f"/factures/{invoice_id}/paiements/{payment_id}/annulation"
    resp = client.post(url, data={"amount": "70,01", "reason": "Carte refusée"}, follow_redirects=True)
    assert "On ne peut pas annuler plus que ce qui a été encaissé" in resp.get_data(as_text=True)
    resp = client.post(url, data={"amount": "20", "reason": ""}, follow_redirects=True)
    assert "Indiquez le motif de l&#39;annulation." in resp.get_data(as_text=True)
    resp = client.post(url, data={"amount": "20,00", "reason": "Carte refusée"}, follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert "Annulation de 20,00" in page and "annulation : Carte refusée" in page
    with app.app_context(), as_shop(shop.id):
        reversal = db.session.execute(db.select(Payment).where(Payment.reverses_id == payment_id)).scalar_one()
        assert (reversal.amount, reversal.received_by_id) == (D("-20.00"), shop.users["owner"].id)
        assert journal.grand_totals(shop.id)["all"]["methods"] == {"card": "50.00"}


def test_only_the_owner_reverses(app, shop, as_role):
    invoice_id, payment_id = _paid_invoice(app, shop)
    client = as_role("support")
    assert "Annuler cet encaissement" not in client.get(f"/factures/{invoice_id}").get_data(as_text=True)
    resp = client.post(f"/factures/{invoice_id}/paiements/{payment_id}/annulation", data={"amount": "1", "reason": "xxxxx"})
    assert resp.status_code == 403


def test_a_reprint_is_a_numbered_duplicate_and_journaled(app, shop, as_role):
    invoice_id, _payment = _paid_invoice(app, shop)
    client = as_role("technician")
    for n in (1, 2):
        resp = client.post(f"/factures/{invoice_id}/duplicata")
        assert resp.status_code == 200 and resp.headers["Content-Type"] == "application/pdf", resp.headers.get("Location")
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(resp.data)).pages)
        assert f"Duplicata n° {n}" in text
        assert f"duplicata-{n}-" in resp.headers["Content-Disposition"]
    with app.app_context(), as_shop(shop.id):
        reprints = [e for e in journal.entries(shop.id) if e.kind == kinds.DUPLICATE]
        assert [e.payload["duplicate"] for e in reprints] == [1, 2] and reprints[0].payload["invoice_id"] == invoice_id
        assert reprints[0].user_id == shop.users["technician"].id
