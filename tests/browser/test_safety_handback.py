"""Safety that blocks, a signed hand-back (issue 16), walked on the tablet (touch) and the desktop:
an insulation measure typed out of its limits turns red, «Réparation terminée» is unavailable and
says why; measured again after the repair, the order goes to «Prêt» and «Restituer l'appareil»
takes the customer's signature and the payment due; or the appliance is handed back out of
service with the warning the customer signs, printed on the report."""
import uuid

import pytest

from qualirepar.billing import invoices
from qualirepar.extensions import db
from qualirepar.repairs import services as repairs
from qualirepar.repairs.models import RepairOrder
from qualirepar.tenancy import as_shop

from .. import factories, pdf
from ..billing.helpers import STANDARD, quote_with, ready_to_invoice
from ..checklists.helpers import fill
from .conftest import SCREENSHOTS, shot
from .helpers import draw, login, press as _press

pytestmark = pytest.mark.browser


def _in_repair(app, shop, serial: str) -> int:
    """A washing machine checked in, diagnosed, under repair (what the intake walk already covers)."""
    order_id = factories.make_order(app, shop.id, "Lave-linge", serial_number=serial)
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        fill(order, "checkin")
        repairs.transition(order, "start_diagnosis")
        repairs.transition(order, "start_repair")
    return order_id


def _measure(page, label, value):
    point = page.get_by_test_id("point").filter(has_text=label)
    field = point.get_by_role("textbox")
    field.fill(value)
    field.dispatch_event("change")
    point.get_by_test_id("point-state").wait_for()
    return page.get_by_test_id("point").filter(has_text=label)


def _checkout(page, insulation: str):
    for label, value in [("Continuité", "0,12"), ("Résistance d'isolement", insulation), ("Courant de fuite", "0,4")]:
        _measure(page, label, value)
    answer = page.get_by_test_id("point").filter(has_text="Essai fonctionnel").get_by_text("Oui", exact=True)
    answer.tap() if page.device == "tablet" else answer.click()
    page.get_by_test_id("point").filter(has_text="Essai fonctionnel").get_by_test_id("point-state").wait_for()


def test_an_unsafe_measure_blocks_then_measured_again_the_hand_back_is_signed_and_paid(page, live_server, shop, app):
    order_id = _in_repair(app, shop, f"WM-SAFE-{page.device}")
    login(page, live_server, shop.emails["technician"])
    page.goto(f"{live_server}/dossiers/{order_id}")
    _press(page, page.get_by_test_id("checks-checkout"))
    _checkout(page, "0,4")  # 0,4 MΩ: below the 1 MΩ of NF EN 50678
    point = page.get_by_test_id("point").filter(has_text="Résistance d'isolement")
    assert point.get_by_test_id("point-state").inner_text() == "hors limites"
    assert point.get_by_test_id("safety-failed").is_visible()
    page.get_by_test_id("checkout-unsafe").wait_for()
    assert "0,4 MΩ (minimum 1 MΩ)" in page.get_by_test_id("checkout-unsafe").inner_text()
    shot(page, "safety-checkout-red")

    _press(page, page.get_by_role("link", name="Retour au dossier"))
    finish = page.get_by_role("button", name="Réparation terminée")
    assert finish.is_disabled()
    why = page.get_by_test_id("why-blocked").inner_text()
    assert "Réparation terminée impossible" in why and "Résistance d'isolement : 0,4 MΩ (minimum 1 MΩ)" in why
    assert "incomplet" in page.get_by_test_id("checks-checkout").inner_text()
    shot(page, "safety-order-blocked")

    # Repaired again and measured again: in its limits, the order goes to «Prêt».
    _press(page, page.get_by_test_id("checks-checkout"))
    _measure(page, "Résistance d'isolement", "250")
    page.get_by_text("Tous les points obligatoires sont renseignés.").wait_for()
    _press(page, page.get_by_role("link", name="Retour au dossier"))
    _press(page, page.get_by_role("button", name="Réparation terminée"))
    assert page.get_by_test_id("order-status").inner_text() == "Prêt"

    with app.test_request_context(), as_shop(shop.id):  # the invoice issued at the counter (walked in test_quote_invoice)
        order = db.session.get(RepairOrder, order_id)
        quote = quote_with(order, *STANDARD)
        ready_to_invoice(order, quote)
        due = invoices.issue_invoice(order, quote, str(uuid.uuid4()), None).amount_due
    page.reload()

    _press(page, page.get_by_role("link", name="Restituer l'appareil"))
    assert f"Reste à payer : {due:.2f}".replace(".", ",") in page.get_by_test_id("handback-payment").inner_text()
    _press(page, page.get_by_role("button", name="Valider la restitution"))  # no signature, no payment method
    assert page.get_by_test_id("handback-error").is_visible()
    page.get_by_label("Moyen de paiement").select_option(label="Carte bancaire")
    draw(page, page.get_by_test_id("pad-handback"))
    shot(page, "handback-signed-and-paid")
    _press(page, page.get_by_role("button", name="Valider la restitution"))
    assert page.get_by_test_id("order-status").inner_text() == "Restitué"
    handed = page.get_by_test_id("handed-back").inner_text()
    assert "Réparé" in handed and "Léa Martin" in handed and "(Carte bancaire)" in handed
    shot(page, "handback-done")
    bon = page.request.get(live_server + page.get_by_test_id("bon-pdf").get_attribute("href"))
    assert "Le client, à la restitution" in pdf.text(bon.body())


