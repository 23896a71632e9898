"""A claim created at invoicing is sent by its job to the organism (the sandbox, over HTTP): create,
each attachment, submit; run again it sends nothing twice; what is missing or refused is kept on the
claim in French instead of being sent."""
import uuid

import pytest

from qualirepar.billing import invoices, quotes
from qualirepar.claims import submit, tasks
from qualirepar.claims.models import Claim
from qualirepar.core.queue import get_queue
from qualirepar.eco.sandbox.seed import DEMO
from qualirepar.extensions import db
from qualirepar.repairs.models import RepairOrder
from qualirepar.tenancy import as_shop

from .. import factories
from ..billing.helpers import STANDARD, quote_with, ready_to_invoice, washing_machine_order
from ..checklists.helpers import fill

LYON = DEMO["sites"][0]  # (name, ecosystem place id, Ecologic site id, postcode, city)


def _invoice(app, shop, site_fields, **order_fields):
    order_fields.setdefault("email", "lea@exemple.fr")
    site = factories.make_site(app, shop.id, **site_fields)
    order_id = washing_machine_order(app, shop.id, site_id=site, **order_fields)
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        fill(order, "checkin")  # the nameplate photo
        quote = quote_with(order, *STANDARD)
        quotes.set_repair_code(quote, "G12")
        ready_to_invoice(order, quote)  # accepted, repair marked done
        invoices.issue_invoice(order, quote, str(uuid.uuid4()), None)
        return db.session.execute(db.select(db.func.max(Claim.id))).scalar_one()  # the one just issued


def _claim(app, shop, claim_id) -> Claim:
    with app.app_context(), as_shop(shop.id):
        claim = db.session.get(Claim, claim_id)
        db.session.expunge(claim)
        return claim


def test_issuing_the_invoice_queues_the_claim_and_the_job_sends_it(app, shop, sandbox_accounts):
    claim_id = _invoice(app, shop, {"ecologic_site_id": LYON[2]}, symptom_code="111")
    assert _claim(app, shop, claim_id).status == "queued"
    with app.test_request_context():
        jobs = get_queue().jobs
        assert [j.func_name for j in jobs] == ["qualirepar.claims.tasks.submit_claim"] and jobs[0].args == (shop.id, claim_id)
        assert jobs[0].perform() == "submitted"  # what the worker runs
    claim = _claim(app, shop, claim_id)
    assert claim.external_id and claim.submitted_at and claim.last_error is None
    assert set(claim.attached) == {"invoice", "nameplate"}
    with app.test_request_context():
        assert tasks.submit_claim(shop.id, claim_id) == "submitted"  # run again: nothing sent twice
    from qualirepar.eco.models import EcoExchange

    with app.app_context(), as_shop(shop.id):
        creates = db.session.execute(db.select(EcoExchange).where(EcoExchange.path.contains("createclaim"))).scalars().all()
        assert len(creates) == 1


def test_a_claim_missing_something_is_not_sent(app, shop, sandbox_accounts):
    claim_id = _invoice(app, shop, {"ecologic_site_id": None})  # no site id, no symptom code
    with app.test_request_context():
        assert tasks.submit_claim(shop.id, claim_id) == "needs_attention"
    claim = _claim(app, shop, claim_id)
    assert claim.external_id is None
    assert "l'identifiant du lieu de réparation chez l'organisme" in claim.last_error and "code symptôme" in claim.last_error


def test_without_credentials_the_claim_waits_for_them(app, shop):
    claim_id = _invoice(app, shop, {"ecologic_site_id": LYON[2]}, symptom_code="111")
    with app.test_request_context():
        assert tasks.submit_claim(shop.id, claim_id) == "needs_attention"
    assert "Aucun identifiant Ecologic" in _claim(app, shop, claim_id).last_error


