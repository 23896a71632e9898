"""On the tablet, in a customer's kitchen: each field is saved as it is left; with the network gone
the values wait in the browser and reach the server when it comes back; the draft is resumed from
the orders list; an existing customer is picked by search."""
import time

import pytest

from qualirepar.extensions import db
from qualirepar.intake.models import IntakeDraft
from qualirepar.repairs import services as repairs
from qualirepar.tenancy import as_shop

from .conftest import shot
from .helpers import login

pytestmark = pytest.mark.browser


def _draft_values(app, shop) -> dict:
    with app.app_context(), as_shop(shop.id):
        row = db.session.execute(db.select(IntakeDraft)).scalars().first()
        return dict(row.data) if row else {}


def _wait_for(condition, timeout=10.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _leave(page, label, value):
    field = page.get_by_label(label, exact=True)
    field.fill(value)
    field.dispatch_event("change")  # what leaving the field does on a tablet


def test_fields_are_saved_as_they_are_left_and_kept_offline(page, live_server, shop, kettle, app):
    login(page, live_server, shop.emails["technician"])
    page.goto(live_server + "/dossiers/nouveau")
    _leave(page, "Nom", "Martin")
    page.get_by_text("Brouillon enregistré à").wait_for()
    assert _wait_for(lambda: _draft_values(app, shop).get("last_name") == "Martin")

    _leave(page, "Code postal", "6900")  # the message comes back beside the field, at once
    page.get_by_text("Code postal à 5 chiffres.").wait_for()
    assert "is-invalid" in page.get_by_label("Code postal", exact=True).get_attribute("class")
    _leave(page, "Code postal", "69003")
    page.get_by_text("Code postal à 5 chiffres.").wait_for(state="detached")

    page.context.set_offline(True)
    _leave(page, "Prénom", "Léa")
    page.get_by_test_id("offline-banner").wait_for()
    shot(page, "intake-offline")
    kept = page.evaluate("Object.entries(localStorage).filter(([k]) => k.startsWith('qualirepar:intake:')).map(([k, v]) => JSON.parse(v))")
    assert kept[0]["values"]["first_name"] == "Léa" and kept[0]["pending"]["first_name"] is True
    assert not _draft_values(app, shop).get("first_name")  # the server never got it

    page.context.set_offline(False)  # the browser fires "online": the queue is sent
    assert _wait_for(lambda: _draft_values(app, shop).get("first_name") == "Léa")
    page.get_by_test_id("offline-banner").wait_for(state="hidden")
    assert page.evaluate("Object.keys(JSON.parse(Object.entries(localStorage).find(([k]) => k.startsWith('qualirepar:intake:'))[1]).pending).length") == 0

    page.goto(live_server + "/dossiers/")  # later, from the orders list
    link = page.get_by_test_id("drafts").get_by_role("link", name="Reprendre")
    with page.expect_navigation():
        link.tap() if page.device == "tablet" else link.click()
    assert page.get_by_label("Nom", exact=True).input_value() == "Martin"
    assert page.get_by_label("Prénom", exact=True).input_value() == "Léa"


def test_an_existing_customer_is_picked_by_search(page, live_server, shop, kettle, app):
    with app.test_request_context(), as_shop(shop.id):
        repairs.create_intake(repairs.IntakeData(
            last_name="Durand", first_name="Marie", street="5 rue Haute", postcode="75011", city="Paris", phone="0611223344",
            email="marie@exemple.fr", service_requested="Réparation", fault_description="Bruit", serial_number="SN-OLD-1",
            brand_name="Seb", product_type_id=kettle))
    login(page, live_server, shop.emails["technician"])
    page.goto(live_server + "/dossiers/nouveau")
    page.get_by_label("Client déjà venu ?").fill("dura")
    choice = page.get_by_test_id("customer-choice").filter(has_text="DURAND Marie")
    choice.wait_for()
    choice.tap() if page.device == "tablet" else choice.click()
    page.get_by_test_id("picked-customer").wait_for()
    assert page.get_by_label("Adresse", exact=True).input_value() == "5 rue Haute"
    assert page.get_by_label("E-mail", exact=True).input_value() == "marie@exemple.fr"
    assert _wait_for(lambda: _draft_values(app, shop).get("customer_id") not in (None, ""))  # the pick is in the draft too
    shot(page, "intake-customer-picked")
