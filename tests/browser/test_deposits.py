"""At the counter, on the tablet and on the PC: a deposit taken when the quote is accepted, its
receipt, then the invoice that deducts it (the deposit listed, the remainder to pay)."""
import pytest

from qualirepar.billing import quotes
from qualirepar.extensions import db
from qualirepar.repairs.models import RepairOrder
from qualirepar.tenancy import as_shop

from .. import pdf
from ..billing.helpers import STANDARD, quote_with, repaired, washing_machine_order
from .conftest import shot
from .helpers import login, press as _press

pytestmark = pytest.mark.browser


def _money(text: str) -> str:
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def test_a_deposit_at_quote_acceptance_is_deducted_on_the_invoice(page, live_server, app, shop):
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        quote = quote_with(order, *STANDARD)  # 180,00 € TTC, 50 € bonus: 130,00 € for the customer
        quotes.validate(quote, None)
        quotes.decide(quote, True, "signature", "127.0.0.1", "Léa Martin")
        quote_id = quote.id
    login(page, live_server, shop.emails["technician"])
    page.goto(f"{live_server}/devis/{quote_id}")
    _press(page, page.get_by_role("link", name="Prendre un acompte"))
    assert "130,00" in _money(page.get_by_test_id("deposit-room").inner_text())
    page.get_by_label("Montant de l'acompte").fill("150")
    _press(page, page.get_by_role("button", name="Encaisser l'acompte"))
    page.get_by_text("L'acompte dépasse ce que le client devra").wait_for()  # refused beside the field, kept
    shot(page, "deposit-refused")
    page.get_by_label("Montant de l'acompte").fill("40")
    page.get_by_label("Moyen de paiement").select_option(label="Espèces")
    _press(page, page.get_by_role("button", name="Encaisser l'acompte"))
    page.get_by_text("Acompte de 40,00").wait_for()
    assert "40,00" in _money(page.get_by_test_id("deposit-amount").inner_text())
    receipt = page.request.get(live_server + page.get_by_role("link", name="Imprimer le reçu").get_attribute("href"))
    assert receipt.ok and "Reçu d'acompte n° AC-" in pdf.text(receipt.body())
    shot(page, "deposit-taken")

    with app.test_request_context(), as_shop(shop.id):  # the workshop repairs it
        repaired(db.session.get(RepairOrder, order_id))
    _press(page, page.get_by_role("link", name="Retour au devis"))
    _press(page, page.get_by_role("button", name="Émettre la facture", exact=True))
    assert "130,00" in _money(page.get_by_test_id("amount-due").inner_text())
    assert "90,00" in _money(page.get_by_test_id("balance").inner_text())
    deposits_box = page.get_by_test_id("invoice-deposits")
    assert "Acompte(s) versé(s)" in deposits_box.inner_text() and "40,00" in _money(deposits_box.inner_text())
    shot(page, "deposit-on-invoice")
    document = page.request.get(live_server + page.get_by_test_id("invoice-pdf").get_attribute("href"))
    text_ = " ".join(_money(pdf.text(document.body())).split())
    assert "Acompte(s) versé(s)" in text_ and "Reste à payer 90,00 €" in text_
