"""At intake the symptom is picked from the product type's list (searchable, large tiles), never
typed; it is required as soon as the appliance is bonus-eligible, with the reason shown; a catalog
with no codes says so and offers the sync."""
import html
import uuid

import pytest

from qualirepar.catalog.loader import load_csv
from qualirepar.catalog.models import Code, ProductType
from qualirepar.extensions import db
from qualirepar.repairs.models import RepairOrder
from qualirepar.shops.models import FicheMetier
from qualirepar.tenancy import as_shop

from ..factories import intake_form

HX = {"HX-Request": "true"}


@pytest.fixture
def washer(app, shop):
    """The catalog loaded; the shop labelled for large appliances; the washing machine's id."""
    with app.app_context(), as_shop(shop.id):
        load_csv()
        db.session.add(FicheMetier(code="GEM"))
        db.session.commit()
        return db.session.execute(db.select(ProductType.id).where(ProductType.name == "Lave-linge")).scalar_one()


def _orders(app, shop):
    with app.app_context(), as_shop(shop.id):
        return db.session.execute(db.select(RepairOrder)).scalars().all()


def test_the_picker_lists_the_washing_machines_symptoms_as_tiles(as_role, washer):
    client = as_role("technician")
    body = html.unescape(client.get(f"/dossiers/nouveau/symptomes?product_type={washer}&brand=Apple", headers=HX).get_data(as_text=True))
    assert 'type="radio" name="symptom_code"' in body and 'value="QR12"' in body and "Ne vidange pas" in body
    assert "télécommande" not in body.lower() and 'value="151"' not in body  # no audio/video list on a washing machine
    assert "Obligatoire : l'appareil ouvre droit au bonus" in body


def test_typing_in_the_search_narrows_the_tiles_and_keeps_the_one_chosen(as_role, washer):
    client = as_role("technician")
    body = client.get(f"/dossiers/nouveau/symptomes?part=options&product_type={washer}&symptom_q=fuite&symptom_code=QR12",
                      headers=HX).get_data(as_text=True)
    assert 'value="QR13"' in body and 'value="QR11"' not in body
    assert 'value="QR12"' in body and "checked" in body  # the chosen one stays, checked, though the search hides it


def test_without_a_product_type_the_picker_asks_for_it_first(as_role, washer):
    body = as_role("technician").get("/dossiers/nouveau/symptomes", headers=HX).get_data(as_text=True)
    assert "Choisissez d'abord le type d'appareil" in html.unescape(body)


def test_an_eligible_appliance_cannot_be_taken_in_without_a_symptom(app, as_role, shop, washer):
    client = as_role("technician")
    resp = client.post("/dossiers/nouveau", data=intake_form(washer, brand="Apple", draft_key=str(uuid.uuid4())))
    body = html.unescape(resp.get_data(as_text=True))
    assert resp.status_code == 422 and "Choisissez le symptôme : l'appareil ouvre droit au bonus réparation" in body
    assert _orders(app, shop) == []  # nothing half-saved


def test_a_typed_code_that_is_not_in_the_list_is_refused(app, as_role, shop, washer):
    client = as_role("technician")
    resp = client.post("/dossiers/nouveau", data=intake_form(washer, brand="Apple", symptom_code="151"))
    assert resp.status_code == 422 and "Choisissez le symptôme dans la liste de cet appareil." in html.unescape(resp.get_data(as_text=True))
    assert _orders(app, shop) == []


def test_the_symptom_picked_is_kept_on_the_order(app, as_role, shop, washer):
    client = as_role("technician")
    resp = client.post("/dossiers/nouveau", data=intake_form(washer, brand="Apple", symptom_code="QR12"))
    assert resp.status_code == 303
    assert [o.symptom_code for o in _orders(app, shop)] == ["QR12"]


def test_an_appliance_without_bonus_may_be_taken_in_without_a_symptom(app, as_role, shop, washer):
    resp = as_role("technician").post("/dossiers/nouveau", data=intake_form(washer, brand="Marque inconnue"))
    assert resp.status_code == 303


def test_no_codes_in_the_catalog_says_so_and_offers_the_sync(app, as_role, shop, washer):
    with app.app_context():
        db.session.execute(db.delete(Code))
        db.session.commit()
    body = html.unescape(as_role("owner").get(f"/dossiers/nouveau/symptomes?product_type={washer}", headers=HX).get_data(as_text=True))
    assert "aucun code symptôme" in body and "Synchroniser le référentiel" in body and 'name="symptom_code"' not in body
    page = html.unescape(as_role("owner").get("/dossiers/nouveau").get_data(as_text=True))
    assert "Choisissez d'abord le type d'appareil" in page or "aucun code symptôme" in page
