"""The rejection workbench: a refused claim shows why, pointed at the field or file; the allowed
fields are corrected in place, files replaced, and the claim sent again through the organism's
update call; its history stays. And the notifications the support users get on the way."""
import io

import pytest
import requests

from qualirepar import mail
from qualirepar.claims import submit, tasks, workbench
from qualirepar.claims.models import Claim, ClaimEvent, Notification
from qualirepar.core.queue import get_queue
from qualirepar.extensions import db
from qualirepar.tenancy import as_shop

from .test_submission import LYON, _claim, _invoice, _send

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _rejected(app, shop, sandbox, reason="07 : Impossible de lire la facture"):
    claim_id = _invoice(app, shop, {"ecologic_site_id": LYON[2]}, symptom_code="111")
    external = _send(app, shop, claim_id)
    sandbox.operator(requests, f"claims/ecologic/{external}/reject", reason=reason)
    with app.test_request_context():
        assert tasks.poll_shop_claims(shop.id) == 1
    return claim_id, external


def _sandbox_claim(sandbox, external):
    rows = requests.get(f"{sandbox.url}/_sandbox/", headers={"Accept": "application/json"}).json()["claims"]
    return [r for r in rows if r["organism"] == "ecologic" and r["id"] == external]


def test_the_reason_points_at_what_to_fix(app, shop, sandbox_accounts, sandbox):
    claim_id, _ext = _rejected(app, shop, sandbox, "15 : Plaque signalétique du téléphone portable manquant")
    with app.test_request_context(), as_shop(shop.id):
        hints = workbench.hints(db.session.get(Claim, claim_id))
    assert [(h.reason, h.files) for h in hints] == [("15", ("nameplate",))] and "serial_number" in hints[0].fields


def test_a_rejected_claim_is_corrected_in_place_and_sent_again_once(app, shop, sandbox_accounts, sandbox, as_role):
    claim_id, external = _rejected(app, shop, sandbox)
    client = as_role("support")
    page = client.get(f"/demandes/{claim_id}").get_data(as_text=True)
    assert 'data-testid="workbench"' in page and "La facture est illisible" in page
    assert 'name="repair_code" value="G12"' in page and 'name="customer.email" value="lea@exemple.fr"' in page  # as sent

    resp = client.post(f"/demandes/{claim_id}/corriger", data={"serial_number": "SN-CORRIGE-42", "customer.email": "lea@exemple.fr"})
    assert resp.status_code == 303
    resp = client.post(f"/demandes/{claim_id}/pieces/invoice", data={"file": (io.BytesIO(PDF), "facture-nette.pdf")},
                       content_type="multipart/form-data")
    assert resp.status_code == 303
    claim = _claim(app, shop, claim_id)
    assert claim.corrections == {"serial_number": "SN-CORRIGE-42"} and claim.update_pending
    assert "invoice" not in claim.attached  # the new file leaves at the next sending

    assert client.post(f"/demandes/{claim_id}/renvoyer").status_code == 303
    with app.test_request_context():
        jobs = get_queue().jobs
        assert [j.id for j in jobs] == [f"claim-submit-{claim_id}"] and jobs[0].perform() == "submitted"
    claim = _claim(app, shop, claim_id)
    assert claim.external_id == external and not claim.update_pending and "invoice" in claim.attached
    at_sandbox = _sandbox_claim(sandbox, external)
    assert len(at_sandbox) == 1 and at_sandbox[0]["state"] == "submitted"
    assert at_sandbox[0]["files"].count("INVOICE") == 2  # the first one and its replacement
    with app.app_context(), as_shop(shop.id):
        texts = [e.text or "" for e in db.session.execute(db.select(ClaimEvent).where(ClaimEvent.claim_id == claim_id)
                                                          .order_by(ClaimEvent.id)).scalars()]
        from qualirepar.eco.models import EcoExchange

        paths = [x.path for x in db.session.execute(db.select(EcoExchange).where(EcoExchange.claim_id == claim_id)
                                                    .order_by(EcoExchange.id)).scalars()]
    assert any("Impossible de lire la facture" in t for t in texts)  # the history stays
    assert any("Numéro de série / IMEI : « " in t and "SN-CORRIGE-42" in t for t in texts)
    assert any("Pièce remplacée : facture (facture-nette.pdf)" in t for t in texts)
    assert sum("createclaim" in p for p in paths) == 1 and sum("updateclaim" in p for p in paths) == 1


@pytest.mark.parametrize("data,message", [
    ({"customer.email": "pas-un-email"}, "Adresse e-mail invalide."),
    ({"purchase_date": "2999-01-01"}, "La date d'achat ne peut pas être dans le futur."),
    ({"purchase_date": "31/02/2024"}, "Date d'achat invalide"),
    ({"serial_number": "  "}, "Le numéro de série ne peut pas être vide."),
    ({"customer.phone": "12"}, "Numéro de téléphone français attendu"),
])
def test_a_bad_correction_is_refused_in_french_and_nothing_is_saved(app, shop, sandbox_accounts, sandbox, as_role, data, message):
    claim_id, _ext = _rejected(app, shop, sandbox)
    client = as_role("support")
    html = client.post(f"/demandes/{claim_id}/corriger", data={"serial_number": "SN-NOUVEAU", **data},
                       follow_redirects=True).get_data(as_text=True)
    assert message in html.replace("&#39;", "'")
    assert _claim(app, shop, claim_id).corrections == {}


