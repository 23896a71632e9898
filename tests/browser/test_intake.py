"""On the tablet: the bon de prise en charge, the check-in with a mandatory point that blocks until
answered (photo from the camera input included), the check-out, hand-back, and a second intake of
the same appliance flagged as a warranty return."""
import pytest

from qualirepar.catalog.loader import load_csv

from ..checklists.helpers import jpeg
from .conftest import shot
from .test_shell import _login

pytestmark = pytest.mark.browser


@pytest.fixture
def catalog(app):
    with app.app_context():
        load_csv()


def _press(page, button):
    with page.expect_navigation():
        button.tap() if page.device == "tablet" else button.click()


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
    _press(page, page.get_by_role("button", name="Enregistrer la prise en charge"))
    page.get_by_test_id("order-status").wait_for()


def _point(page, label):
    return page.get_by_test_id("point").filter(has_text=label)


def _saved(page, label):
    _point(page, label).get_by_test_id("point-state").wait_for()


def _answer_yes(page, label):
    target = _point(page, label).get_by_text("Oui", exact=True)
    target.tap() if page.device == "tablet" else target.click()
    _saved(page, label)


def test_intake_checkin_checkout_and_a_warranty_return(page, live_server, shop, catalog, tmp_path):
    _login(page, live_server, shop.emails["technician"])
    _fill_intake(page, live_server, "SN-KT-0042")
    assert page.get_by_text("créé.").is_visible()
    shot(page, "order-created")

    # A mandatory check-in point left empty blocks the diagnosis, and the message says which.
    _press(page, page.get_by_role("button", name="Commencer le diagnostic"))
    assert page.get_by_text("Contrôles à l'entrée incomplet").is_visible()
    assert page.get_by_test_id("order-status").inner_text() == "Prise en charge"
    shot(page, "checkin-blocked")

    _press(page, page.get_by_test_id("checks-checkin"))
    _answer_yes(page, "Appareil identifié")
    photo = tmp_path / "plaque.jpg"
    photo.write_bytes(jpeg())
    _point(page, "Photo de la plaque").locator("input[type=file]").set_input_files(str(photo))
    _saved(page, "Photo de la plaque")
    _point(page, "Panne constatée").get_by_role("combobox").select_option("Reproduite")
    _saved(page, "Panne constatée")
    page.get_by_text("Tous les points obligatoires sont renseignés.").wait_for()
    shot(page, "checkin-done")
    _press(page, page.get_by_role("link", name="Retour au dossier"))

    _press(page, page.get_by_role("button", name="Commencer le diagnostic"))
    _press(page, page.get_by_role("button", name="Réparer sans devis"))
    _press(page, page.get_by_test_id("checks-checkout"))
    for label, value in [("Continuité", "0,12"), ("Résistance d'isolement", "250"), ("Courant de fuite", "0,4")]:
        field = _point(page, label).get_by_role("textbox")
        field.fill(value)
        field.dispatch_event("change")
        _saved(page, label)
    _answer_yes(page, "Essai fonctionnel")
    page.get_by_text("Tous les points obligatoires sont renseignés.").wait_for()
    shot(page, "checkout-done")
    _press(page, page.get_by_role("link", name="Retour au dossier"))
    for name in ("Réparation terminée", "Restituer l'appareil"):
        _press(page, page.get_by_role("button", name=name))
    assert page.get_by_test_id("order-status").inner_text() == "Restitué"
    assert page.get_by_text("Réparation garantie 3 mois").is_visible()

    _fill_intake(page, live_server, "sn kt 0042")
    assert page.get_by_test_id("warranty-return").is_visible()
    shot(page, "warranty-return")
