"""The app side: a shop's stored account becomes a client of the right provider; the owner tests
the connection; exchanges are stored for the shop; the health page sees the sandbox."""
import pytest

from qualirepar.eco.ecologic import EcologicClient
from qualirepar.eco.ecosystem import EcosystemClient
from qualirepar.eco.models import EcoAccount, EcoExchange
from qualirepar.eco.registry import base_url, client_for
from qualirepar.extensions import db
from qualirepar.tenancy import as_shop


def test_registry_builds_each_provider_with_its_url(app, shop, sandbox_accounts, sandbox):
    with app.app_context(), as_shop(shop.id):
        accounts = {a.organism: a for a in db.session.execute(db.select(EcoAccount)).scalars()}
        assert isinstance(client_for(accounts["ecosystem"]), EcosystemClient)
        assert isinstance(client_for(accounts["ecologic"]), EcologicClient)
        assert base_url(accounts["ecologic"]) == sandbox.url + "/ecologic/api/v1/ecosupport/"
        accounts["ecosystem"].environment = "production"
        assert base_url(accounts["ecosystem"]) == "https://prod-api-reparateurs.ecosystem.eco"
        db.session.rollback()


@pytest.mark.parametrize("organism,words", [("ecosystem", "Connexion ecosystem réussie : 2 lieu(x)"),
                                            ("ecologic", "Connexion Ecologic réussie : 4 lieu(x)")])
def test_owner_tests_the_connection(app, as_role, shop, sandbox_accounts, organism, words):
    resp = as_role("owner").post(f"/parametres/eco-organismes/{organism}/tester", follow_redirects=True)
    assert words in resp.get_data(as_text=True)
    with app.app_context(), as_shop(shop.id):
        rows = db.session.execute(db.select(EcoExchange)).scalars().all()
        assert rows and all(r.organism == organism for r in rows)


def test_refused_credentials_are_explained(app, as_role, shop, sandbox_accounts):
    with app.app_context(), as_shop(shop.id):
        account = db.session.execute(db.select(EcoAccount).where(EcoAccount.organism == "ecologic")).scalar_one()
        account.secret = "00000000-0000-0000-0000-00000000dead"
        db.session.commit()
    resp = as_role("owner").post("/parametres/eco-organismes/ecologic/tester", follow_redirects=True)
    assert "Ecologic refuse les identifiants enregistrés." in resp.get_data(as_text=True)


def test_an_unreachable_organism_is_explained(app, as_role, shop, sandbox_accounts, monkeypatch):
    monkeypatch.setitem(app.config, "ECO_SANDBOX_URL", "http://127.0.0.1:9")
    resp = as_role("owner").post("/parametres/eco-organismes/ecosystem/tester", follow_redirects=True)
    assert "ne répond pas pour l" in resp.get_data(as_text=True)


def test_health_page_shows_the_sandbox_reachable(as_role, sandbox_accounts):
    data = as_role("owner").get("/sante/", headers={"Accept": "application/json"}).get_json()
    assert data["Bac à sable des éco-organismes"]["ok"] is True
