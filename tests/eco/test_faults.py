"""Faults: transient errors retried where safe then reported as transient, a 401 renews the token
once, a malformed answer is a contract error, never a crash; every exchange is recorded, redacted."""
import pytest

from qualirepar.eco.ecologic import EcologicClient
from qualirepar.eco.ecosystem import EcosystemClient
from qualirepar.eco.errors import AuthError, ContractViolation, TransientError

from .fixtures import ecologic_claim, ecosystem_claim


def test_transient_errors_on_a_safe_call_are_retried(sandbox, ecosystem, exchanges):
    ecosystem.check_credentials()
    exchanges.clear()
    sandbox.faults.configure(queue=["error", "rate_limit"])
    assert ecosystem.partners().repairer_ids == ["2000001"]
    assert [e.status for e in exchanges] == [503, 429, 200]


def test_transient_errors_are_reported_once_retries_are_spent(sandbox, ecologic, exchanges):
    sandbox.faults.configure(queue=["error", "error", "error"])
    with pytest.raises(TransientError):
        ecologic.catalog()
    assert len(exchanges) == 3


def test_a_timeout_is_retried_on_a_safe_call(sandbox, ecologic, exchanges):
    sandbox.faults.configure(queue=["timeout"], timeout_seconds=2.0)
    assert ecologic.partners().places
    assert exchanges[0].status is None and "Timeout" in exchanges[0].error
    assert exchanges[-1].status == 200


@pytest.mark.parametrize("organism", ["ecosystem", "ecologic"])
def test_creating_a_claim_is_never_repeated_blindly(sandbox, ecosystem, ecologic, exchanges, organism):
    client, claim = (ecosystem, ecosystem_claim()) if organism == "ecosystem" else (ecologic, ecologic_claim())
    client.check_credentials()
    exchanges.clear()
    sandbox.faults.configure(queue=["error"], only="claim")
    with pytest.raises(TransientError):
        client.create_claim(claim)
    assert len(exchanges) == 1  # one attempt: the caller looks the claim up before trying again


def test_a_timeout_on_create_is_transient_and_the_claim_can_be_looked_up(sandbox, ecosystem):
    ecosystem.check_credentials()
    sandbox.faults.configure(queue=["timeout"], timeout_seconds=2.0, only="new_claim")
    with pytest.raises(TransientError):
        ecosystem.create_claim(ecosystem_claim())
    assert ecosystem.find_by_reference("F-2026-0001") is None  # the sandbox answered late and created nothing


def test_a_401_renews_the_token_once(sandbox, ecosystem, exchanges):
    ecosystem.tokens.set(ecosystem._token_key, "jeton-perime", 3600)
    assert ecosystem.catalog().products
    assert [(e.method, e.path, e.status) for e in exchanges] == [
        ("GET", "/catalog", 401), ("POST", "/login", 200), ("GET", "/catalog", 200)]


def test_wrong_credentials_are_an_auth_error(sandbox, ecosystem, ecologic):
    with pytest.raises(AuthError):
        EcosystemClient(ecosystem.t, "100001", "mauvais").check_credentials()
    with pytest.raises(AuthError):
        EcologicClient(ecologic.t, "00000000-0000-0000-0000-000000000000").check_credentials()


@pytest.mark.parametrize("organism", ["ecosystem", "ecologic"])
def test_a_malformed_answer_is_a_contract_violation(sandbox, ecosystem, ecologic, organism):
    client = ecosystem if organism == "ecosystem" else ecologic
    client.check_credentials()
    sandbox.faults.configure(queue=["malformed"])
    with pytest.raises(ContractViolation):
        client.partners()


def test_exchanges_are_recorded_without_personal_data(ecosystem, exchanges):
    ecosystem.create_claim(ecosystem_claim())
    login, create = exchanges[0], exchanges[-1]
    assert login.request_body == {"username": "•••", "password": "•••"}
    assert login.response_body["IdToken"] == "•••"
    customer = create.request_body["Customer"]
    assert customer["LastName"] == customer["Email"] == customer["PhoneNumber"] == "•••"
    assert customer["PostalCode"] == "69003"  # what is not personal stays readable
    assert create.status == 200 and create.duration_ms >= 0


def test_attachments_are_recorded_by_size_not_content(ecologic, exchanges):
    from .fixtures import attachments

    created = ecologic.create_claim(ecologic_claim())
    ecologic.attach(created.external_id, attachments()[0])
    assert exchanges[-1].request_body["FileContent"].startswith("<")


def test_fault_settings_are_validated(sandbox):
    with pytest.raises(ValueError):
        sandbox.faults.configure(queue=["meteor"])
    with pytest.raises(ValueError):
        sandbox.faults.configure(eruption_rate=1)


def test_a_cached_token_belongs_to_exact_credentials(sandbox, ecosystem):
    from qualirepar.eco.sandbox.seed import DEMO

    impostor = EcosystemClient(ecosystem.t, DEMO["username"], "devine", ecosystem.tokens)
    ecosystem.check_credentials()
    assert impostor._token_key != ecosystem._token_key
    with pytest.raises(AuthError):
        impostor.partners()


@pytest.mark.parametrize("typed,sent", [("+33 6 12 34 56 78", "0612345678"), ("0033612345678", "0612345678"),
                                        ("06.12.34.56.78", "0612345678")])
def test_phone_numbers_are_sent_as_ten_french_digits(typed, sent):
    from qualirepar.eco.ecosystem import french_phone

    assert french_phone(typed) == sent
