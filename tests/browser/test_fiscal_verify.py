"""The fiscal journal in the browser (tablet and desktop): the owner opens Paramètres → Conformité
caisse, runs a check and reads «Chaîne intègre» with the number of entries and the public key; after
a payment is rewritten in the database, the check names the broken entry; the owner cancels part
of a payment from the invoice page with its reason."""
import pytest

from qualirepar.extensions import db
from qualirepar.tenancy import as_shop

from ..fiscal import fiscal_factories as ff
from ..fiscal.test_tamper import _without_triggers
from .conftest import shot
from .helpers import login, open_menu_if_collapsed, tap_or_click as _press

pytestmark = pytest.mark.browser


def _books(app, shop_id):
    with app.test_request_context(), as_shop(shop_id):
        inv = ff.invoice(ff.order(app, shop_id))
        pay = ff.payment(inv, "70.00", "card")
        db.session.commit()
        return inv.id, pay.id


def test_owner_runs_a_check_and_reads_chaine_integre(page, live_server, shop, app):
    _invoice, payment_id = _books(app, shop.id)
    login(page, live_server, shop.emails["owner"])
    open_menu_if_collapsed(page)
    _press(page, page.get_by_role("button", name="Paramètres"))
    with page.expect_navigation():
        _press(page, page.get_by_role("link", name="Conformité caisse", exact=True))
    page.get_by_text("Le journal n'a pas encore été vérifié.").wait_for()
    assert "BEGIN PUBLIC KEY" in page.get_by_test_id("public-key").inner_text()
    with page.expect_navigation():
        _press(page, page.get_by_role("button", name="Vérifier le journal maintenant"))
    page.get_by_text("Chaîne intègre : 3 écritures et 2 enregistrements vérifiés.").wait_for()
    assert page.get_by_test_id("check-status").inner_text() == "Chaîne intègre"
    shot(page, "fiscal-verify-ok")

    with app.app_context():
        _without_triggers(f"UPDATE payment SET amount = 7 WHERE id = {payment_id}")
    with page.expect_navigation():
        _press(page, page.get_by_role("button", name="Vérifier le journal maintenant"))
    assert page.get_by_test_id("check-status").inner_text() == "Chaîne rompue"
    page.get_by_text("L'écriture n° 3 ne correspond plus au paiement", exact=False).first.wait_for()
    shot(page, "fiscal-verify-broken")


def test_owner_cancels_part_of_a_payment_with_its_reason(page, live_server, shop, app):
    invoice_id, _payment = _books(app, shop.id)
    login(page, live_server, shop.emails["owner"])
    page.goto(f"{live_server}/factures/{invoice_id}")
    _press(page, page.get_by_text("Annuler cet encaissement"))
    page.get_by_label("Montant à annuler").fill("20,00")
    page.get_by_label("Motif de l'annulation").fill("Carte débitée deux fois")
    with page.expect_navigation():
        _press(page, page.get_by_role("button", name="Enregistrer l'annulation"))
    page.get_by_text("Annulation de 20,00 € enregistrée.").wait_for()
    page.get_by_text("annulation : Carte débitée deux fois").wait_for()
    shot(page, "fiscal-reversal")
