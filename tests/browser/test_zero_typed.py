"""Zero fields typed for the claim (issue 16), tablet and desktop: a new shop's catalogue synced from
the sandbox at set-up; at intake the washing machine's symptoms are tiles (water and draining, no
remote control) and the bon says the bonus as product type and brand are chosen; on the quote the
repair code is a tile of the paying organism's list; validation fixes the bonus, the customer signs,
the invoice says «Rien à saisir», the worker sends the claim and it reads «envoyée» with nothing
posted to the claim's pages on the way (the check-in and the repair itself are walked elsewhere)."""
import re

import pytest

from qualirepar.catalog import services as catalog
from qualirepar.claims.models import Claim
from qualirepar.extensions import db
from qualirepar.repairs.models import RepairOrder
from qualirepar.tenancy import as_shop

from .. import factories
from ..billing.helpers import repaired
from ..checklists.helpers import fill
from ..claims.test_submission import LYON
from .conftest import shot
from .helpers import draw, login, run_worker, press as _tap

pytestmark = pytest.mark.browser


def _set_up(app, shop):
    """The shop's first minute: catalogue loaded and synced from the organisms (the sandbox)."""
    factories.make_site(app, shop.id, ecologic_site_id=LYON[2])
    factories.make_fiche(app, shop.id, "GEM")
    with app.test_request_context(), as_shop(shop.id):
        syncs = catalog.set_up_reference()
        assert {s.organism for s in syncs} == {"ecosystem", "ecologic"}
    run_worker(app)


def test_intake_and_quote_with_codes_picked(page, live_server, shop, app, sandbox_accounts):
    _set_up(app, shop)
    login(page, live_server, shop.emails["owner"])
    page.goto(live_server + "/dossiers/nouveau")
    page.get_by_label("Civilité").select_option("Mme")
    for label, value in [("Nom", "Martin"), ("Prénom", "Léa"), ("Adresse", "1 rue de la Paix"), ("Code postal", "69003"),
                         ("Ville", "Lyon"), ("Téléphone", "06 12 34 56 78"), ("E-mail", "lea@exemple.fr")]:
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("Type d'appareil").select_option(label="Lave-linge")
    page.get_by_label("Marque", exact=True).fill("Apple")
    page.get_by_label("Marque", exact=True).press("Tab")
    bonus = page.get_by_test_id("intake-bonus")
    bonus.get_by_text(re.compile(r"Bonus réparation : 50,00\s€ \(Ecologic\), si la facture atteint")).wait_for()
    picker = page.get_by_test_id("symptom-picker")
    picker.get_by_test_id("symptom-required").wait_for()
    assert picker.get_by_text("Ne vidange pas").is_visible() and picker.get_by_text("Fuite d'eau").is_visible()
    assert picker.get_by_text(re.compile("télécommande", re.I)).count() == 0  # no audio/video list on a washing machine
    page.get_by_label("Rechercher un symptôme").fill("vidange")
    picker.get_by_text("Ne se remplit pas d'eau").wait_for(state="detached")
    _tap(page, picker.get_by_text("Ne vidange pas"), navigates=False)
    assert picker.get_by_role("radio", name=re.compile("Ne vidange pas")).is_checked()
    shot(page, "zero-typed-intake")
    for label, value in [("N° de série ou IMEI", "WM-778899"), ("Panne décrite par le client", "L'eau reste dans le tambour"),
                         ("Prestation demandée", "Diagnostic et réparation")]:
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_label("En atelier").check()
    _tap(page, page.get_by_role("button", name="Enregistrer la prise en charge"))
    page.get_by_test_id("order-status").wait_for()
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.execute(db.select(RepairOrder)).scalar_one()
        assert order.symptom_code == "QR12"
        fill(order, "checkin")  # the check-in and its nameplate photo (walked in test_intake)
        order_id = order.id

    _tap(page, page.get_by_role("button", name="Nouveau devis"))
    for kind, label, qty, price in (("Diagnostic", "Diagnostic", "1", "40"), ("Main-d'œuvre", "Remplacement de la pompe", "1,5", "50"),
                                    ("Pièce détachée", "Pompe de vidange", "1", "35")):
        page.get_by_label("Type", exact=True).select_option(label=kind)
        page.get_by_label("Désignation").fill(label)
        page.get_by_label("Quantité").fill(qty)
        page.get_by_label("Prix unitaire HT").fill(price)
        _tap(page, page.get_by_role("button", name="Ajouter la ligne"))
    codes = page.get_by_test_id("repair-code-picker")
    codes.get_by_test_id("repair-code-required").wait_for()
    _tap(page, page.get_by_role("button", name="Valider le devis (fixe le bonus)"))
    assert "Choisissez le code de réparation avant de valider" in page.locator(".alert").first.inner_text()
    page.get_by_label("Rechercher un code de réparation").fill("G12")
    _tap(page, page.get_by_test_id("repair-code-picker").get_by_role("button", name=re.compile("G12")))
    assert "G12" in page.get_by_test_id("repair-code-current").inner_text()
    shot(page, "zero-typed-quote")
    _tap(page, page.get_by_role("button", name="Valider le devis (fixe le bonus)"))
    assert "Bonus fixé à la validation" in page.get_by_test_id("frozen-bonus").inner_text()

    _tap(page, page.get_by_role("link", name="Faire signer sur la tablette"))
    draw(page, page.get_by_test_id("pad-quote"))
    _tap(page, page.get_by_role("button", name="J'accepte le devis"))
    with app.test_request_context(), as_shop(shop.id):  # the workshop repairs it (walked in test_safety_handback)
        repaired(db.session.get(RepairOrder, order_id))
    page.reload()
    claim_posts = []  # what the browser sends to the claim's pages: a field typed there would be one
    page.on("request", lambda r: r.method == "POST" and "/demandes" in r.url and claim_posts.append(r.url))
    _tap(page, page.get_by_role("button", name="Émettre la facture", exact=True))
    assert page.get_by_test_id("claim-complete").is_visible()  # «Rien à saisir»
    run_worker(app)  # the claim leaves by itself
    _tap(page, page.get_by_role("link", name="voir la demande"))
    assert page.get_by_test_id("claim-status").inner_text() == "envoyée, en cours d'examen"
    shot(page, "zero-typed-claim")
    assert claim_posts == []  # fields typed on the claim, from intake to «envoyée»: 0
    with app.app_context(), as_shop(shop.id):
        claim = db.session.execute(db.select(Claim)).scalar_one()
        assert (claim.status, claim.organism) == ("submitted", "ecologic")
