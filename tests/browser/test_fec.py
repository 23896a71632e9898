"""The FEC in Chromium, on the tablet and on the counter PC: the owner finds the page in the menu,
changes the cash account, chooses the month and downloads its FEC, which carries the new account."""
import pytest

from qualirepar.core.clock import paris_today
from qualirepar.extensions import db
from qualirepar.fec import export
from qualirepar.shops.models import Shop
from qualirepar.tenancy import as_shop

from ..fec import helpers as h
from .conftest import shot
from .helpers import login, open_menu_if_collapsed

pytestmark = pytest.mark.browser


def test_the_owner_edits_an_account_and_downloads_the_fec_of_the_month(page, live_server, app, shop):
    today = paris_today()
    order_id = h.order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        invoice = h.invoice(order_id, today, bonus="50.00", organism="ecologic")
        h.payment(invoice, "cash", "130.00", today)
    login(page, live_server, shop.emails["owner"])
    open_menu_if_collapsed(page)
    page.get_by_role("button", name="Paramètres").click()
    page.get_by_role("link", name="Export comptable (FEC)").click()
    page.get_by_role("heading", name="Export comptable (FEC)").wait_for()
    # A letter in an account number: refused beside the field, in French.
    page.get_by_label("Numéro de compte : Espèces").fill("53O000")
    page.get_by_role("button", name="Enregistrer le plan comptable").click()
    page.get_by_text("un numéro de compte ne contient que des chiffres").wait_for()
    shot(page, "fec-chart-refused")
    page.get_by_label("Numéro de compte : Espèces").fill("531000")
    page.get_by_label("Intitulé : Espèces").fill("Caisse du comptoir")
    page.get_by_role("button", name="Enregistrer le plan comptable").click()
    page.get_by_text("Plan comptable enregistré (1 compte(s) modifié(s)).").wait_for()
    # The month, its summary, the file.
    page.get_by_label("Période").select_option(value=f"{today:%Y-%m}")  # the page opens on the month before
    page.get_by_role("button", name="Afficher").click()
    summary = page.get_by_test_id("fec-summary")
    assert "180,00" not in summary.inner_text() and "150,00" in summary.inner_text()  # HT, not TTC
    shot(page, "fec-month")
    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger le FEC").click()
    with app.app_context():
        siren = db.session.get(Shop, shop.id).siret[:9]
    assert download.value.suggested_filename == f"{siren}FEC{today.year}1231.txt"
    header, records = h.parse(open(download.value.path(), "rb").read())
    assert header == list(export.COLUMNS)
    cash = [r for r in records if r["JournalCode"] == "CA" and h.money(r["Debit"])]
    assert [(r["CompteNum"], r["CompteLib"], r["Debit"]) for r in cash] == [("531000", "Caisse du comptoir", "130,00")]

