"""The four mentions of the e-invoicing reform (CGI ann. II art. 242 nonies A, I, as amended by décret
n° 2022-1299; application dates set by décret n° 2024-266 du 25 mars 2024)."""
import datetime as dt
from types import SimpleNamespace

import pytest

from qualirepar.einvoice import mentions

PRIVATE = {"title": "Mme", "last_name": "Martin", "first_name": "Léa", "street": "1 rue X", "postcode": "69003", "city": "Lyon"}
BUSINESS = {**PRIVATE, "kind": "business", "company": "Laverie du Parc SARL", "siren": "732829320",
            "billing": {"street": "10 avenue des Comptes", "postcode": "75008", "city": "Paris"}}


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context():
        yield


def _lines(*kinds):
    return [SimpleNamespace(kind=k) for k in kinds]


def test_décret_2024_266_mentions_compulsory_from_september_2027_for_a_small_shop():
    """Décret 2024-266: 1 Sept. 2026 for large companies and ETI, 1 Sept. 2027 for SMEs and micro-enterprises."""
    assert not mentions.mandatory_on(dt.date(2027, 8, 31))
    assert mentions.mandatory_on(dt.date(2027, 9, 1))
    assert mentions.mandatory_on(dt.date(2026, 9, 1), "large") and not mentions.mandatory_on(dt.date(2026, 8, 31), "large")


@pytest.mark.parametrize("kinds, nature, code", [
    (("labour", "diagnosis", "travel"), mentions.SERVICES, "S1"),
    (("part",), mentions.GOODS, "B1"),
    (("labour", "part"), mentions.BOTH, "M1"),
])
def test_art_242_nonies_a_nature_of_the_operations_from_the_line_kinds(kinds, nature, code):
    """Art. 242 nonies A: «exclusivement de livraisons de biens ou de prestations de services», or both."""
    found = mentions.for_invoice(PRIVATE, {}, _lines(*kinds), False)
    assert found.nature == nature and found.process_type == code
    assert found.nature_text.startswith("Opérations constituées")


def test_art_242_nonies_a_siren_of_a_business_customer_only():
    assert mentions.buyer_siren(BUSINESS) == "732829320"
    assert mentions.buyer_siren({**BUSINESS, "siren": None, "siret": "73282932000074"}) == "732829320"
    assert mentions.buyer_siren(PRIVATE) is None  # a private person has no SIREN
    assert mentions.buyer_siren({**PRIVATE, "siren": "732829320"}) is None  # old snapshots without kind: private


def test_art_242_nonies_a_delivery_address_is_the_home_repair_place_when_invoiced_elsewhere():
    place = mentions.delivery_address(BUSINESS, {"onsite": True})
    assert place == {"street": "1 rue X", "postcode": "69003", "city": "Lyon"}
    assert mentions.billing_address(BUSINESS)["city"] == "Paris"


@pytest.mark.parametrize("buyer, appliance", [
    (BUSINESS, {"onsite": False}),  # repaired at the shop: handed back at the counter, nothing delivered
    (PRIVATE, {"onsite": True}),  # invoiced at the address of the repair
    ({**BUSINESS, "billing": {"street": "1  RUE X", "postcode": "69003", "city": "lyon"}}, {"onsite": True}),  # the same, typed otherwise
    ({**BUSINESS, "billing": None}, {"onsite": True}),
])
def test_no_delivery_address_when_it_is_not_different(buyer, appliance):
    assert mentions.delivery_address(buyer, appliance) is None


def test_art_242_nonies_a_option_for_the_debits_only_when_the_shop_opted():
    assert mentions.for_invoice(PRIVATE, {}, _lines("labour"), True).option_debits_text == \
        "Option pour le paiement de la taxe d'après les débits"
    assert mentions.for_invoice(PRIVATE, {}, _lines("labour"), False).option_debits_text is None
