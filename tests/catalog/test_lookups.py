"""The lookup screens over HTTP: bonus table, brand search, eligibility check, code picker."""
import pytest

from qualirepar.catalog.loader import load_csv
from qualirepar.catalog.models import Brand
from qualirepar.extensions import db


@pytest.fixture
def catalog(app):
    with app.app_context():
        load_csv()
        db.session.add(Brand(name="SAMSUNG", norm="samsung", organism="ecosystem", valid_from=__import__("datetime").date(2022, 12, 15)))
        db.session.commit()


def test_bonus_table_as_of_a_date(as_role, catalog):
    client = as_role("technician")
    html_2023 = client.get("/catalogue/bonus?date=2023-06-01&q=lave").get_data(as_text=True)
    html_2024 = client.get("/catalogue/bonus?date=2024-06-01&q=lave").get_data(as_text=True)
    assert "Lave-linge" in html_2023 and "25,00" in html_2023 and "50,00" not in html_2023
    assert "50,00" in html_2024


def test_bonus_table_filters_by_family_and_organism(as_role, catalog):
    client = as_role("support")
    html = client.get("/catalogue/bonus?family=T%C3%A9l%C3%A9phonie&date=2024-06-01", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "Téléphone portable" in html and "Lave-linge" not in html and "<html" not in html
    ecologic = client.get("/catalogue/bonus?organism=ecologic&date=2024-06-01").get_data(as_text=True)
    assert "Téléphone portable" in ecologic and "Humidificateur" not in ecologic  # not in Ecologic's list


def test_bonus_table_shows_thresholds(as_role, catalog):
    html = as_role("owner").get("/catalogue/bonus?q=ordinateur%20portable&date=2024-06-01").get_data(as_text=True)
    assert "150,00" in html


def test_brand_search_shows_who_pays(as_role, catalog):
    client = as_role("technician")
    html = client.get("/catalogue/marques?q=sam", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "SAMSUNG" in html and "payée par ecosystem" in html
    assert "payée par Ecologic" in client.get("/catalogue/marques?q=app").get_data(as_text=True)
    assert "Aucune marque couverte" in client.get("/catalogue/marques?q=zzzz").get_data(as_text=True)


def test_eligibility_check_answers_in_french(as_role, app, catalog, shop):
    from qualirepar.catalog.models import ProductType
    from qualirepar.shops.models import FicheMetier
    from qualirepar.tenancy import as_shop

    with app.app_context(), as_shop(shop.id):
        db.session.add(FicheMetier(code="INFO_TEL"))
        db.session.commit()
        laptop = db.session.execute(db.select(ProductType.id).where(ProductType.name == "Ordinateur portable")).scalar_one()
    client = as_role("technician")
    ok = client.post("/catalogue/eligibilite", data={"product_type": laptop, "brand": "apple", "repair_date": "2024-06-01",
                                                     "total_incl_vat": "150,00"}, headers={"HX-Request": "true"})
    text = ok.get_data(as_text=True)
    assert "Éligible" in text and "50,00" in text and "Ecologic" in text
    no = client.post("/catalogue/eligibilite", data={"product_type": laptop, "brand": "Apple", "repair_date": "2024-06-01",
                                                     "total_incl_vat": "149,99"})
    assert "Pas de bonus" in no.get_data(as_text=True) and "Seuil non atteint" in no.get_data(as_text=True)


def test_eligibility_form_errors_are_beside_the_fields(as_role, catalog):
    resp = as_role("technician").post("/catalogue/eligibilite", data={"brand": "", "total_incl_vat": "douze"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "Saisissez la marque." in html and "Montant invalide" in html


@pytest.mark.parametrize("amount", ["nan", "inf", "-12", "1e999999"])
def test_impossible_amounts_are_refused_beside_the_field(as_role, catalog, amount):
    resp = as_role("technician").post("/catalogue/eligibilite", data={"brand": "Apple", "total_incl_vat": amount})
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert "Montant invalide" in page or "Le montant doit être positif." in page


def test_unknown_brand_suggests_close_names(as_role, app, catalog):
    from qualirepar.catalog.models import ProductType

    with app.app_context():
        kettle = db.session.execute(db.select(ProductType.id).where(ProductType.name == "Bouilloire")).scalar_one()
    html = as_role("technician").post("/catalogue/eligibilite", data={"product_type": kettle, "brand": "samsun",
                                                                       "repair_date": "2024-06-01", "total_incl_vat": "30"}).get_data(as_text=True)
    assert "Marque inconnue" in html and "Marques proches : SAMSUNG" in html


def test_code_picker_finds_by_code_and_label(as_role, catalog):
    client = as_role("technician")
    assert "Pas d&#39;alimentation" in client.get("/catalogue/codes?q=111").get_data(as_text=True)
    html = client.get("/catalogue/codes?q=batterie&kind=symptom&target=symptom_code", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "121" in html and 'data-pick-target="symptom_code"' in html
