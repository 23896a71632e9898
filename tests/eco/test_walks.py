"""Both clients against the sandbox over real HTTP: login -> reference data -> partners ->
eligibility -> create -> attach three files -> submit -> status -> accepted -> paid."""
from decimal import Decimal

import requests

from .fixtures import attachments, ecologic_claim, ecosystem_claim


def test_ecosystem_full_walk(sandbox, ecosystem):
    ecosystem.check_credentials()
    catalog = ecosystem.catalog()
    phone = next(p for p in catalog.products if p.product_id == "3042")
    assert phone.name == "Téléphone portable" and phone.sheet_type == "INFO_TEL"
    assert any(a.amount == Decimal("25.0") for a in phone.amounts)
    assert {b.covered for b in catalog.brands} == {True, False}  # ecologic=true lists both organisms' brands
    laptop = next(p for p in catalog.products if p.name == "Ordinateur portable")
    assert Decimal("150") in [t.amount for t in laptop.thresholds]

    partners = ecosystem.partners()
    assert partners.repairer_ids == ["2000001"]
    assert {p.place_id for p in partners.places} == {"2000011", "2000012"}
    assert "INFO_TEL" in {s.type for s in partners.sheets}

    created = ecosystem.create_claim(ecosystem_claim())
    assert created.status == "draft" and created.status_text == "En cours de création"
    for attachment in attachments():
        ecosystem.attach(created.external_id, attachment)
    submitted = ecosystem.submit(created.external_id)
    assert submitted.status == "submitted" and submitted.service_order

    by_id = ecosystem.status(created.external_id)
    by_order = ecosystem.status(submitted.service_order)
    assert by_id.external_id == by_order.external_id == created.external_id
    assert {f["FileType"] for f in by_id.raw["AttachedFiles"]} == {"invoice", "serial_tag", "device_picture"}

    sandbox.operator(requests, f"claims/ecosystem/{created.external_id}/review")
    assert ecosystem.status(created.external_id).status == "accepted"
    payment = sandbox.operator(requests, "payments", claims=[["ecosystem", created.external_id]], reference="VIR-TEST-1")
    paid = ecosystem.status(created.external_id)
    assert paid.status == "paid" and paid.status_text == "Remboursement effectué"
    assert payment["total"] == "25.00"
    statement = requests.get(f"{sandbox.url}/_sandbox/payments/VIR-TEST-1.csv").text
    assert "F-2026-0001" in statement and "25,00" in statement

    assert [c.external_id for c in ecosystem.list_claims()] == [created.external_id]
    assert ecosystem.find_by_reference("F-2026-0001").external_id == created.external_id
    assert ecosystem.find_by_reference("F-inconnue") is None


def test_ecologic_full_walk(sandbox, ecologic):
    ecologic.check_credentials()
    catalog = ecologic.catalog()
    phone = next(p for p in catalog.products if p.product_id == "EEE.M6.060")
    assert "CAM" in [c.code for c in phone.repair_codes]
    assert any(c.code == "111" and c.label for c in phone.symptom_codes)
    assert any(b.name == "Apple" and b.brand_id == "1698" for b in catalog.brands)

    partners = ecologic.partners()
    assert {p.kind for p in partners.places} == {"repair", "deposit"}
    assert len([p for p in partners.places if p.kind == "repair"]) == 2

    eligibility = ecologic.eligibility("EEE.M6.060", "1698", ecologic_claim().repair_date, Decimal("119.00"), "CAM", "111")
    assert (eligibility.eligible, eligibility.amount, eligibility.organism_code) == (True, Decimal("25.0"), "44")

    created = ecologic.create_claim(ecologic_claim())
    assert created.status == "draft"
    assert [e.field for e in created.errors] == ["Files"]  # only the attachments are missing
    for attachment in attachments():
        ecologic.attach(created.external_id, attachment)
    assert ecologic.status(created.external_id).errors == []
    submitted = ecologic.submit(created.external_id)
    assert submitted.status == "submitted" and submitted.status_text == "En attente de validation administrateur"

    sandbox.operator(requests, f"claims/ecologic/{created.external_id}/review")
    assert ecologic.status(created.external_id).status_text == "Remboursement accepté"
    sandbox.operator(requests, "payments", claims=[["ecologic", created.external_id]])
    paid = ecologic.status(created.external_id)
    assert (paid.status, paid.status_text) == ("paid", "Clôturée")


def test_ecologic_routes_an_ecosystem_brand_to_ecosystem(ecologic):
    samsung = "50001"  # an ecosystem brand, listed by Ecologic with its own id
    result = ecologic.eligibility("EEE.M6.060", samsung, ecologic_claim().repair_date, Decimal("119.00"))
    assert result.organism_code == "45"


def test_payments_are_not_in_either_api(ecosystem, ecologic):
    import pytest

    from qualirepar.eco.errors import NotSupported

    for client in (ecosystem, ecologic):
        with pytest.raises(NotSupported):
            client.payments()