def test_a_transient_error_is_retried_from_the_step_reached(app, shop, sandbox_accounts, monkeypatch):
    from qualirepar.eco.ecologic import EcologicClient
    from qualirepar.eco.errors import TransientError
    from qualirepar.eco.models import EcoExchange

    claim_id = _invoice(app, shop, {"ecologic_site_id": LYON[2]}, symptom_code="111")
    real_attach, calls = EcologicClient.attach, {"n": 0}

    def flaky(self, external_id, attachment):
        calls["n"] += 1
        if calls["n"] == 2:
            raise TransientError("Ecologic ne répond pas", 503)
        return real_attach(self, external_id, attachment)

    monkeypatch.setattr(EcologicClient, "attach", flaky)
    with app.test_request_context(), as_shop(shop.id):
        claim = db.session.get(Claim, claim_id)
        with pytest.raises(TransientError):
            submit.submit(claim)  # RQ retries the job with back-off
        assert claim.status == "created" and len(claim.attached) == 1  # the first file is kept as sent
        assert submit.submit(claim) == "submitted"  # the retry goes on from there
        creates = db.session.execute(db.select(EcoExchange).where(EcoExchange.path.contains("createclaim"))).scalars().all()
        assert len(creates) == 1


def _send(app, shop, claim_id):
    with app.test_request_context():
        assert tasks.submit_claim(shop.id, claim_id) == "submitted"
    return _claim(app, shop, claim_id).external_id


def test_the_status_sync_follows_the_organism_to_payment(app, shop, sandbox_accounts, sandbox):
    import requests

    from qualirepar.claims.models import ClaimEvent

    claim_id = _invoice(app, shop, {"ecologic_site_id": LYON[2]}, symptom_code="111")
    external = _send(app, shop, claim_id)
    with app.test_request_context():
        assert tasks.poll_shop_claims(shop.id) == 0  # nothing new: under review
    sandbox.operator(requests, f"claims/ecologic/{external}/review")
    with app.test_request_context():
        assert tasks.poll_shop_claims(shop.id) == 1
    claim = _claim(app, shop, claim_id)
    assert claim.status == "accepted"  # Ecologic states no amount here: the statement (payments) will
    sandbox.operator(requests, "payments", claims=[["ecologic", external]], reference="VIR-ECL-1")
    with app.test_request_context():
        tasks.poll_shop_claims(shop.id)
    assert _claim(app, shop, claim_id).status == "paid"
    with app.app_context(), as_shop(shop.id):
        events = [e.status_after for e in db.session.execute(db.select(ClaimEvent).where(ClaimEvent.claim_id == claim_id)
                                                               .order_by(ClaimEvent.id)).scalars()]
    assert events == ["queued", "creating", "created", "submitted", "accepted", "paid"]


def test_a_rejection_comes_back_with_its_reason(app, shop, sandbox_accounts, sandbox):
    import requests

    claim_id = _invoice(app, shop, {"ecologic_site_id": LYON[2]}, symptom_code="111")
    external = _send(app, shop, claim_id)
    sandbox.operator(requests, f"claims/ecologic/{external}/reject", reason="07 : Impossible de lire la facture")
    with app.test_request_context():
        assert tasks.poll_shop_claims(shop.id) == 1
    claim = _claim(app, shop, claim_id)
    assert claim.status == "rejected" and "Impossible de lire la facture" in claim.last_error


def test_the_sweeper_requeues_a_claim_left_sending(app, shop, sandbox_accounts):
    import datetime as dt

    claim_id = _invoice(app, shop, {"ecologic_site_id": LYON[2]}, symptom_code="111")
    with app.test_request_context():
        get_queue().empty()  # the queue was lost (Redis restarted without its data)
        assert tasks.requeue_stuck_claims() == 0  # too recent: maybe a worker is on it
        with as_shop(shop.id):
            claim = db.session.get(Claim, claim_id)
            claim.step_at = claim.step_at - dt.timedelta(seconds=app.config["CLAIM_STUCK_AFTER_SECONDS"] + 60)
            db.session.commit()
        assert tasks.requeue_stuck_claims() == 1
        jobs = get_queue().jobs
        assert len(jobs) == 1 and jobs[0].perform() == "submitted"


