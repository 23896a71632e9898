"""The sandbox refuses what the organisms refuse, in their error shapes; the clients turn each
refusal into a typed error that names the field."""
import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
import requests

from qualirepar.eco.errors import EcoError, ValidationFailed
from qualirepar.eco.types import Attachment

from .fixtures import OTHER_SITE, attachments, customer, ecologic_claim, ecosystem_claim, pdf_bytes


def _refused(client, claim):
    with pytest.raises(ValidationFailed) as info:
        client.create_claim(claim)
    return info.value


# --- ecosystem: refused at creation (HTTP 400, {"error": {...}}) ------------------------------------
@pytest.mark.parametrize("claim,code,field", [
    (ecosystem_claim(customer=customer(email=None)), "ERREUR_DE_PAYLOAD", "Email"),
    (ecosystem_claim(repair_code=None), "ERREUR_DE_PAYLOAD", "RepairTypeCode"),
    (ecosystem_claim(brand_id="0000"), "ERREUR_DE_PAYLOAD", "PartnerProduct"),
    (ecosystem_claim(product_id="9999"), "DONNEES_INVALIDES", "ProductID"),
    (ecosystem_claim(brand_id="1101"), "MARQUE_INCONNUE_INVALIDE", "BrandID"),  # an Ecologic brand
    (ecosystem_claim(product_id="3048", repair_date=dt.date(2023, 6, 1)), "DATE_REPARATION_INVALIDE", "ProductID"),
    (ecosystem_claim(site_id=OTHER_SITE[1]), "DONNEES_INVALIDES", "RepairPlaceID"),
    (ecosystem_claim(repair_code="ZZZ"), "DONNEES_INVALIDES", "RepairTypeCode"),
    (ecosystem_claim(product_id="3025", repair_code="R01"), "DONNEES_INVALIDES", ""),  # camera: PHOTO sheet not held
])
def test_ecosystem_refuses_bad_claims_naming_the_field(ecosystem, claim, code, field):
    error = _refused(ecosystem, claim)
    assert error.code == code and error.status == 400
    if field:
        assert error.errors[0].field == field


def test_ecosystem_schema_is_strict(ecosystem, sandbox):
    body = ecosystem.claim_body(ecosystem_claim())
    body["SparePartsDescription"] = "écran"
    resp = ecosystem._call("POST", "/reimbursement-claims/new_claim", safe=False, json_body=body)
    assert resp.status_code == 400
    assert resp.json()["error"] == {"code": 400, "status": "ERREUR_DE_PAYLOAD",
                                    "message": "Additional properties are not allowed ('SparePartsDescription' was unexpected)"}


def test_ecosystem_confirm_without_invoice_names_the_missing_file(ecosystem):
    created = ecosystem.create_claim(ecosystem_claim())
    with pytest.raises(ValidationFailed) as info:
        ecosystem.submit(created.external_id)
    assert info.value.code == "PIECE_JOINTE_MANQUANTE"
    assert info.value.errors[0].field == "AttachedFiles.invoice"


def test_ecosystem_refuses_a_second_file_of_the_same_type_and_the_client_takes_it_as_attached(ecosystem, exchanges):
    """A retry after a lost answer sends the file again: the refusal means it is already there."""
    created = ecosystem.create_claim(ecosystem_claim())
    invoice = attachments()[0]
    ecosystem.attach(created.external_id, invoice)
    ecosystem.attach(created.external_id, invoice)  # no error
    last = exchanges[-1]
    assert last.status == 400 and last.response_body["error"]["status"] == "TYPE_DE_FICHIER_EXISTANT"


def test_ecosystem_refuses_oversized_and_non_document_files(ecosystem):
    created = ecosystem.create_claim(ecosystem_claim())
    big = Attachment("invoice", "facture.pdf", "application/pdf", b"%PDF-" + b"0" * (11 * 1024 * 1024))
    with pytest.raises(ValidationFailed) as info:
        ecosystem.attach(created.external_id, big)
    assert info.value.code == "FICHIER_TROP_VOLUMINEUX"
    with pytest.raises(EcoError) as info:
        ecosystem.attach(created.external_id, Attachment("invoice", "facture.pdf", "application/pdf", b"pas un pdf"))
    assert info.value.status == 400


