"""A bon being filled in is saved field by field (htmx) and from the browser's offline queue (JSON);
it is resumed from the orders list, kept when the bon is refused, and gone once the order exists.
An existing customer can be picked at intake."""
import html
import uuid

from qualirepar.extensions import db
from qualirepar.intake.models import IntakeDraft
from qualirepar.repairs.models import Customer, RepairOrder
from qualirepar.tenancy import as_shop

from .. import factories
from ..factories import intake_form

HX = {"HX-Request": "true"}


def _draft(app, shop, key):
    with app.app_context(), as_shop(shop.id):
        return db.session.execute(db.select(IntakeDraft).where(IntakeDraft.key == key)).scalar_one_or_none()


def test_each_field_is_saved_as_it_is_left_and_its_message_comes_back(app, as_role, shop, kettle):
    client = as_role("technician")
    key = str(uuid.uuid4())
    resp = client.post(f"/dossiers/brouillons/{key}", data={**intake_form(kettle, postcode="6900"), "_field": "postcode"}, headers=HX)
    body = html.unescape(resp.get_data(as_text=True))
    assert resp.status_code == 200 and "Code postal à 5 chiffres." in body and "Brouillon enregistré à" in body
    assert 'hx-swap-oob="true"' in body  # the status line at the top is refreshed too
    resp = client.post(f"/dossiers/brouillons/{key}", data={**intake_form(kettle), "_field": "postcode"}, headers=HX)
    assert "invalid-feedback" not in resp.get_data(as_text=True)
    draft = _draft(app, shop, key)
    assert draft.data == {"postcode": "69003"}  # only the field just left: the others are saved when they are left
    assert draft.user_id == shop.users["technician"].id


def test_the_offline_queue_sends_what_it_kept_and_gets_json(app, as_role, shop):
    client = as_role("technician")
    key = str(uuid.uuid4())
    resp = client.post(f"/dossiers/brouillons/{key}", data={"last_name": "Martin", "phone": "12", "not_a_field": "x"})
    assert resp.status_code == 200 and resp.json["saved"] is True
    assert list(resp.json["errors"]) == ["phone"] and "Numéro de téléphone français attendu" in resp.json["errors"]["phone"][0]
    assert _draft(app, shop, key).data == {"last_name": "Martin", "phone": "12"}  # unknown names are not kept
    resp = client.post(f"/dossiers/brouillons/{key}", data={"last_name": "Mar", "street": "", "phone": "12", "_fields": ["phone"]})
    assert list(resp.json["errors"]) == ["phone"]  # only what was typed is checked, not the fields still to fill
    assert _draft(app, shop, key).data["last_name"] == "Martin"  # a stale copy of another field is not written
    client.post(f"/dossiers/brouillons/{key}", data={"first_name": "Léa", "street": "", "phone": "12"})
    assert _draft(app, shop, key).data == {"last_name": "Martin", "phone": "12", "first_name": "Léa", "street": ""}  # merged


def test_a_draft_is_resumed_prefilled_and_listed(app, as_role, shop, kettle):
    client = as_role("technician")
    key = str(uuid.uuid4())
    client.post(f"/dossiers/brouillons/{key}", data={"last_name": "Martin", "first_name": "Léa", "brand": "Seb"})
    listing = html.unescape(client.get("/dossiers/").get_data(as_text=True))
    assert "Vos prises en charge commencées" in listing and "MARTIN Léa" in listing and f"brouillon={key}" in listing
    page = html.unescape(client.get(f"/dossiers/nouveau?brouillon={key}").get_data(as_text=True))
    assert 'value="Martin"' in page and 'value="Seb"' in page and f'data-draft-key="{key}"' in page


def test_a_refused_bon_keeps_its_draft_and_an_accepted_one_removes_it(app, as_role, shop, kettle):
    client = as_role("technician")
    key = str(uuid.uuid4())
    resp = client.post("/dossiers/nouveau", data=intake_form(kettle, draft_key=key, serial_number=""))
    assert resp.status_code == 422
    assert _draft(app, shop, key).data["last_name"] == "Martin"
    resp = client.post("/dossiers/nouveau", data=intake_form(kettle, draft_key=key))
    assert resp.status_code == 303 and f"fin={key}" in resp.headers["Location"]
    assert _draft(app, shop, key) is None
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert f'data-clear-draft="{key}"' in page  # the browser forgets its copy


def test_a_bon_refused_without_a_draft_gets_one(app, as_role, shop, kettle):
    client = as_role("technician")
    resp = client.post("/dossiers/nouveau", data=intake_form(kettle, last_name=""))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and 'hx-post="/dossiers/brouillons/"' not in page
    with app.app_context(), as_shop(shop.id):
        assert db.session.execute(db.select(db.func.count(IntakeDraft.id))).scalar_one() == 1