@pytest.mark.parametrize("change,message", [
    ("warranty", "Retour sous garantie"),
    ("bonus", "diffère du barème au jour de la facture"),
    ("attachment", "Pièce jointe manquante : photo de la plaque signalétique."),
])
def test_the_preflight_keeps_a_bad_claim_in_the_shop(app, shop, sandbox_accounts, change, message):
    from qualirepar.claims import preflight

    claim_id = _invoice(app, shop, {"ecologic_site_id": LYON[2]}, symptom_code="111")
    with app.test_request_context(), as_shop(shop.id):
        claim = db.session.get(Claim, claim_id)
        assert preflight.check(claim) == []
        if change == "warranty":
            order = db.session.get(RepairOrder, claim.order_id)
            order.warranty_of_id = order.id  # linked as a return (any earlier order would do)
        elif change == "bonus":
            claim.bonus_amount = claim.bonus_amount + 5
        else:  # no photo of the plate anywhere on the order
            from qualirepar.checklists.models import ControlAnswer

            claim.attachments = {k: v for k, v in claim.attachments.items() if k != "nameplate"}
            for answer in db.session.execute(db.select(ControlAnswer).where(ControlAnswer.file_id.isnot(None))).scalars():
                answer.file_id = None
        db.session.commit()
        problems = preflight.check(claim)
        assert any(message in p.message for p in problems)
        assert all(p.fix for p in problems)  # each says where to fix it
        assert submit.submit(claim) == "needs_attention" and message in claim.last_error and claim.external_id is None


def test_a_photo_taken_after_the_invoice_joins_the_claim(app, shop, sandbox_accounts):
    import io

    from werkzeug.datastructures import FileStorage

    from qualirepar.checklists.models import ControlAnswer
    from qualirepar.repairs import photos

    from ..checklists.helpers import jpeg

    claim_id = _invoice(app, shop, {"ecologic_site_id": LYON[2]}, symptom_code="111")
    with app.test_request_context(), as_shop(shop.id):
        claim = db.session.get(Claim, claim_id)
        claim.attachments = {k: v for k, v in claim.attachments.items() if k != "nameplate"}
        for answer in db.session.execute(db.select(ControlAnswer).where(ControlAnswer.file_id.isnot(None))).scalars():
            answer.file_id = None
        db.session.commit()
        assert submit.submit(claim) == "needs_attention" and "photo de la plaque signalétique" in claim.last_error
        order = db.session.get(RepairOrder, claim.order_id)
        photos.add(order, [FileStorage(io.BytesIO(jpeg()), "plaque.jpg", content_type="image/jpeg")], "plaque")
        claim.status = "ready"
        db.session.commit()
        assert submit.submit(claim) == "submitted" and "nameplate" in claim.attached
        photo = photos.of(order)[0]
        with pytest.raises(photos.PhotoRefused, match="pièce jointe de la demande"):
            photos.remove(order, photo.photo.id)  # the claim's attachment is kept


def test_one_job_per_claim_and_a_cancelled_claim_is_not_created(app, shop, sandbox_accounts):
    import datetime as dt

    claim_id = _invoice(app, shop, {"ecologic_site_id": LYON[2]}, symptom_code="111")
    with app.test_request_context():
        with as_shop(shop.id):
            claim = db.session.get(Claim, claim_id)
            claim.step_at = claim.step_at - dt.timedelta(seconds=app.config["CLAIM_STUCK_AFTER_SECONDS"] + 60)
            db.session.commit()
        assert tasks.requeue_stuck_claims() == 0  # its job is still waiting: not doubled
        assert len(get_queue().jobs) == 1
        with as_shop(shop.id):
            claim = db.session.get(Claim, claim_id)
            assert claim.status == "queued"
            from sqlalchemy import update

            db.session.execute(update(Claim).where(Claim.id == claim_id).values(status="cancelled"))  # a credit note, meanwhile
            db.session.commit()
            db.session.expire_all()
            assert not submit._take(claim, "create", "queued")  # the job had read "queued": it does not go on
            assert db.session.get(Claim, claim_id).status == "cancelled" and claim.external_id is None
