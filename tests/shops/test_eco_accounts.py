"""Eco-organism credentials: encrypted at rest, never shown back, kept when left blank."""
import pytest

from qualirepar.audit import AuditEntry
from qualirepar.eco.models import EcoAccount
from qualirepar.extensions import db
from qualirepar.tenancy import as_shop

FORM = {"organism": "ecosystem", "ecosystem-environment": "sandbox", "ecosystem-login": "atelier42",
        "ecosystem-secret": "s3cret-ecosystem", "ecosystem-repairer_id": "R-42"}


def _account(app, shop_id):
    with app.app_context(), as_shop(shop_id):
        account = db.session.execute(db.select(EcoAccount)).scalar_one()
        return account, account.secret


def test_secret_is_encrypted_at_rest(app, as_role, shop):
    assert as_role("owner").post("/parametres/eco-organismes", data=FORM).status_code == 303
    account, secret = _account(app, shop.id)
    assert secret == "s3cret-ecosystem"
    assert "s3cret" not in account.secret_encrypted


def test_secret_is_never_shown_back(as_role):
    client = as_role("owner")
    client.post("/parametres/eco-organismes", data=FORM)
    assert "s3cret-ecosystem" not in client.get("/parametres/eco-organismes").get_data(as_text=True)


def test_blank_secret_keeps_the_stored_one(app, as_role, shop):
    client = as_role("owner")
    client.post("/parametres/eco-organismes", data=FORM)
    client.post("/parametres/eco-organismes", data={**FORM, "ecosystem-secret": "", "ecosystem-repairer_id": "R-43"})
    account, secret = _account(app, shop.id)
    assert (account.repairer_id, secret) == ("R-43", "s3cret-ecosystem")


@pytest.mark.parametrize("change", [{"ecosystem-login": "autre"}, {"ecosystem-environment": "production"},
                                    {"ecosystem-base_url": "https://ailleurs.example"}])
def test_the_stored_secret_never_follows_a_new_destination(app, as_role, shop, change):
    client = as_role("owner")
    client.post("/parametres/eco-organismes", data=FORM)
    resp = client.post("/parametres/eco-organismes", data={**FORM, "ecosystem-secret": "", **change})
    assert resp.status_code == 422 and "ressaisissez le mot de passe" in resp.get_data(as_text=True)
    account, _secret = _account(app, shop.id)
    assert (account.login, account.environment, account.base_url) == ("atelier42", "sandbox", None)


def test_a_custom_api_address_is_refused_where_not_allowed(app, as_role, monkeypatch):
    monkeypatch.setitem(app.config, "ECO_ALLOW_CUSTOM_URL", False)
    resp = as_role("owner").post("/parametres/eco-organismes", data={**FORM, "ecosystem-base_url": "http://169.254.169.254/"})
    assert resp.status_code == 422 and "pas d&#39;adresse d&#39;API personnalisée" in resp.get_data(as_text=True)


def test_audit_records_that_the_secret_changed_without_its_value(app, as_role, shop):
    as_role("owner").post("/parametres/eco-organismes", data=FORM)
    with app.app_context():
        entry = db.session.execute(db.select(AuditEntry).where(AuditEntry.entity == "eco_account")).scalar_one()
        assert entry.changes["secret_encrypted"] == [None, "•••"]


def test_invalid_url_is_explained(as_role):
    resp = as_role("owner").post("/parametres/eco-organismes", data={**FORM, "ecosystem-base_url": "pas une url"})
    assert resp.status_code == 422
    assert "Adresse web invalide." in resp.get_data(as_text=True)