@pytest.mark.parametrize("overrides,reason", [
    ({"bonus": Decimal("30.00")}, "06 : Bonus incorrect"),
    ({"product_id": "3047", "repair_code": "R01", "total_incl_vat": Decimal("120.00"), "bonus": Decimal("50.00")}, "Seuil de déclenchement"),
    ({"total_incl_vat": Decimal("20.00"), "bonus": Decimal("25.00")}, "supérieur au montant TTC"),
])
def test_ecosystem_review_rejects_wrong_amounts(sandbox, ecosystem, overrides, reason):
    created = ecosystem.create_claim(ecosystem_claim(**overrides))
    for attachment in attachments():
        ecosystem.attach(created.external_id, attachment)
    ecosystem.submit(created.external_id)
    sandbox.operator(requests, f"claims/ecosystem/{created.external_id}/review")
    state = ecosystem.status(created.external_id)
    assert state.status == "rejected" and reason in state.reject_reason


def test_ecosystem_review_rejects_a_missing_nameplate_on_a_phone(sandbox, ecosystem):
    created = ecosystem.create_claim(ecosystem_claim())
    ecosystem.attach(created.external_id, attachments()[0])
    ecosystem.submit(created.external_id)
    sandbox.operator(requests, f"claims/ecosystem/{created.external_id}/review")
    assert ecosystem.status(created.external_id).reject_reason.startswith("15 : Plaque signalétique")


def test_ecosystem_draft_can_be_deleted_but_not_a_confirmed_claim(ecosystem):
    draft = ecosystem.create_claim(ecosystem_claim())
    ecosystem.delete_draft(draft.external_id)
    assert ecosystem.list_claims() == []
    sent = ecosystem.create_claim(ecosystem_claim())
    ecosystem.attach(sent.external_id, attachments()[0])
    ecosystem.submit(sent.external_id)
    with pytest.raises(ValidationFailed):
        ecosystem.delete_draft(sent.external_id)


def test_ecosystem_claims_of_another_repairer_are_not_found(sandbox, ecosystem):
    from qualirepar.eco.ecosystem import EcosystemClient
    from qualirepar.eco.errors import NotFound
    from qualirepar.eco.sandbox.seed import OTHER

    created = ecosystem.create_claim(ecosystem_claim())
    other = EcosystemClient(ecosystem.t, OTHER["username"], OTHER["password"])
    with pytest.raises(NotFound):
        other.status(created.external_id)


# --- Ecologic: created with ValidationErrors (HTTP 206), or refused (400) --------------------------
@pytest.mark.parametrize("claim,field,words", [
    (ecologic_claim(customer=customer(email=None)), "Consumer.Email", "obligatoire"),
    (ecologic_claim(brand_id="50001"), "Product.BrandId", "couverte par ecosystem"),
    (ecologic_claim(repair_code="ZZZ"), "Product.IRISSection", "code panne non valide"),
    (ecologic_claim(symptom_code="999"), "Product.IRISSymptom", "non valide"),
    (ecologic_claim(bonus=Decimal("30.00")), "Quote.SupportAmount", "Bonus incorrect"),
    (ecologic_claim(product_id="EEE.M2.044", repair_code="CAM", total_incl_vat=Decimal("100.00"), bonus=Decimal("50.00")),
     "Quote.SupportAmount", "Seuil de déclenchement"),
    (ecologic_claim(serial_number=""), "Product.SerialNumber", "obligatoire"),
])
def test_ecologic_lists_what_is_wrong_by_field(ecologic, claim, field, words):
    state = ecologic.create_claim(claim)
    matching = [e for e in state.errors if e.field == field]
    assert matching and words in matching[0].message and matching[0].blocking


