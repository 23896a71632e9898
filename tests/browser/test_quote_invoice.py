"""On the tablet: from a repair order, a quote with its lines, the bonus checked then frozen at
validation, the customer's acceptance signed with a finger, the invoice issued, its PDF, and the
claim row waiting to be sent. Between the invoice and the claim the user types nothing."""
import datetime as dt
import re

import pytest

from qualirepar.catalog.models import Code
from qualirepar.claims.models import Claim
from qualirepar.extensions import db
from qualirepar.repairs.models import RepairOrder
from qualirepar.tenancy import as_shop

from .. import factories, pdf
from ..billing.helpers import repaired, washing_machine_order
from .helpers import draw, login, press as _press

pytestmark = pytest.mark.browser


def test_quote_validation_signature_invoice_and_claim(page, live_server, shop, app):
    site = factories.make_site(app, shop.id, ecologic_site_id="ECL-SITE-1")
    order_id = washing_machine_order(app, shop.id, site_id=site, symptom_code="111", email="lea@exemple.fr")
    with app.app_context():  # the organism's repair codes, as a sync leaves them
        db.session.add(Code(organism="ecologic", kind="repair", code="R01", label="Remplacement d'une pièce", norm="r01remplacementdunepiece",
                            valid_from=dt.date(2022, 12, 15)))
        db.session.commit()
    login(page, live_server, shop.emails["technician"])
    page.goto(f"{live_server}/dossiers/{order_id}")
    _press(page, page.get_by_role("button", name="Nouveau devis"))
    for kind, label, qty, price in (("Diagnostic", "Diagnostic", "1", "40"), ("Main-d'œuvre", "Remplacement de la pompe", "1,5", "50"),
                                    ("Pièce détachée", "Pompe de vidange", "1", "35")):
        page.get_by_label("Type", exact=True).select_option(label=kind)
        page.get_by_label("Désignation").fill(label)
        page.get_by_label("Quantité").fill(qty)
        page.get_by_label("Prix unitaire HT").fill(price)
        _press(page, page.get_by_role("button", name="Ajouter la ligne"))
    assert page.get_by_test_id("quote-ttc").inner_text().replace("\u202f", " ").replace("\u00a0", " ") == "180,00 €"

    _press(page, page.get_by_test_id("repair-code-picker").get_by_role("button", name=re.compile("R01")))  # picked, not typed

    _press(page, page.get_by_role("button", name="Vérifier le bonus"), navigates=False)
    page.get_by_test_id("bonus-verdict").wait_for()
    assert "50,00" in page.get_by_test_id("bonus-verdict").inner_text()
    _press(page, page.get_by_role("button", name="Valider le devis (fixe le bonus)"))
    assert "Bonus fixé à la validation" in page.get_by_test_id("frozen-bonus").inner_text()
    assert page.get_by_test_id("quote-status").inner_text() == "Validé"  # issue 16: not «Brouillon»

    _press(page, page.get_by_role("link", name="Faire signer sur la tablette"))
    draw(page, page.get_by_test_id("pad-quote"))
    _press(page, page.get_by_role("button", name="J'accepte le devis"))
    assert page.get_by_test_id("quote-status").inner_text() == "Accepté"
    with app.test_request_context(), as_shop(shop.id):  # the workshop repairs it (walked in test_safety_handback)
        repaired(db.session.get(RepairOrder, order_id))
    page.reload()

    _press(page, page.get_by_role("button", name="Émettre la facture", exact=True))
    assert "130,00" in page.get_by_test_id("amount-due").inner_text()
    assert "en file d'envoi" in page.get_by_test_id("claim-status").inner_text()
    assert page.get_by_test_id("claim-complete").is_visible()  # from the invoice to the claim: nothing typed
    document = page.request.get(live_server + page.get_by_test_id("invoice-pdf").get_attribute("href"))
    assert document.ok and pdf.pages(document.body()) == 1
    with app.app_context(), as_shop(shop.id):
        claim = db.session.execute(db.select(Claim)).scalar_one()
        assert claim.status == "queued" and {"invoice"} <= set(claim.attachments)
