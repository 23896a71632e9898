"""The bonus rules as a table: (product, brand, date, TTC, reused part) -> (eligible, organism,
amount, reason), on both sides of each date boundary and threshold."""
import datetime as dt
from decimal import Decimal

import pytest

from qualirepar.catalog import eligibility
from qualirepar.catalog.loader import load_csv
from qualirepar.catalog.models import Brand, ProductType
from qualirepar.extensions import db
from qualirepar.shops.models import FicheMetier
from qualirepar.tenancy import as_shop

D = dt.date


@pytest.fixture
def catalog(app):
    with app.app_context():
        load_csv()
        db.session.add_all([
            Brand(name="SAMSUNG", norm="samsung", organism="ecosystem", ecosystem_id="1001", valid_from=D(2022, 12, 15)),
            Brand(name="Ancienne", norm="ancienne", organism="ecosystem", valid_from=D(2022, 12, 15), valid_to=D(2023, 6, 30)),
            Brand(name="Personne", norm="personne", organism=None, valid_from=D(2022, 12, 15)),
        ])
        db.session.commit()


def _ids(name: str, brand: str | None):
    product = db.session.execute(db.select(ProductType.id).where(ProductType.name == name)).scalar_one()
    brand_id = db.session.execute(db.select(Brand.id).where(Brand.name == brand)).scalar_one() if brand else None
    return product, brand_id


CASES = [
    # product, brand, date, TTC, reused -> eligible, organism, amount, reason
    ("Lave-linge", "SAMSUNG", D(2023, 12, 31), "100", False, True, "ecosystem", "25.00", None),
    ("Lave-linge", "SAMSUNG", D(2024, 1, 1), "100", False, True, "ecosystem", "50.00", None),
    ("Lave-linge", "SAMSUNG", D(2024, 1, 1), "100", True, True, "ecosystem", "60.00", None),
    ("Lave-linge", "SAMSUNG", D(2023, 12, 31), "100", True, True, "ecosystem", "25.00", None),
    ("Ordinateur portable", "Apple", D(2023, 12, 31), "179.99", False, False, "ecologic", None, "Seuil non atteint"),
    ("Ordinateur portable", "Apple", D(2023, 12, 31), "180.00", False, True, "ecologic", "45.00", None),
    ("Ordinateur portable", "Apple", D(2024, 1, 1), "149.99", False, False, "ecologic", None, "au moins 150,00"),
    ("Ordinateur portable", "Apple", D(2024, 1, 1), "150.00", False, True, "ecologic", "50.00", None),
    ("Ordinateur portable", "Apple", D(2024, 1, 1), "150.00", True, True, "ecologic", "60.00", None),
    ("Humidificateur", "Apple", D(2023, 12, 31), "40", False, False, "ecologic", None, "n'est pas dans le dispositif"),
    ("Humidificateur", "Apple", D(2024, 1, 1), "40", False, True, "ecologic", "15.00", None),
    ("Bouilloire", "Apple", D(2022, 12, 14), "30", False, False, None, None, "n'est pas dans le dispositif"),
    ("Bouilloire", "Apple", D(2022, 12, 15), "30", False, True, "ecologic", "10.00", None),
    ("Bouilloire", "Apple", D(2022, 12, 15), "30", True, True, "ecologic", "10.00", None),
    ("Téléviseur", "SAMSUNG", D(2024, 5, 1), "59.99", False, False, "ecosystem", None, "inférieur au bonus"),
    ("Téléviseur", "SAMSUNG", D(2024, 5, 1), "60.00", False, True, "ecosystem", "60.00", None),
    ("Téléviseur", "SAMSUNG", D(2024, 5, 1), "71.99", True, False, "ecosystem", None, "inférieur au bonus (72,00"),
    ("Téléviseur", "SAMSUNG", D(2024, 5, 1), "72.00", True, True, "ecosystem", "72.00", None),
    ("Déshumidificateur", "SAMSUNG", D(2024, 5, 1), "80", False, False, "ecosystem", None, "Aucun montant de bonus connu"),
    ("Bouilloire", "Ancienne", D(2023, 6, 30), "30", False, True, "ecosystem", "10.00", None),
    ("Bouilloire", "Ancienne", D(2023, 7, 1), "30", False, False, None, None, "couverte par aucun éco-organisme"),
    ("Bouilloire", "Personne", D(2024, 7, 1), "30", False, False, None, None, "couverte par aucun éco-organisme"),
    ("Bouilloire", None, D(2024, 7, 1), "30", False, False, None, None, "Marque inconnue"),
    ("Bouilloire", "Apple", D(2024, 7, 1), "0", False, False, "ecologic", None, "Indiquez le montant TTC"),
]


@pytest.mark.parametrize("product,brand,day,ttc,reused,eligible,organism,amount,reason", CASES)
def test_eligibility_table(app, catalog, product, brand, day, ttc, reused, eligible, organism, amount, reason):
    with app.test_request_context():
        product_id, brand_id = _ids(product, brand)
        v = eligibility.check(product_id, brand_id, day, Decimal(ttc), reused)
    assert (v.eligible, v.organism) == (eligible, organism), v.reasons
    assert v.amount == (Decimal(amount) if amount else None)
    if reason:
        assert any(reason in r for r in v.reasons), v.reasons
    else:
        assert v.reasons == []


def test_reused_part_on_a_product_without_majoration_is_explained(app, catalog):
    with app.test_request_context():
        v = eligibility.check(*_ids("Bouilloire", "Apple"), D(2024, 7, 1), Decimal("30"), True)
    assert v.amount == Decimal("15.00") and "réemploi ne s'applique pas" in v.notes[0]


@pytest.mark.parametrize("valid_until,eligible", [(D(2024, 6, 30), True), (D(2024, 6, 29), False)])
def test_the_shop_must_hold_the_fiche_metier_on_the_repair_date(app, catalog, shop, valid_until, eligible):
    with app.test_request_context(), as_shop(shop.id):
        db.session.add(FicheMetier(code="GEM", certified_on=D(2023, 1, 1), valid_until=valid_until))
        db.session.commit()
        v = eligibility.check(*_ids("Lave-linge", "SAMSUNG"), D(2024, 6, 30), Decimal("100"), shop_id=shop.id)
    assert v.eligible is eligible
    if not eligible:
        assert "fiche métier « Gros électroménager »" in v.reasons[0]


def test_a_product_of_a_fiche_the_shop_lacks_is_refused(app, catalog, shop):
    with app.test_request_context(), as_shop(shop.id):
        v = eligibility.check(*_ids("Lave-linge", "SAMSUNG"), D(2024, 6, 30), Decimal("100"), shop_id=shop.id)
    assert not v.eligible and "n'est pas labellisée" in v.reasons[0]


def test_loading_the_csv_twice_changes_nothing(app, catalog):
    with app.app_context():
        assert load_csv() == {}
        assert db.session.execute(db.select(db.func.count(ProductType.id))).scalar_one() == 73
