"""On the tablet: the bon de prise en charge, the check-in with a mandatory point that blocks until
answered (photo from the camera input included), the check-out, hand-back, and a second intake of
the same appliance flagged as a warranty return."""
import pytest

from .. import pdf
from ..checklists.helpers import jpeg
from .conftest import shot
from .helpers import draw, login, press as _press

pytestmark = pytest.mark.browser


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


def test_intake_checkin_checkout_and_a_warranty_return(page, live_server, shop, kettle, tmp_path):
    login(page, live_server, shop.emails["technician"])
    _fill_intake(page, live_server, "SN-KT-0042")
    assert page.get_by_text("créé.").is_visible()
    shot(page, "order-created")
    order_url = page.url.split("?")[0]

    # The customer signs the bon with a finger (pointer events on the pad), then the appliance is photographed.
    _press(page, page.get_by_role("link", name="Signatures"))
    draw(page, page.get_by_test_id("pad-customer"))
    _press(page, page.locator("form[data-signature-form]").first.get_by_role("button", name="Valider la signature"))
    assert page.get_by_test_id("signed-customer").locator("img").is_visible()
    _press(page, page.get_by_role("link", name="Retour au dossier"))
    _press(page, page.get_by_role("link", name="Photos (0)"))
    front = tmp_path / "face.jpg"
    front.write_bytes(jpeg((1200, 900), orientation=6))
    page.get_by_test_id("take-photo").locator("input[type=file]").set_input_files(str(front))
    page.get_by_text("1 photo(s) enregistrée(s).").wait_for()
    page.goto(order_url)

    # The bon, with the signature printed, opens as a one-page PDF.
    bon = page.request.get(live_server + page.get_by_test_id("bon-pdf").get_attribute("href"))
    assert bon.ok and bon.headers["content-type"] == "application/pdf"
    assert pdf.pages(bon.body()) == 1 and pdf.images(bon.body()) == 1 and "SN-KT-0042" in pdf.text(bon.body())

    # A mandatory check-in point left empty blocks the diagnosis, and the message says which.
    assert page.get_by_role("button", name="Commencer le diagnostic").is_disabled()  # the button says why (issue 16)
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
    _press(page, page.get_by_role("button", name="Réparation terminée"))
    _press(page, page.get_by_role("link", name="Restituer l'appareil"))
    draw(page, page.get_by_test_id("pad-handback"))  # the customer signs the hand-back
    _press(page, page.get_by_role("button", name="Valider la restitution"))
    assert page.get_by_test_id("order-status").inner_text() == "Restitué"
    assert page.get_by_text("Réparation garantie 3 mois").is_visible()

    _fill_intake(page, live_server, "sn kt 0042")
    assert page.get_by_test_id("warranty-return").is_visible()
    shot(page, "warranty-return")
