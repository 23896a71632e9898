"""On the quote the repair code is picked from the list of the organism that pays for the appliance
(Ecologic for an Apple washing machine: brands.csv), searchable; required to validate a quote whose
appliance is bonus-eligible, with the reason shown; a catalog without repair codes says so and
offers the sync."""
import datetime as dt
import html

import pytest

from qualirepar.billing.models import Quote
from qualirepar.catalog.models import Code, ProductType
from qualirepar.extensions import db
from qualirepar.repairs.models import RepairOrder
from qualirepar.tenancy import as_shop

from ..billing.helpers import STANDARD, quote_with, washing_machine_order
from ..factories import login_client

HX = {"HX-Request": "true"}


def _page(resp) -> str:
    return html.unescape(resp.get_data(as_text=True)).replace("\u00a0", " ").replace("\u202f", " ")


@pytest.fixture
def quote(app, shop, kettle):
    """A washing machine (Apple: Ecologic) with a three-line quote; the organisms' repair codes for it."""
    order_id = washing_machine_order(app, shop.id, symptom_code="QR12")
    with app.test_request_context(), as_shop(shop.id):
        washer = db.session.execute(db.select(ProductType.id).where(ProductType.name == "Lave-linge")).scalar_one()
        for organism, code, label in (("ecologic", "G12", "Remplacement d'une pièce"), ("ecologic", "PSP", "Pièce de réemploi"),
                                      ("ecosystem", "R01", "Remplacement d'une pièce détachée")):
            db.session.add(Code(organism=organism, kind="repair", code=code, label=label, norm=code.lower() + label.lower(),
                                product_type_id=washer, valid_from=dt.date(2023, 1, 1)))
        db.session.commit()
        return quote_with(db.session.get(RepairOrder, order_id), *STANDARD).id


def test_the_picker_offers_the_paying_organisms_codes_as_tiles(app, shop, quote):
    body = _page(login_client(app, shop.emails["technician"]).get(f"/devis/{quote}"))
    assert 'data-testid="repair-code-picker"' in body and 'name="repair_code" value="G12"' in body
    assert 'value="R01"' not in body  # ecosystem's list: not the payer of an Apple appliance
    assert "Obligatoire : l'appareil ouvre droit au bonus réparation (Ecologic)" in body


def test_the_search_narrows_the_tiles(app, shop, quote):
    client = login_client(app, shop.emails["technician"])
    with app.app_context(), as_shop(shop.id):
        q = db.session.get(Quote, quote)
        appliance = db.session.get(RepairOrder, q.order_id).appliance
        product, brand = appliance.product_type_id, appliance.brand_id
    body = _page(client.get(f"/catalogue/codes/reparation?product={product}&brand={brand}&quote={quote}&q=reemploi", headers=HX))
    assert 'value="PSP"' in body and 'value="G12"' not in body


def test_an_eligible_quote_is_not_validated_without_its_repair_code(app, shop, quote):
    client = login_client(app, shop.emails["technician"])
    body = _page(client.post(f"/devis/{quote}/valider", follow_redirects=True))
    assert "Choisissez le code de réparation avant de valider" in body
    with app.app_context(), as_shop(shop.id):
        assert db.session.get(Quote, quote).validated_at is None
    assert client.post(f"/devis/{quote}/code", data={"repair_code": "G12"}).status_code == 303
    client.post(f"/devis/{quote}/valider")
    with app.app_context(), as_shop(shop.id):
        q = db.session.get(Quote, quote)
        assert q.repair_code == "G12" and q.validated_at is not None and q.bonus_eligible


def test_a_code_outside_the_list_is_refused(app, shop, quote):
    client = login_client(app, shop.emails["technician"])
    body = _page(client.post(f"/devis/{quote}/code", data={"repair_code": "R01"}, follow_redirects=True))
    assert "Choisissez le code de réparation dans la liste de cet appareil." in body
    with app.app_context(), as_shop(shop.id):
        assert db.session.get(Quote, quote).repair_code is None


def test_no_repair_code_in_the_catalog_says_so_and_offers_the_sync(app, shop, quote):
    with app.app_context():
        db.session.execute(db.delete(Code).where(Code.kind == "repair"))
        db.session.commit()
    body = _page(login_client(app, shop.emails["owner"]).get(f"/devis/{quote}"))
    assert "Le référentiel ne contient aucun code de réparation pour cet appareil." in body and "Synchroniser le référentiel" in body
