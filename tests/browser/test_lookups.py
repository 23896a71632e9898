"""The three lookup screens, used as a person would, on the tablet and on the counter PC."""
import datetime as dt

import pytest

from qualirepar.catalog.loader import load_csv
from qualirepar.catalog.models import Brand
from qualirepar.extensions import db
from qualirepar.shops.models import FicheMetier
from qualirepar.tenancy import as_shop

from .conftest import shot
from .helpers import login, open_menu_if_collapsed

pytestmark = pytest.mark.browser


@pytest.fixture
def catalog(app, shop):
    with app.app_context():
        load_csv()
        db.session.add(Brand(name="SAMSUNG", norm="samsung", organism="ecosystem", valid_from=dt.date(2022, 12, 15)))
        db.session.commit()
        with as_shop(shop.id):
            db.session.add(FicheMetier(code="INFO_TEL"))
            db.session.commit()


def _menu(page, item):
    open_menu_if_collapsed(page)
    page.get_by_role("button", name="Référentiel").or_(page.get_by_role("link", name="Référentiel")).first.click()
    with page.expect_navigation(wait_until="load"):  # htmx is initialised before anything is typed
        page.get_by_role("link", name=item, exact=True).click()


def test_eligibility_check(page, live_server, shop, catalog):
    login(page, live_server, shop.emails["technician"])
    _menu(page, "Éligibilité")
    page.get_by_label("Type d'appareil").select_option(label="Téléphone portable")
    page.get_by_label("Marque").fill("SAMSUNG")
    page.get_by_label("Montant TTC prévu (avant bonus)").fill("89,90")
    page.get_by_role("button", name="Vérifier").click()
    verdict = page.get_by_test_id("verdict")
    verdict.wait_for()
    assert "Éligible" in verdict.inner_text() and "25,00" in verdict.inner_text()
    shot(page, "eligibility-ok")
    page.get_by_label("Montant TTC prévu (avant bonus)").fill("20")
    page.get_by_role("button", name="Vérifier").click()
    page.get_by_role("heading", name="Pas de bonus").wait_for()
    assert "inférieur au bonus" in page.get_by_test_id("verdict").inner_text()
    shot(page, "eligibility-refused")


def test_brand_search_as_you_type(page, live_server, shop, catalog):
    login(page, live_server, shop.emails["support"])
    _menu(page, "Marques")
    page.get_by_label("Rechercher une marque").press_sequentially("sam", delay=50)
    page.get_by_text("payée par ecosystem").wait_for()
    assert page.get_by_text("SAMSUNG").is_visible()
    assert "q=sam" in page.url  # the search is in the address, for back and reload
    shot(page, "brand-search")


def test_bonus_table_filters(page, live_server, shop, catalog):
    login(page, live_server, shop.emails["owner"])
    _menu(page, "Barème du bonus")
    page.get_by_label("Famille").select_option(label="Téléphonie")
    page.wait_for_function("() => !document.querySelector('#bonus-rows').innerText.includes('Lave-linge')")
    rows = page.locator("#bonus-rows tr")
    assert rows.count() == 2 and "Téléphone portable" in rows.all_inner_texts()[1] + rows.all_inner_texts()[0]
    shot(page, "bonus-table")
