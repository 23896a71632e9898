"""The bon de prise en charge over HTTP: the label's fields required, bad input explained and
kept, a second order of the same appliance flagged as a warranty return."""
import datetime as dt
import html

import pytest

from qualirepar.extensions import db
from qualirepar.repairs.models import Customer, RepairOrder
from qualirepar.tenancy import as_shop

from .. import factories
from ..checklists.helpers import fill
from ..factories import intake_form
from qualirepar.core.clock import paris_today

form = intake_form


def test_intake_creates_a_numbered_order(app, as_role, shop, kettle):
    resp = as_role("technician").post("/dossiers/nouveau", data=form(kettle), follow_redirects=True)
    page = html.unescape(resp.get_data(as_text=True))
    assert f"Dossier D-{paris_today().year}-00001 créé." in page
    assert "Ne chauffe plus" in page and "SN-AB1234" in page
    with app.app_context(), as_shop(shop.id):
        order = db.session.execute(db.select(RepairOrder)).scalar_one()
        assert order.technician_id == shop.users["technician"].id and order.status == "intake"


@pytest.mark.parametrize("field,value,message", [
    ("last_name", "", "Ce champ est obligatoire."),
    ("serial_number", "", "Ce champ est obligatoire."),
    ("fault_description", "", "Ce champ est obligatoire."),
    ("postcode", "6900", "Code postal à 5 chiffres."),
    ("phone", "12", "Numéro de téléphone français attendu"),
    ("email", "lea@", "Adresse e-mail invalide."),
    ("purchase_date", "2999-01-01", "ne peut pas être dans le futur"),
])
def test_bad_input_is_explained_beside_the_field_and_nothing_is_saved(app, as_role, shop, kettle, field, value, message):
    resp = as_role("technician").post("/dossiers/nouveau", data=form(kettle, **{field: value}))
    page = html.unescape(resp.get_data(as_text=True))
    assert resp.status_code == 422 and message in page
    assert 'value="Léa"' in page  # the rest is kept
    with app.app_context(), as_shop(shop.id):
        assert db.session.execute(db.select(db.func.count(Customer.id))).scalar_one() == 0


def test_the_second_order_of_a_repaired_appliance_is_flagged(app, as_role, shop, kettle):
    client = as_role("technician")
    client.post("/dossiers/nouveau", data=form(kettle))
    with app.test_request_context(), as_shop(shop.id):
        first = db.session.execute(db.select(RepairOrder)).scalar_one()
        fill(first, "checkin")
        fill(first, "checkout")
        first_id, first_number = first.id, first.number
    for action in ("start_diagnosis", "start_repair", "finish"):
        assert client.post(f"/dossiers/{first_id}/{action}").status_code == 303
    signed = {"signature": factories.data_url(), "signer_name": "Léa Martin"}  # handed back, signed on the tablet
    assert client.post(f"/dossiers/{first_id}/restitution", data=signed).status_code == 303
    with app.app_context(), as_shop(shop.id):  # handed back 20 days ago
        order = db.session.get(RepairOrder, first_id)
        order.handed_back_at -= dt.timedelta(days=20)
        db.session.commit()
    resp = client.post("/dossiers/nouveau", data=form(kettle, serial_number="sn ab 1234"), follow_redirects=True)
    page = html.unescape(resp.get_data(as_text=True))
    assert "Retour sous garantie" in page and first_number in page and "pas de second bonus" in page


def test_an_illegal_action_is_refused_with_a_message(app, as_role, shop, kettle):
    client = as_role("technician")
    client.post("/dossiers/nouveau", data=form(kettle))
    with app.app_context(), as_shop(shop.id):
        order_id = db.session.execute(db.select(RepairOrder.id)).scalar_one()
    page = html.unescape(client.post(f"/dossiers/{order_id}/hand_back", follow_redirects=True).get_data(as_text=True))
    assert "impossible au statut « Prise en charge »" in page


def test_search_finds_orders_by_phone(app, as_role, shop, kettle):
    client = as_role("support")
    client.post("/dossiers/nouveau", data=form(kettle))
    page = client.get("/dossiers/?q=0612", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "MARTIN Léa" in page and "<html" not in page


def test_the_order_list_costs_the_same_queries_for_one_or_many_rows(app, as_role, shop, kettle):
    from ..queries import counted

    client = as_role("support")

    def count_queries() -> int:
        with counted(app) as seen:
            assert client.get("/dossiers/").status_code == 200
        return len(seen)

    client.post("/dossiers/nouveau", data=form(kettle))
    one = count_queries()
    for i in range(5):
        client.post("/dossiers/nouveau", data=form(kettle, serial_number=f"SN-XY{i}9876", last_name=f"Nom{i}"))
    assert count_queries() == one
