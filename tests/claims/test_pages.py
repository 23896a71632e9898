"""The claims screens: the list and its filters, a claim kept in the shop with what to fix and
where, sent once fixed, followed to acceptance; technicians do not see them, other shops not at all."""
import html

import requests

from qualirepar.claims import tasks
from qualirepar.claims.models import Claim
from qualirepar.extensions import db
from qualirepar.shops.models import RepairSite
from qualirepar.tenancy import as_shop

from .. import factories
from .test_submission import LYON, _claim, _invoice


def _page(resp) -> str:
    return html.unescape(resp.get_data(as_text=True)).replace("\u00a0", " ").replace("\u202f", " ")


def test_a_claim_is_fixed_sent_and_followed(app, shop, sandbox_accounts, sandbox):
    claim_id = _invoice(app, shop, {"ecologic_site_id": None}, symptom_code="111")
    with app.test_request_context():
        assert tasks.submit_claim(shop.id, claim_id) == "needs_attention"
    support = factories.login_client(app, shop.emails["support"])
    listing = _page(support.get("/demandes/?statut=needs_attention"))
    assert "à corriger" in listing and "50,00 €" in listing
    assert "Aucune demande." in _page(support.get("/demandes/?statut=paid"))
    page = _page(support.get(f"/demandes/{claim_id}"))
    assert "Il manque l'identifiant du lieu de réparation chez l'organisme." in page and "/parametres/lieux" in page
    refused = support.post(f"/demandes/{claim_id}/envoyer", follow_redirects=True)
    assert "Pas encore" in _page(refused)
    with app.app_context(), as_shop(shop.id):
        db.session.execute(db.select(RepairSite)).scalar_one().ecologic_site_id = LYON[2]
        db.session.commit()
    assert support.post(f"/demandes/{claim_id}/envoyer").status_code == 303
    assert _claim(app, shop, claim_id).status == "queued"
    with app.test_request_context():
        from qualirepar.core.queue import get_queue

        assert get_queue().jobs[-1].perform() == "submitted"
    external = _claim(app, shop, claim_id).external_id
    sandbox.operator(requests, f"claims/ecologic/{external}/review")
    resp = support.post(f"/demandes/{claim_id}/actualiser", follow_redirects=True)
    assert "Statut mis à jour : acceptée, paiement attendu." in _page(resp)
    page = _page(support.get(f"/demandes/{claim_id}"))
    assert "Remboursement accepté" in page and "createclaim" in page  # the timeline and the exchanges


def test_who_sees_the_claims(app, shop):
    claim_id = _invoice(app, shop, {"ecologic_site_id": LYON[2]}, symptom_code="111")
    tech = factories.login_client(app, shop.emails["technician"])
    assert tech.get("/demandes/").status_code == 403 and tech.get(f"/demandes/{claim_id}").status_code == 403
    other = factories.make_shop(app)
    stranger = factories.login_client(app, factories.make_user(app, other, "owner").email)
    assert stranger.get(f"/demandes/{claim_id}").status_code == 404
    assert stranger.post(f"/demandes/{claim_id}/envoyer").status_code == 404
    assert "Aucune demande." in _page(stranger.get("/demandes/"))
    with app.app_context(), as_shop(shop.id):
        assert db.session.get(Claim, claim_id).status == "queued"
