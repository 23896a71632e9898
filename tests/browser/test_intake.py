"""Intake on the tablet: a technician fills the bon de prise en charge, moves the order on, and a
second intake of the same appliance shows the warranty return."""
import pytest

from qualirepar.catalog.loader import load_csv

from .conftest import shot
from .test_shell import _login

pytestmark = pytest.mark.browser


@pytest.fixture
def catalog(app):
    with app.app_context():
        load_csv()


def _fill_intake(page, live_server, serial):
    page.goto(live_server + "/dossiers/nouveau")
    page.get_by_label("Civilité").select_option("Mme")
    for label, value in [("Nom", "Martin"), ("Prénom", "Léa"), ("Adresse", "1 rue de la Paix"), ("Code postal", "69003"),
                         ("Ville", "Lyon"), ("Téléphone", "06 12 34 56 78"), ("E-mail", "lea@exemple.fr"), ("Marque", "Apple"),
                         ("N° de série ou IMEI", serial), ("Panne décrite par le client", "Ne chauffe plus"),
                         ("Prestation demandée", "Diagnostic et réparation")]:
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Type d'appareil").select_option(label="Bouilloire")
    page.get_by_label("En atelier").check()
    button = page.get_by_role("button", name="Enregistrer la prise en charge")
    with page.expect_navigation():
        button.tap() if page.device == "tablet" else button.click()
    page.get_by_test_id("order-status").wait_for()


def test_intake_then_a_warranty_return(page, live_server, shop, catalog):
    _login(page, live_server, shop.emails["technician"])
    _fill_intake(page, live_server, "SN-KT-0042")
    assert page.get_by_text("créé.").is_visible()
    shot(page, "order-created")
    for name in ("Commencer le diagnostic", "Réparer sans devis", "Réparation terminée", "Restituer l'appareil"):
        button = page.get_by_role("button", name=name)
        with page.expect_navigation():
            button.tap() if page.device == "tablet" else button.click()
    assert page.get_by_test_id("order-status").inner_text() == "Restitué"
    assert page.get_by_text("Réparation garantie 3 mois").is_visible()
    _fill_intake(page, live_server, "sn kt 0042")
    assert page.get_by_test_id("warranty-return").is_visible()
    shot(page, "warranty-return")