def test_a_replacement_file_is_checked_by_content(app, shop, sandbox_accounts, sandbox, as_role):
    claim_id, _ext = _rejected(app, shop, sandbox)
    client = as_role("support")
    html = client.post(f"/demandes/{claim_id}/pieces/invoice", data={"file": (io.BytesIO(b"MZ\x90\x00 pas un pdf"), "facture.pdf")},
                       content_type="multipart/form-data", follow_redirects=True).get_data(as_text=True)
    assert "Type de fichier refusé" in html
    assert "invoice" in _claim(app, shop, claim_id).attached  # the sent one stays as it was


def test_a_claim_on_its_way_is_not_touched(app, shop, sandbox_accounts, sandbox):
    claim_id = _invoice(app, shop, {"ecologic_site_id": LYON[2]}, symptom_code="111")
    _send(app, shop, claim_id)
    with app.test_request_context(), as_shop(shop.id):
        claim = db.session.get(Claim, claim_id)
        with pytest.raises(workbench.WorkbenchError, match="pas à corriger"):
            workbench.correct(claim, {"serial_number": "X"})
        with pytest.raises(workbench.WorkbenchError, match="pas à renvoyer"):
            workbench.resubmit(claim)


def test_support_users_are_notified_in_the_app_and_by_email_if_they_chose_it(app, shop, sandbox_accounts, sandbox, as_role):
    from qualirepar.shops.models import User

    with app.app_context(), as_shop(shop.id):
        db.session.get(User, shop.users["support"].id).notify_by_email = True
        db.session.commit()
    mail.outbox.clear()
    claim_id, _ext = _rejected(app, shop, sandbox)
    with app.app_context(), as_shop(shop.id):
        rows = db.session.execute(db.select(Notification)).scalars().all()
    assert [r.user_id for r in rows] == [shop.users["support"].id]  # the support user, not the owner nor the technician
    assert "refusée" in rows[0].text and rows[0].link == f"/demandes/{claim_id}"
    assert [m["To"] for m in mail.outbox] == [shop.emails["support"]] and "refusée" in mail.outbox[0]["Subject"]
    client = as_role("support")
    html = client.get("/notifications/").get_data(as_text=True)
    assert 'data-testid="unread-count">1<' in html and "Impossible de lire la facture" in html
    client.post("/notifications/lues")
    assert 'data-testid="unread-count"' not in client.get("/notifications/").get_data(as_text=True)


def test_a_rejected_ecosystem_claim_is_filed_again_as_a_new_claim(app, shop, sandbox_accounts, sandbox, as_role):
    """ecosystem has no update call: the corrected claim is a new one; the refused one stays in the
    history, and the lookup after an unknown outcome does not take it for the new one."""
    from .test_reliability import at_sandbox, issue_claims, link_ecosystem

    link_ecosystem(app, sandbox)
    (claim_id, number), = issue_claims(app, shop.id, ["ecosystem"]).items()
    with app.test_request_context():
        assert tasks.submit_claim(shop.id, claim_id) == "submitted"
    first = _claim(app, shop, claim_id).external_id
    sandbox.operator(requests, f"claims/ecosystem/{first}/reject", reason="15 : Plaque signalétique du téléphone portable manquant")
    with app.test_request_context():
        assert tasks.poll_shop_claims(shop.id) == 1
    client = as_role("support")
    client.post(f"/demandes/{claim_id}/pieces/nameplate", data={"file": (io.BytesIO(PDF), "plaque.pdf")}, content_type="multipart/form-data")
    html = client.post(f"/demandes/{claim_id}/renvoyer", follow_redirects=True).get_data(as_text=True)
    assert "Une nouvelle demande sera déposée" in html
    claim = _claim(app, shop, claim_id)
    assert claim.previous_ids == [first] and claim.external_id is None and claim.attached == []
    with app.test_request_context(), as_shop(shop.id):
        claim = db.session.get(Claim, claim_id)
        claim.status = "creating"  # as if the create's answer had been lost: the lookup must not find the refused one
        db.session.commit()
        from qualirepar.eco.models import EcoAccount
        from qualirepar.eco.registry import client_for

        eco = client_for(db.session.execute(db.select(EcoAccount).where(EcoAccount.organism == "ecosystem")).scalar_one())
        assert eco.find_by_reference(number, exclude=(first,)) is None
        assert submit.submit(claim) == "submitted"
        second = claim.external_id
    assert second != first
    rows = [r for r in at_sandbox(sandbox) if r["reference"] == number]
    assert sorted((r["id"], r["state"]) for r in rows) == sorted([(first, "rejected"), (second, "submitted")])
