"""Sending a claim to its organism: pre-flight, create, attach each file, submit. Each step is
written on the claim before the next one starts, so a job run again (a retry, a dead worker)
carries on where the last one stopped and never creates the claim twice at the organism.

States: ready (row written, nothing sent) → queued → creating (create sent, answer not yet kept)
→ created → submitted; needs_attention when the organism refuses the content or the pre-flight
finds something missing; cancelled by a credit note.
"""
from __future__ import annotations

from flask import g
from flask_babel import gettext as _
from rq import Retry

from ..audit import note, utcnow
from ..eco import errors
from ..eco.models import ORGANISMS, EcoAccount
from ..eco.registry import ExchangeLog, client_for
from ..eco.types import Attachment
from ..extensions import db
from ..files.models import StoredFile
from ..files.storage import get_storage
from ..jobs import enqueue
from ..tenancy import as_shop
from . import payload as payloads
from . import preflight
from ..repairs.models import RepairOrder
from .models import AT_ORGANISM, SENDING, Claim, ClaimEvent

RETRY = Retry(max=5, interval=[10, 30, 120, 600, 1800])  # transient errors: back off, then the sweeper (claims issue)
OPEN = SENDING
STUCK_AFTER_MINUTES = 10  # a claim still sending after this was left by a dead worker or a lost queue


def set_status(claim: Claim, status: str, text: str | None = None) -> None:
    """Every change of a claim's status is an event of its timeline."""
    if status != claim.status or text:
        db.session.add(ClaimEvent(claim_id=claim.id, status_before=claim.status, status_after=status, text=text))
    claim.status, claim.step_at = status, utcnow()