def test_ecologic_requires_consumer_validation_without_auto_validation(ecologic):
    state = ecologic.create_claim(ecologic_claim(auto_validation=False))
    for attachment in attachments():
        ecologic.attach(state.external_id, attachment)
    errors = ecologic.status(state.external_id).errors
    assert [e.field for e in errors] == ["Files"] and "validation du consommateur" in errors[0].message
    ecologic.attach(state.external_id, Attachment("consumer_validation", "validation.pdf", "application/pdf", pdf_bytes()))
    assert ecologic.status(state.external_id).errors == []


def test_ecologic_refuses_a_reused_invoice_number_and_serial(ecologic):
    first = ecologic.create_claim(ecologic_claim())
    for attachment in attachments():
        ecologic.attach(first.external_id, attachment)
    ecologic.submit(first.external_id)
    second = ecologic.create_claim(ecologic_claim())
    fields = {e.field for e in second.errors}
    assert {"ConsumerInvoiceNumber", "Product.SerialNumber"} <= fields


def test_ecologic_refuses_a_site_of_another_repairer(ecologic):
    error = _refused(ecologic, ecologic_claim(site_id=OTHER_SITE[2]))
    assert error.status == 400 and "inconnu pour ce compte" in error.message


@pytest.mark.parametrize("attachment,words", [
    (Attachment("invoice", "facture.gif", "image/gif", b"GIF89a"), "Extension"),
    (Attachment("invoice", "facture.pdf", "application/pdf", b"pas un pdf"), "ne correspond pas"),
    (Attachment("nameplate", "plaque.png", "image/png", b"%PDF-" + b"0" * (11 * 1024 * 1024)), "ne correspond pas"),
])
def test_ecologic_refuses_bad_files(ecologic, attachment, words):
    created = ecologic.create_claim(ecologic_claim())
    with pytest.raises(ValidationFailed) as info:
        ecologic.attach(created.external_id, attachment)
    assert words in info.value.message


def test_ecologic_submit_with_remaining_errors_stays_incomplete(ecologic):
    created = ecologic.create_claim(ecologic_claim())
    state = ecologic.submit(created.external_id)
    assert state.status == "incomplete" and state.status_text == "Dossier incomplet"
    assert state.errors and state.errors[0].field == "Files"


def test_ecologic_rejected_claim_is_fixed_by_update_and_resubmitted(sandbox, ecologic):
    created = ecologic.create_claim(ecologic_claim())
    for attachment in attachments():
        ecologic.attach(created.external_id, attachment)
    ecologic.submit(created.external_id)
    sandbox.operator(requests, f"claims/ecologic/{created.external_id}/reject", reason="07 : Impossible de lire la facture")
    rejected = ecologic.status(created.external_id)
    assert rejected.status == "rejected" and rejected.reject_reason == "07 : Impossible de lire la facture"
    fixed = dataclasses.replace(ecologic_claim(), commercial_reference="iPhone 12")
    resubmitted = ecologic.update_claim(created.external_id, fixed, submit=True)
    assert resubmitted.status == "submitted"


def test_ecologic_unknown_claim_is_not_found(ecologic):
    from qualirepar.eco.errors import NotFound

    with pytest.raises(NotFound):
        ecologic.status("987654")


def test_ecologic_calculation_explains_ineligibility(ecologic):
    result = ecologic.eligibility("EEE.M2.044", "1698", ecologic_claim().repair_date, Decimal("100.00"))
    assert not result.eligible and "Seuil" in result.reasons[0]


def test_ecologic_paths_and_parameters_are_case_insensitive(sandbox, ecologic):
    created = ecologic.create_claim(ecologic_claim())
    resp = requests.get(f"{sandbox.url}/ecologic/api/v1/ecosupport/getclaimstatus", params={"claimId": created.external_id},
                        headers={"api_key": ecologic.api_key})
    assert resp.status_code == 200 and resp.json()["ResponseData"]["ClaimId"] == int(created.external_id)
