"""The bon says the bonus as soon as product type and brand are known: amount, organism and the
invoice total it needs, or why not (DOMAIN.md §2-3, through catalog.eligibility)."""
import html

import pytest

from qualirepar.catalog.loader import load_csv
from qualirepar.catalog.models import ProductType
from qualirepar.extensions import db
from qualirepar.shops.models import FicheMetier
from qualirepar.tenancy import as_shop

HX = {"HX-Request": "true"}


@pytest.fixture
def products(app, shop):
    with app.app_context(), as_shop(shop.id):
        load_csv()
        db.session.add(FicheMetier(code="GEM"))
        db.session.commit()
        ids = dict(db.session.execute(db.select(ProductType.name, ProductType.id)).all())
        return ids


def _bonus(client, product, brand) -> str:
    return html.unescape(client.get(f"/dossiers/nouveau/bonus?product_type={product}&brand={brand}", headers=HX).get_data(as_text=True)).replace("\xa0", " ")


def test_an_eligible_washing_machine_shows_amount_organism_and_the_total_it_needs(as_role, products):
    """2024 grid (bonus_amounts.csv): a washing machine 50 €; Apple is an Ecologic brand (brands.csv)."""
    body = _bonus(as_role("technician"), products["Lave-linge"], "apple")
    assert "Bonus réparation : 50,00 € (Ecologic), si la facture atteint 50,00 € TTC." in body  # no threshold: the bonus itself


def test_an_unknown_brand_or_a_fiche_the_shop_lacks_says_why_not(as_role, products):
    client = as_role("technician")
    assert "Marque inconnue" in _bonus(client, products["Lave-linge"], "Zorglub")
    no_fiche = _bonus(client, products["Téléviseur"], "apple")  # the shop holds GEM only, not ECRANS
    assert "Pas de bonus réparation" in no_fiche and "fiche métier" in no_fiche


def test_before_product_and_brand_are_chosen_it_says_what_it_waits_for(as_role, products):
    body = _bonus(as_role("technician"), "", "")
    assert "choisissez le type d'appareil et la marque" in body


def test_the_intake_page_carries_the_panel_wired_to_product_and_brand(as_role, products):
    page = html.unescape(as_role("technician").get("/dossiers/nouveau").get_data(as_text=True))
    assert 'data-testid="intake-bonus"' in page and "data-testid=\"symptom-picker\"" in page