def _queue_job(shop_id: int, claim_id: int) -> bool:
    """One job per claim at a time: its id is the claim's, and a job still waiting or running is not doubled."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    from ..jobs import get_queue

    job_id = f"claim-submit-{claim_id}"
    try:
        job = Job.fetch(job_id, connection=get_queue().connection)
        if job.get_status(refresh=True) in ("queued", "started", "deferred", "scheduled"):
            return False
    except NoSuchJobError:
        pass
    enqueue(submit_job, shop_id, claim_id, job_id=job_id, retry=RETRY, job_timeout=300)
    return True


def enqueue_submission(claim: Claim) -> None:
    """After the claim row is committed: queue its submission (the row holds the state, not the job)."""
    set_status(claim, "queued")
    db.session.commit()
    _queue_job(claim.shop_id, claim.id)


def _take(claim: Claim, expected: str, status: str) -> bool:
    """Move the claim from `expected` to `status` only if no one else moved it meanwhile (a credit
    note, another job): one conditional UPDATE, so two runners never both take the same step."""
    from sqlalchemy import update

    result = db.session.execute(update(Claim).where(Claim.id == claim.id, Claim.shop_id == claim.shop_id, Claim.status == expected)
                                .values(status=status, step_at=utcnow()).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        return False
    db.session.add(ClaimEvent(claim_id=claim.id, status_before=expected, status_after=status))
    db.session.commit()
    db.session.refresh(claim)
    return True


def submit_job(shop_id: int, claim_id: int) -> str:
    g.actor = "envoi des demandes de bonus"
    with as_shop(shop_id):
        claim = db.session.get(Claim, claim_id)
        if claim is None or claim.status not in OPEN:
            return claim.status if claim else "absent"
        return submit(claim)


def _attention(claim: Claim, message: str) -> str:
    set_status(claim, "needs_attention", message)
    claim.last_error = message
    note(claim, "needs_attention", {"last_error": (None, message)})
    db.session.commit()
    return claim.status


def submit(claim: Claim) -> str:
    """Run the next steps of the claim; a transient error is raised (RQ retries), a refusal is kept."""
    refresh_attachments(claim)
    p = payloads.build(claim)
    problems = preflight.check(claim, p)
    if problems:
        return _attention(claim, _("À corriger avant l'envoi : %(m)s", m=preflight.total(problems)))
    account = db.session.execute(db.select(EcoAccount).where(EcoAccount.organism == claim.organism)).scalar_one()
    log = ExchangeLog(claim.shop_id)
    try:
        client = client_for(account, log)
        required = client.required_attachments(p) | preflight.required_attachments(claim, p)
        if claim.external_id is None:
            if claim.status == "creating":  # the last create got no answer: did it happen?
                try:
                    found = client.find_by_reference(p.reference)
                except errors.NotSupported:
                    return _attention(claim, _("L'envoi précédent n'a pas eu de réponse et %(o)s ne permet pas de retrouver "
                                               "une demande par son numéro de facture : vérifiez sur son portail qu'elle n'existe "
                                               "pas avant de renvoyer.", o=ORGANISMS.get(claim.organism)))
                if found is not None:
                    claim.external_id = found.external_id
            if claim.external_id is None:
                if not _take(claim, claim.status, "creating"):  # written before the call: an unknown outcome is looked up
                    return claim.status  # someone else (a credit note, another run) moved it: leave it to them
                state = client.create_claim(p)
                claim.external_id = state.external_id
            set_status(claim, "created", _("Créée chez l'organisme : %(id)s", id=claim.external_id))
            db.session.commit()
        sent = list(claim.attached or [])
        for kind in sorted(required | set(claim.attachments)):
            if kind in sent or kind not in claim.attachments:
                continue
            stored = db.session.get(StoredFile, claim.attachments[kind])
            client.attach(claim.external_id, Attachment(kind, stored.original_name, stored.content_type,
                                                        get_storage().read(stored.storage_key)))
            sent.append(kind)
            claim.attached, claim.step_at = list(sent), utcnow()
            db.session.commit()
        state = client.submit(claim.external_id)
        claim.status_text = state.status_text
        blocking = [e for e in state.errors if e.blocking]
        if state.status in ("draft", "incomplete") or blocking:  # the organism says what is missing
            detail = "; ".join(f"{e.field} : {e.message}" for e in blocking) or state.status_text
            db.session.commit()
            return _attention(claim, _("Incomplète selon l'organisme : %(d)s", d=detail))
        set_status(claim, "submitted", state.status_text)
        claim.submitted_at, claim.last_error = utcnow(), None
        note(claim, "submitted", {"external_id": (None, claim.external_id)})
        db.session.commit()
        return claim.status
    except errors.ValidationFailed as exc:
        db.session.rollback()
        detail = "; ".join(f"{e.field} : {e.message}" for e in exc.errors if e.blocking) or exc.message
        return _attention(claim, _("Refusée par l'organisme : %(d)s", d=detail))
    except errors.AuthError as exc:
        db.session.rollback()
        return _attention(claim, _("Identifiants refusés par l'organisme (%(e)s).", e=exc.message))
    except (errors.TransientError, errors.ContractViolation):
        db.session.rollback()
        raise  # RQ retries with back-off; the claim keeps the step it reached
    except errors.EcoError as exc:
        db.session.rollback()
        return _attention(claim, _("Erreur de l'organisme : %(e)s", e=exc.message))
    except Exception:
        db.session.rollback()  # the exchanges below are still kept
        raise
    finally:
        log.save(claim.id)
        db.session.commit()


def refresh_attachments(claim: Claim) -> None:
    """Files added to the order since the invoice (a nameplate photo taken after a refusal) join the
    claim; the ones already sent stay as they were."""
    from ..billing.services import claim_attachments

    current = dict(claim.attachments or {})
    found = claim_attachments(db.session.get(RepairOrder, claim.order_id), current.get("invoice"), with_bon=False)
    for kind, file_id in found.items():
        if kind not in current:
            current[kind] = file_id
    if current != claim.attachments:
        claim.attachments = current
        db.session.commit()


# --- after the sending ------------------------------------------------------------------------


def poll(claim: Claim) -> bool:
    """Ask the organism where the claim stands; a change becomes an event. True if it changed."""
    from ..eco.statuses import normalise

    account = db.session.execute(db.select(EcoAccount).where(EcoAccount.organism == claim.organism)).scalar_one_or_none()
    if account is None or not claim.external_id:
        return False
    log = ExchangeLog(claim.shop_id)
    try:
        state = client_for(account, log).status(claim.external_id)
    finally:
        log.save(claim.id)
        db.session.commit()  # the exchanges stay, even when the organism did not answer
    status = normalise(claim.organism, state.status_text) if state.status_text else state.status
    status = "submitted" if status == "draft" else status  # created, not yet examined
    changed = status != claim.status or state.status_text != claim.status_text
    if changed:
        set_status(claim, status, state.reject_reason or state.status_text)
        claim.status_text = state.status_text
        if state.amount_covered is not None:
            claim.amount_accepted = state.amount_covered
        if status == "rejected":
            claim.last_error = state.reject_reason or state.status_text
    db.session.commit()
    return changed


def sync_job(shop_id: int) -> int:
    """Poll the shop's claims that are with the organism; how many changed."""
    g.actor = "suivi des demandes de bonus"
    changed = 0
    with as_shop(shop_id):
        for claim in db.session.execute(db.select(Claim).where(Claim.status.in_(AT_ORGANISM))).scalars().all():
            try:
                changed += poll(claim)
            except errors.EcoError:
                db.session.rollback()  # this one is asked again at the next round
    return changed


def sweep() -> int:
    """Claims left sending (a worker killed, the queue lost) past the timeout are queued again; the
    job goes on from the step each one reached."""
    import datetime as dt

    limit = utcnow() - dt.timedelta(minutes=STUCK_AFTER_MINUTES)
    rows = db.session.execute(db.select(Claim.shop_id, Claim.id).where(Claim.status.in_(SENDING), Claim.step_at < limit),
                              execution_options={"all_shops": True}).all()
    queued = 0
    for shop_id, claim_id in rows:
        queued += _queue_job(shop_id, claim_id)  # not when its job is still waiting (a retry) or running
    return queued


def sync_all() -> int:
    """The schedule: one status round per shop that has claims with an organism."""
    shops = db.session.execute(db.select(Claim.shop_id).where(Claim.status.in_(AT_ORGANISM)).distinct(),
                               execution_options={"all_shops": True}).scalars().all()
    for shop_id in shops:
        enqueue(sync_job, shop_id, job_timeout=600)
    return len(shops)
