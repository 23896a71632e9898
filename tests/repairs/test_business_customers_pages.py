"""The bon de prise en charge for a business customer over HTTP: its company and SIREN kept, a bad
SIREN, SIRET or VAT number explained beside its field with nothing saved, the search finding the
company and picking it back with its identifiers."""
import html
import re
import uuid

import pytest

from qualirepar.catalog.models import ProductType
from qualirepar.extensions import db
from qualirepar.repairs.models import Customer, RepairOrder
from qualirepar.tenancy import as_shop

from .. import pdf
from ..factories import intake_form, make_fiche

BUSINESS = {"customer_kind": "business", "company": "Laverie du Port SARL", "siren": "732 829 320", "siret": "",
            "vat_number": "FR 44 732829320", "billing_street": "3 quai des Comptes", "billing_postcode": "13002",
            "billing_city": "Marseille", "po_reference": "BC-2026-117"}


def _count(app, shop, model) -> int:
    with app.app_context(), as_shop(shop.id):
        return db.session.execute(db.select(db.func.count(model.id))).scalar_one()


def test_a_business_customer_is_taken_in(app, as_role, shop, kettle):
    resp = as_role("technician").post("/dossiers/nouveau", data=intake_form(kettle, **BUSINESS), follow_redirects=True)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:2000]
    with app.app_context(), as_shop(shop.id):
        order = db.session.execute(db.select(RepairOrder)).scalar_one()
        c = order.customer
        assert (c.kind, c.company, c.siren, c.vat_number, c.billing_city, order.po_reference) == (
            "business", "Laverie du Port SARL", "732829320", "FR44732829320", "Marseille", "BC-2026-117")


@pytest.mark.parametrize("field,value,message", [
    ("siren", "732829321", "SIREN : la clé de contrôle ne correspond pas"),
    ("siren", "7328293", "SIREN : 9 chiffres attendus (vous en avez saisi 7)"),
    ("siret", "73282932000075", "SIRET : la clé de contrôle ne correspond pas"),
    ("siret", "55210055400013", "SIRET : ses 9 premiers chiffres (552100554) ne sont pas le SIREN saisi"),
    ("vat_number", "FR45732829320", "N° de TVA : la clé (les 2 caractères après FR) ne correspond pas au SIREN"),
    ("vat_number", "FR96552100554", "N° de TVA : il porte le SIREN 552100554, pas celui du client (732829320)"),
    ("company", "", "Raison sociale : obligatoire pour un client professionnel."),
    ("billing_city", "", "Complétez l'adresse de facturation"),
])
def test_bad_business_details_are_explained_and_nothing_is_saved(app, as_role, shop, kettle, field, value, message):
    resp = as_role("technician").post("/dossiers/nouveau", data=intake_form(kettle, **{**BUSINESS, field: value}))
    page = html.unescape(resp.get_data(as_text=True))
    assert resp.status_code == 422 and message in page
    assert page.count(message) == 1  # said once, beside its field
    assert 'value="Laverie du Port SARL"' in page or field == "company"  # what was typed is kept
    assert _count(app, shop, Customer) == 0 and _count(app, shop, RepairOrder) == 0


def test_a_private_customer_ignores_leftover_business_fields(app, as_role, shop, kettle):
    """Typed in «Professionnel», then switched back to «Particulier»: the hidden fields count for nothing."""
    data = intake_form(kettle, **{**BUSINESS, "customer_kind": "private", "siren": "123"})
    assert as_role("technician").post("/dossiers/nouveau", data=data).status_code == 303
    with app.app_context(), as_shop(shop.id):
        c = db.session.execute(db.select(Customer)).scalar_one()
        assert (c.kind, c.company, c.siren, c.billing_street) == ("private", None, None, None)


def test_the_siren_is_checked_as_soon_as_it_is_typed(app, as_role, shop, kettle):
    key = str(uuid.uuid4())
    resp = as_role("technician").post(f"/dossiers/brouillons/{key}", data={
        **intake_form(kettle, **BUSINESS), "siren": "732829321", "_field": "siren"}, headers={"HX-Request": "true"})
    assert "SIREN : la clé de contrôle ne correspond pas" in html.unescape(resp.get_data(as_text=True))


def test_the_search_finds_the_company_and_picks_it_back(app, as_role, shop, kettle):
    client = as_role("technician")
    assert client.post("/dossiers/nouveau", data=intake_form(kettle, **BUSINESS)).status_code == 303
    key = str(uuid.uuid4())
    for q in ("laverie", "732829320"):
        found = html.unescape(client.get(f"/dossiers/nouveau/clients?q={q}&brouillon={key}").get_data(as_text=True))
        assert "Laverie du Port SARL (MARTIN Léa)" in found and "SIREN 732829320" in found, q
    customer_id = re.search(r"/dossiers/nouveau/client/(\d+)", found).group(1)
    block = html.unescape(client.get(f"/dossiers/nouveau/client/{customer_id}?brouillon={key}").get_data(as_text=True))
    assert re.search(r'value="business"[^>]*checked|checked[^>]*value="business"', block)
    assert 'value="732829320"' in block and 'value="FR44732829320"' in block and 'value="Marseille"' in block


def test_the_explorer_and_the_bon_show_the_company_first(app, as_role, shop, kettle):
    client = as_role("owner")
    assert client.post("/dossiers/nouveau", data=intake_form(kettle, **BUSINESS)).status_code == 303
    assert client.post("/dossiers/nouveau", data=intake_form(kettle, last_name="Durand", serial_number="SN-2")).status_code == 303
    page = html.unescape(client.get("/explorateur/?dataset=orders&cols=number&cols=customer&sort=customer&dir=asc").get_data(as_text=True))
    assert "DURAND Léa" in page and "Laverie du Port SARL (MARTIN Léa)" in page
    assert page.index("DURAND Léa") < page.index("Laverie du Port SARL")  # sorted on the name shown
    with app.app_context(), as_shop(shop.id):
        order_id = db.session.execute(db.select(RepairOrder.id).where(RepairOrder.po_reference.is_not(None))).scalar_one()
    text = " ".join(pdf.text(client.get(f"/dossiers/{order_id}/bon.pdf").data).split())
    for expected in ("Entreprise Laverie du Port SARL", "SIREN 732829320", "Contact Mme MARTIN Léa"):  # two columns interleave
        assert expected in text, expected


def test_intake_says_no_bonus_for_a_business_and_asks_no_symptom(app, as_role, shop, kettle):
    """Consumers only (loi AGEC, Code de l'environnement art. L. 541-10-4): a business customer's
    eligible kettle gets no bonus at intake, so the symptom the claim would carry is not required."""
    with app.app_context():
        fiche = db.session.get(ProductType, kettle).fiche_code
    make_fiche(app, shop.id, fiche)
    client = as_role("technician")
    private = html.unescape(client.get(f"/dossiers/nouveau/bonus?product_type={kettle}&brand=Apple").get_data(as_text=True))
    business = html.unescape(client.get(f"/dossiers/nouveau/bonus?product_type={kettle}&brand=Apple&customer_kind=business")
                             .get_data(as_text=True))
    assert "Bonus réparation : 15,00" in private and "Client professionnel : le bonus réparation est réservé aux particuliers." in business
    refused = client.post("/dossiers/nouveau", data=intake_form(kettle))  # a private person: the symptom is required
    assert refused.status_code == 422 and "Choisissez le symptôme" in html.unescape(refused.get_data(as_text=True))
    assert client.post("/dossiers/nouveau", data=intake_form(kettle, **BUSINESS)).status_code == 303
