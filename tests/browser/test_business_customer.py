"""At the counter (tablet and desktop): a business customer's appliance taken in with its SIREN (a
wrong key explained beside the field as soon as it is left), the bonus refused on the quote with
its reason (the scheme is for consumers), the invoice issued at full price with the company and
its SIREN on the PDF, and no claim."""
import pytest

from qualirepar.billing import quotes
from qualirepar.billing.models import Quote
from qualirepar.catalog.models import ProductType
from qualirepar.checklists.services import guard
from qualirepar.claims.models import Claim
from qualirepar.extensions import db
from qualirepar.repairs import services as repairs
from qualirepar.repairs.models import RepairOrder
from qualirepar.tenancy import as_shop

from .. import factories, pdf
from ..checklists.helpers import fill
from .conftest import SCREENSHOTS, shot
from .helpers import login, press as _press

pytestmark = pytest.mark.browser

REASON = "Client professionnel : le bonus réparation est réservé aux particuliers."


def _order(app, shop) -> tuple:
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.execute(db.select(RepairOrder)).scalar_one()
        return order.id, (order.customer.kind, order.customer.siren, order.customer.vat_number, order.po_reference)


def test_a_business_customer_from_intake_to_invoice(page, live_server, shop, kettle, app):
    with app.app_context():
        fiche = db.session.get(ProductType, kettle).fiche_code
    factories.make_fiche(app, shop.id, fiche)  # labelled for kettles: the only reason left is the customer's kind
    login(page, live_server, shop.emails["technician"])
    page.goto(live_server + "/dossiers/nouveau")
    assert not page.get_by_label("Raison sociale").is_visible()  # a private person until told otherwise
    _press(page, page.get_by_text("Professionnel", exact=True), navigates=False)
    page.get_by_label("Raison sociale").fill("Laverie du Port SARL")
    page.get_by_label("SIREN", exact=True).fill("732 829 321")
    page.get_by_label("SIRET", exact=True).focus()  # leaving the field saves it and checks it
    page.get_by_text("SIREN : la clé de contrôle ne correspond pas").wait_for()
    shot(page, "business-siren-refused")
    page.get_by_label("SIREN", exact=True).fill("732 829 320")
    page.get_by_label("N° de TVA intracommunautaire").fill("FR 44 732829320")
    page.get_by_label("Référence de commande du client").fill("BC-2026-117")
    page.get_by_label("Civilité").select_option("M.")
    for label, value in [("Nom", "Roux"), ("Prénom", "Karim"), ("Adresse", "3 quai du Port"), ("Code postal", "13002"),
                         ("Ville", "Marseille"), ("Téléphone", "04 91 00 00 00"), ("E-mail", "compta@laverie-du-port.fr"),
                         ("Marque", "Apple"), ("N° de série ou IMEI", "KT-PRO-77"),
                         ("Panne décrite par le client", "Ne chauffe plus"), ("Prestation demandée", "Diagnostic et réparation")]:
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Type d'appareil").select_option(label="Bouilloire")
    page.get_by_test_id("intake-bonus").get_by_text(REASON).wait_for()  # said as soon as the appliance is known
    assert page.get_by_test_id("intake-bonus").get_by_text("Pas de bonus réparation :").is_visible()
    shot(page, "business-intake")
    _press(page, page.get_by_role("button", name="Enregistrer la prise en charge"))  # no symptom asked: no claim to carry it
    page.get_by_test_id("order-status").wait_for()
    assert page.get_by_text("créé.").is_visible()
    assert "Laverie du Port SARL" in page.get_by_test_id("customer-company").inner_text()
    assert page.get_by_text("SIREN 732829320 · TVA FR44732829320 · Commande n° BC-2026-117").is_visible()
    shot(page, "business-order")
    order_id, kept = _order(app, shop)
    assert kept == ("business", "732829320", "FR44732829320", "BC-2026-117")
    with app.test_request_context(), as_shop(shop.id):
        fill(db.session.get(RepairOrder, order_id), "checkin")
        repairs.transition(db.session.get(RepairOrder, order_id), "start_diagnosis", guard=guard)

    # The quote says why there is no bonus, before and after its validation.
    page.goto(f"{live_server}/dossiers/{order_id}")
    _press(page, page.get_by_role("button", name="Nouveau devis"))
    page.get_by_label("Type", exact=True).select_option(label="Main-d'œuvre")
    page.get_by_label("Désignation").fill("Remplacement de la résistance")
    page.get_by_label("Quantité").fill("1")
    page.get_by_label("Prix unitaire HT").fill("60")
    _press(page, page.get_by_role("button", name="Ajouter la ligne"))
    assert page.get_by_test_id("business-no-bonus").inner_text() == REASON
    _press(page, page.get_by_role("button", name="Valider le devis (fixe le bonus)"))
    panel = page.get_by_test_id("bonus-panel").inner_text()
    assert "Pas de bonus sur ce devis" in panel and REASON in panel
    shot(page, "business-quote-no-bonus")
    quote_url = page.url

    with app.test_request_context(), as_shop(shop.id):  # accepted and repaired (other walks sign and check out)
        quote = db.session.execute(db.select(Quote)).scalar_one()
        quotes.decide(quote, True, "signature", "127.0.0.1", "Karim Roux")
        current = db.session.get(RepairOrder, order_id)
        fill(current, "checkout")
        repairs.transition(current, "finish", guard=guard)

    page.goto(quote_url)
    _press(page, page.get_by_role("button", name="Émettre la facture", exact=True))
    assert page.get_by_test_id("amount-due").inner_text().replace("\u202f", " ").replace("\u00a0", " ") == "72,00 €"
    shot(page, "business-invoice")
    document = page.request.get(live_server + page.get_by_test_id("invoice-pdf").get_attribute("href"))
    assert document.ok
    (SCREENSHOTS / "business-invoice.pdf").write_bytes(document.body())  # looked at as an image (pdftoppm)
    text = " ".join(pdf.text(document.body()).split())
    for expected in ("Laverie du Port SARL", "SIREN du client : 732829320", "FR44732829320", "BC-2026-117", "Total TTC 72,00 €"):
        assert expected in text, expected
    assert "Bonus réparation" not in text
    with app.app_context(), as_shop(shop.id):
        assert db.session.execute(db.select(db.func.count(Claim.id))).scalar_one() == 0