def test_drafts_belong_to_their_user_and_shop(app, as_role, shop):
    client = as_role("technician")
    key = str(uuid.uuid4())
    client.post(f"/dossiers/brouillons/{key}", data={"last_name": "Martin"})
    client = factories.login_client(app, shop.emails["support"])  # a colleague of the same shop
    assert client.post(f"/dossiers/brouillons/{key}", data={"last_name": "Autre"}).status_code == 404
    assert client.get(f"/dossiers/nouveau?brouillon={key}").status_code == 404
    assert client.post(f"/dossiers/brouillons/{key}/supprimer").status_code == 404
    assert client.post("/dossiers/brouillons/pas-une-cle", data={"last_name": "X"}).status_code == 404
    assert _draft(app, shop, key).data == {"last_name": "Martin"}
    other = factories.make_shop(app)
    stranger = factories.login_client(app, factories.make_user(app, other, "technician").email)
    stranger.post(f"/dossiers/brouillons/{key}", data={"last_name": "Ailleurs"})  # same key elsewhere: its own draft
    assert _draft(app, shop, key).data == {"last_name": "Martin"}


def test_a_draft_is_discarded(app, as_role, shop):
    client = as_role("technician")
    key = str(uuid.uuid4())
    client.post(f"/dossiers/brouillons/{key}", data={"last_name": "Martin"})
    assert client.post(f"/dossiers/brouillons/{key}/supprimer").status_code == 303
    assert _draft(app, shop, key) is None


def test_an_existing_customer_is_found_and_picked(app, as_role, shop, kettle):
    client = as_role("technician")
    client.post("/dossiers/nouveau", data=intake_form(kettle))
    with app.app_context(), as_shop(shop.id):
        customer_id = db.session.execute(db.select(Customer.id)).scalar_one()
    found = html.unescape(client.get("/dossiers/nouveau/clients?q=0612", headers=HX).get_data(as_text=True))
    assert "MARTIN Léa" in found and f"/dossiers/nouveau/client/{customer_id}" in found
    assert "Aucun client trouvé" in html.unescape(client.get("/dossiers/nouveau/clients?q=Zorglub", headers=HX).get_data(as_text=True))
    block = html.unescape(client.get(f"/dossiers/nouveau/client/{customer_id}?brouillon={uuid.uuid4()}", headers=HX).get_data(as_text=True))
    assert 'value="Martin"' in block and f'name="customer_id" type="hidden" value="{customer_id}"' in block
    assert "Client déjà connu : MARTIN Léa" in block
    resp = client.post("/dossiers/nouveau", data=intake_form(kettle, customer_id=customer_id, serial_number="SN-2",
                                                              phone="07 00 00 00 01", street="3 rue Neuve"))
    assert resp.status_code == 303
    with app.app_context(), as_shop(shop.id):
        customers = db.session.execute(db.select(Customer)).scalars().all()
        assert len(customers) == 1 and customers[0].street == "3 rue Neuve" and customers[0].phone == "07 00 00 00 01"
        assert {o.customer_id for o in db.session.execute(db.select(RepairOrder)).scalars()} == {customer_id}


def test_another_shops_customer_cannot_be_picked(app, as_role, shop, kettle):
    other = factories.make_shop(app)
    stranger = factories.login_client(app, factories.make_user(app, other, "technician").email)
    stranger.post("/dossiers/nouveau", data=intake_form(kettle, last_name="Voisin"))
    with app.app_context(), as_shop(other):
        foreign = db.session.execute(db.select(Customer.id)).scalar_one()
    client = as_role("technician")
    assert client.get(f"/dossiers/nouveau/client/{foreign}").status_code == 404
    assert client.post("/dossiers/nouveau", data=intake_form(kettle, customer_id=foreign)).status_code == 303
    with app.app_context(), as_shop(other):
        assert db.session.execute(db.select(Customer.last_name)).scalars().all() == ["Voisin"]  # untouched
    with app.app_context(), as_shop(shop.id):
        assert db.session.execute(db.select(Customer.last_name)).scalars().all() == ["Martin"]  # a new customer here


def test_drafts_abandoned_for_a_month_are_purged(app, as_role, shop):
    import datetime as dt

    from qualirepar.intake.services import purge_old_drafts

    client = as_role("technician")
    old, recent = str(uuid.uuid4()), str(uuid.uuid4())
    for key in (old, recent):
        client.post(f"/dossiers/brouillons/{key}", data={"last_name": "Martin"})
    with app.app_context(), as_shop(shop.id):
        row = db.session.execute(db.select(IntakeDraft).where(IntakeDraft.key == old)).scalar_one()
        row.updated_at = row.updated_at - dt.timedelta(days=31)
        db.session.commit()
    with app.app_context():
        assert purge_old_drafts() == 1
    assert _draft(app, shop, old) is None and _draft(app, shop, recent) is not None
