"""Eco-organism credentials: encrypted at rest, never shown back, kept when left blank."""
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
    client.post("/parametres/eco-organismes", data={**FORM, "ecosystem-secret": "", "ecosystem-login": "autre"})
    account, secret = _account(app, shop.id)
    assert (account.login, secret) == ("autre", "s3cret-ecosystem")


def test_audit_records_that_the_secret_changed_without_its_value(app, as_role, shop):
    as_role("owner").post("/parametres/eco-organismes", data=FORM)
    with app.app_context():
        entry = db.session.execute(db.select(AuditEntry).where(AuditEntry.entity == "eco_account")).scalar_one()
        assert entry.changes["secret_encrypted"] == [None, "•••"]


def test_invalid_url_is_explained(as_role):
    resp = as_role("owner").post("/parametres/eco-organismes", data={**FORM, "ecosystem-base_url": "pas une url"})
    assert resp.status_code == 422
    assert "Adresse web invalide." in resp.get_data(as_text=True)
