"""Return detection (§6.1.5): an earlier repair of the same appliance handed back within 3
calendar months is found, on both sides of the boundary, month ends included."""
import datetime as dt

import pytest
import time_machine

from qualirepar.extensions import db
from qualirepar.repairs import services, states
from qualirepar.repairs.models import RepairOrder
from qualirepar.repairs.returns import normalise_serial, warranty_ends, within_warranty
from qualirepar.tenancy import as_shop

from .helpers import intake, repair_and_hand_back

D = dt.date


@pytest.mark.parametrize("handed_back,last_covered", [
    (D(2026, 1, 15), D(2026, 4, 15)),
    (D(2026, 11, 30), D(2027, 2, 28)),  # no 30 February: the month's last day
    (D(2027, 11, 30), D(2028, 2, 29)),  # leap year
    (D(2026, 8, 31), D(2026, 11, 30)),
    (D(2026, 12, 31), D(2027, 3, 31)),
])
def test_window_on_both_sides_of_the_boundary(handed_back, last_covered):
    assert warranty_ends(handed_back) == last_covered
    assert within_warranty(handed_back, handed_back)
    assert within_warranty(handed_back, last_covered)
    assert not within_warranty(handed_back, last_covered + dt.timedelta(days=1))


@pytest.mark.parametrize("raw,expected", [
    ("SN: 12-ab 34 5", "12AB345"), ("sn12ab345", "12AB345"), ("356938 035643 809", "356938035643809"),
    ("IMEI 356938035643809", "356938035643809"), ("", ""),
])
def test_serial_numbers_are_normalised(raw, expected):
    assert normalise_serial(raw) == expected


PARIS_NOON = dt.timezone(dt.timedelta(hours=1))


@pytest.mark.parametrize("intake_on,is_return", [(D(2027, 2, 28), True), (D(2027, 3, 1), False)])
def test_second_order_of_the_same_serial_is_a_return_until_the_last_day(ctx, intake_on, is_return):
    first = intake(intake_on=D(2026, 11, 2))
    repair_and_hand_back(first, dt.datetime(2026, 11, 30, 12, 0, tzinfo=PARIS_NOON))
    second = intake(serial_number="sn 12ab345", last_name="Autre", intake_on=intake_on)  # sold on: the serial decides
    assert (second.warranty_of_id == first.id) is is_return
    assert second.number != first.number


def test_without_serial_same_customer_product_and_brand(ctx):
    from qualirepar.catalog.loader import load_csv
    from qualirepar.catalog.models import ProductType

    load_csv()
    kettle = db.session.execute(db.select(ProductType.id).where(ProductType.name == "Bouilloire")).scalar_one()
    first = intake(serial_number="", product_type_id=kettle, intake_on=D(2026, 9, 1))
    repair_and_hand_back(first, dt.datetime(2026, 9, 10, 12, 0, tzinfo=PARIS_NOON))
    again = intake(serial_number="", product_type_id=kettle, customer_id=first.customer_id, intake_on=D(2026, 10, 1))
    other_brand = intake(serial_number="", product_type_id=kettle, customer_id=first.customer_id, brand_name="Moulinex",
                          intake_on=D(2026, 10, 2))
    assert again.warranty_of_id == first.id
    assert other_brand.warranty_of_id is None


def test_an_unrepaired_appliance_gives_no_warranty(ctx):
    first = intake(intake_on=D(2026, 9, 1))
    with time_machine.travel(dt.datetime(2026, 9, 5, 12, tzinfo=PARIS_NOON), tick=False):
        for action in ("start_diagnosis", "send_quote", "refuse_quote", "hand_back"):
            services.transition(first, action)
    assert intake(intake_on=D(2026, 9, 20)).warranty_of_id is None


def test_an_order_still_in_the_workshop_is_not_a_warranty_origin(ctx):
    intake(intake_on=D(2026, 9, 1))
    assert intake(intake_on=D(2026, 9, 2)).warranty_of_id is None