def test_an_unsafe_appliance_is_handed_back_out_of_service_with_the_signed_warning(page, live_server, shop, app):
    order_id = _in_repair(app, shop, f"WM-HS-{page.device}")
    login(page, live_server, shop.emails["technician"])
    page.goto(f"{live_server}/dossiers/{order_id}/controles/checkout")
    _checkout(page, "0,2")
    _press(page, page.get_by_role("link", name="Retour au dossier"))
    assert page.get_by_role("button", name="Réparation terminée").is_disabled()

    _press(page, page.get_by_role("link", name="Restituer hors service (non réparé)"))
    warning = page.get_by_label("Avertissement remis au client (il le signe ci-dessous)")
    assert "HORS SERVICE" in warning.input_value() and "0,2 MΩ (minimum 1 MΩ)" in warning.input_value()
    draw(page, page.get_by_test_id("pad-handback"))
    shot(page, "handback-out-of-service")
    _press(page, page.get_by_role("button", name="Valider la restitution"))
    assert page.get_by_test_id("order-status").inner_text() == "Restitué"
    handed = page.get_by_test_id("handed-back").inner_text()
    assert "Non réparé, rendu hors service" in handed and "Avertissement signé" in handed
    shot(page, "handback-out-of-service-done")

    report = page.request.get(live_server + page.get_by_role("link", name="Rapport de vérification (PDF)").get_attribute("href"))
    SCREENSHOTS.mkdir(exist_ok=True)
    (SCREENSHOTS / f"report-out-of-service-{page.device}.pdf").write_bytes(report.body())  # looked at as an image
    text = " ".join(pdf.text(report.body()).split())
    assert "NON CONFORME" in text and "rendu hors service" in text and "Le client, à la restitution" in text


def test_a_validated_quote_reads_valide_moves_the_order_and_an_early_invoice_asks_its_reason(page, live_server, shop, app):
    order_id = factories.make_order(app, shop.id, serial_number=f"QT-{page.device}")
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        fill(order, "checkin")
        repairs.transition(order, "start_diagnosis")
    login(page, live_server, shop.emails["technician"])
    page.goto(f"{live_server}/dossiers/{order_id}")
    assert page.get_by_test_id("order-status").inner_text() == "Diagnostic"
    _press(page, page.get_by_role("button", name="Nouveau devis"))
    page.get_by_label("Type", exact=True).select_option(label="Diagnostic")
    page.get_by_label("Désignation").fill("Diagnostic")
    page.get_by_label("Quantité").fill("1")
    page.get_by_label("Prix unitaire HT").fill("40")
    _press(page, page.get_by_role("button", name="Ajouter la ligne"))
    _press(page, page.get_by_role("button", name="Valider le devis (fixe le bonus)"))
    assert page.get_by_test_id("quote-status").inner_text() == "Validé"
    reason = page.get_by_test_id("invoice-reason")
    assert "le devis n'est pas accepté par le client" in reason.inner_text()
    assert "la réparation n'est pas marquée terminée" in reason.inner_text()
    shot(page, "quote-validated-reason-asked")

    _press(page, page.get_by_role("button", name="Émettre la facture avec ce motif"))  # no reason typed
    assert page.get_by_text("Facture impossible sans motif").is_visible()
    page.get_by_label("Motif pour facturer maintenant (gardé dans l'historique)").fill("Diagnostic seul : le client reprend l'appareil")
    _press(page, page.get_by_role("button", name="Émettre la facture avec ce motif"))
    assert page.get_by_text("émise").first.is_visible()
    page.goto(f"{live_server}/dossiers/{order_id}")
    assert page.get_by_test_id("order-status").inner_text() == "Devis"  # it left «Diagnostic» at validation
    shot(page, "quote-order-moved-on")
