"""The owner closes the day and opens its Z report, on the tablet and on the counter PC: found in
the menu, «Clôturer la journée», the closing listed with its report."""
import pytest

from qualirepar.extensions import db
from qualirepar.fiscal import closings, journal
from qualirepar.tenancy import as_shop

from .. import pdf
from ..fiscal.test_closings import a_sale
from .conftest import shot
from .helpers import login, open_menu_if_collapsed, tap_or_click as _press

pytestmark = pytest.mark.browser


def test_the_owner_closes_the_day_and_opens_the_z_report(page, live_server, app, shop):
    a_sale(app, shop)
    login(page, live_server, shop.emails["owner"])
    open_menu_if_collapsed(page)
    _press(page, page.get_by_role("button", name="Paramètres"))
    _press(page, page.get_by_role("link", name="Clôtures et archives"))
    page.get_by_role("heading", name="Clôtures et archives").wait_for()
    page.get_by_text("Aucune clôture pour l'instant.").wait_for()
    shot(page, "closings-before")
    _press(page, page.get_by_role("button", name="Clôturer la journée"))
    page.get_by_test_id("today-closed").wait_for()
    page.get_by_text("clôturée : 1 clôture(s) faite(s)").wait_for()
    row = page.get_by_test_id("daily-closings").get_by_role("row").nth(1)
    assert "180,00" in row.inner_text() and "130,00" in row.inner_text()  # sold TTC; received: 30 deposit + 100 card
    shot(page, "closings-done")
    report = row.get_by_role("link", name="Rapport Z")
    document = page.request.get(live_server + report.get_attribute("href"))
    assert document.ok and document.headers["content-type"] == "application/pdf"
    text_ = " ".join(pdf.text(document.body()).split())
    assert "Rapport Z" in text_ and "Chiffre d'affaires net 150,00 € 30,00 € 180,00 €" in text_
    with app.app_context(), as_shop(shop.id):
        assert journal.closed_until(shop.id) is not None and len(closings.listing(shop.id)) == 1
        db.session.remove()