def test_unlinking_a_return_needs_a_reason_and_is_audited(ctx):
    from qualirepar.audit import AuditEntry

    first = intake(intake_on=D(2026, 9, 1))
    repair_and_hand_back(first, dt.datetime(2026, 9, 10, 12, tzinfo=PARIS_NOON))
    second = intake(intake_on=D(2026, 10, 1))
    with pytest.raises(states.RepairOrderError):
        services.unlink_return(second, "")
    services.unlink_return(second, "Autre panne, sans rapport avec la réparation de septembre")
    assert second.warranty_of_id is None
    entry = db.session.execute(db.select(AuditEntry).where(AuditEntry.entity == "repair_order", AuditEntry.entity_id == second.id,
                                                          AuditEntry.action == "updated")).scalars().all()[-1]
    assert entry.changes["warranty_of_id"] == [first.id, None]


def test_order_numbers_are_consecutive_per_year(ctx):
    numbers = [intake(intake_on=D(2026, 12, 31)).number, intake(intake_on=D(2026, 12, 31)).number, intake(intake_on=D(2027, 1, 1)).number]
    assert numbers == ["D-2026-00001", "D-2026-00002", "D-2027-00001"]


def test_search_by_name_phone_and_serial(ctx):
    order = intake(intake_on=D(2026, 9, 1))
    assert services.search_customers("mart")[0].id == order.customer_id
    assert services.search_customers("06 12 34")[0].id == order.customer_id
    assert services.search_orders("12ab345")[0].id == order.id
    assert services.search_orders("D-2026-00001")[0].id == order.id


@pytest.mark.parametrize("placeholder", ["N/A", "0000", "illisible", "xx", "inconnu"])
def test_placeholder_serials_link_nothing(ctx, placeholder):
    first = intake(serial_number=placeholder, intake_on=D(2026, 9, 1))
    repair_and_hand_back(first, dt.datetime(2026, 9, 10, 12, tzinfo=PARIS_NOON))
    other = intake(serial_number=placeholder, last_name="Dupont", phone="07 00 00 00 00", intake_on=D(2026, 10, 1))
    assert other.warranty_of_id is None


def test_the_same_household_typed_again_is_recognised_without_serial(ctx):
    from qualirepar.catalog.loader import load_csv
    from qualirepar.catalog.models import ProductType

    load_csv()
    kettle = db.session.execute(db.select(ProductType.id).where(ProductType.name == "Bouilloire")).scalar_one()
    first = intake(serial_number="illisible", product_type_id=kettle, intake_on=D(2026, 9, 1))
    repair_and_hand_back(first, dt.datetime(2026, 9, 10, 12, tzinfo=PARIS_NOON))
    again = intake(serial_number="illisible", product_type_id=kettle, intake_on=D(2026, 10, 1))  # a new customer record
    assert again.customer_id != first.customer_id and again.warranty_of_id == first.id


def test_setting_a_return_aside_from_its_page_keeps_the_reason_and_the_repair_it_came_from(app, shop, as_role):
    with app.test_request_context(), as_shop(shop.id):
        first = intake(intake_on=D(2026, 9, 1))
        repair_and_hand_back(first, dt.datetime(2026, 9, 10, 12, tzinfo=PARIS_NOON))
        second = intake(intake_on=D(2026, 10, 1))
        first_id, first_number, second_id = first.id, first.number, second.id
    client = as_role("technician")
    page = client.post(f"/dossiers/{second_id}/delier", data={"reason": "non"}, follow_redirects=True).get_data(as_text=True)
    assert "Quelques mots au moins." in page and 'data-testid="warranty-return"' in page  # still linked
    page = client.post(f"/dossiers/{second_id}/delier", data={"reason": "Chute, sans rapport avec la réparation"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Lien de garantie retiré." in page and 'data-testid="warranty-return"' not in page
    assert f"Lien de garantie avec le dossier {first_number} retiré : Chute, sans rapport avec la réparation" in page
    assert f'href="/dossiers/{first_id}"' in page
    with app.app_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, second_id)
        assert (order.warranty_of_id, order.warranty_unlinked_from_id) == (None, first_id)
