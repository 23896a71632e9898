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

OPEN = SENDING
LOCK = "claim-lock:{}"  # held by the one runner of a claim; it expires if that runner dies


def _config(name: str):
    from flask import current_app

    return current_app.config[name]


def _retry() -> Retry:
    """Transient errors: RQ tries again with back-off; after the last, the sweeper takes over."""
    intervals = list(_config("CLAIM_RETRY_INTERVALS"))
    return Retry(max=len(intervals), interval=intervals)


def set_status(claim: Claim, status: str, text: str | None = None) -> None:
    """Every change of a claim's status is an event of its timeline."""
    if status != claim.status or text:
        db.session.add(ClaimEvent(claim_id=claim.id, status_before=claim.status, status_after=status, text=text))
    claim.status, claim.step_at = status, utcnow()


def _lock_ttl() -> int:
    return int(_config("CLAIM_JOB_TIMEOUT")) + int(_config("CLAIM_LOCK_MARGIN"))  # RQ kills a job at its timeout: the lock outlives it a little


def _locked(claim_id: int) -> bool:
    from ..redis_conn import get_redis

    return bool(get_redis().exists(LOCK.format(claim_id)))


def _queue_job(shop_id: int, claim_id: int) -> bool:
    """One job per claim at a time: its id is the claim's, and a job still waiting or running is not doubled."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    from ..jobs import get_queue

    job_id = f"claim-submit-{claim_id}"
    try:
        job = Job.fetch(job_id, connection=get_queue().connection)
        state = job.get_status(refresh=True)
        if state in ("queued", "deferred", "scheduled"):
            return False
        if state == "started" and _locked(claim_id):
            return False  # its runner is alive (it holds the claim's lock)
    except NoSuchJobError:
        pass
    enqueue(submit_job, shop_id, claim_id, job_id=job_id, retry=_retry(), job_timeout=_config("CLAIM_JOB_TIMEOUT"))
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
    """The RQ job. One runner per claim: a second one (a job queued again while the first still
    works) leaves at once; a runner killed mid-way leaves a lock that expires, then the sweeper
    queues the claim again and the next runner goes on from the step written on the claim."""
    import secrets

    from ..redis_conn import get_redis

    g.actor = "envoi des demandes de bonus"
    conn, key, token = get_redis(), LOCK.format(claim_id), secrets.token_hex(8)
    if not conn.set(key, token, nx=True, ex=_lock_ttl()):
        return "busy"
    try:
        with as_shop(shop_id):
            claim = db.session.get(Claim, claim_id)
            if claim is None or claim.status not in OPEN:
                return claim.status if claim else "absent"
            return submit(claim)
    finally:
        # Released only by its holder (a lock that expired and was taken by another is not ours).
        conn.eval("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0", 1, key, token)


def _attention(claim: Claim, message: str) -> str:
    set_status(claim, "needs_attention", message)
    claim.last_error = message
    note(claim, "needs_attention", {"last_error": (None, message)})
    db.session.commit()
    from .notify import claim_changed

    claim_changed(claim, _("Demande %(n)s à corriger : %(m)s", n=claim_reference(claim), m=message))
    return claim.status


def claim_reference(claim: Claim) -> str:
    from ..billing.models import Invoice

    invoice = db.session.get(Invoice, claim.invoice_id)
    return invoice.number if invoice else str(claim.id)


def _duplicate_reference(state) -> bool:
    """Ecologic refuses an invoice number already used (contract §3.9): the earlier create was done."""
    return any(e.field == "ConsumerInvoiceNumber" for e in state.errors)


def _create(claim: Claim, client, p) -> str | None:
    """Create the claim at the organism, once. Returns a status to stop with, or None to go on.

    Before the call the claim is moved to "creating"; after an unknown outcome (a read timeout, a
    5xx that may come after the work was done) the next run finds it in "creating" and looks the
    claim up by the invoice number (ecosystem lists its claims). Ecologic has no lookup: its create
    refuses an invoice number already used (contract §3.9), so the next run creates again and that
    refusal tells that the first one exists; the support user then picks it up on its portal."""
    if claim.status == "creating":  # the last create got no answer: did it happen?
        try:
            found = client.find_by_reference(p.reference, exclude=tuple(claim.previous_ids or ()))
        except errors.NotSupported:
            found = None
        if found is not None:
            claim.external_id = found.external_id
    if claim.external_id is None:
        before = claim.status
        if not _take(claim, claim.status, "creating"):  # written before the call: an unknown outcome is looked up
            return claim.status  # someone else (a credit note, another run) moved it: leave it to them
        try:
            state = client.create_claim(p)
        except errors.TransientError as exc:
            if exc.processed is False:  # refused before anything was done: the next run simply creates
                _take(claim, "creating", before if before != "creating" else "queued")
            raise
        if _duplicate_reference(state):
            claim.previous_ids = list(claim.previous_ids or []) + [state.external_id]
            return _attention(claim, _(
                "%(o)s indique que ce numéro de facture a déjà une demande (sans doute un envoi précédent resté sans "
                "réponse) : retrouvez-la sur son portail. La demande %(id)s, créée en double, reste en brouillon et ne "
                "sera pas transmise.", o=ORGANISMS.get(claim.organism), id=state.external_id))
        claim.external_id = state.external_id
    set_status(claim, "created", _("Créée chez l'organisme : %(id)s", id=claim.external_id))
    db.session.commit()
    return None


def _confirm(claim: Claim, client):
    """Submit / confirm; a repeat of a submission whose answer was lost is recognised as done."""
    try:
        return client.submit(claim.external_id)
    except errors.ValidationFailed:
        state = client.status(claim.external_id)
        if state.status in ("submitted", "accepted", "paid"):
            return state
        raise


def submit(claim: Claim) -> str:
    """Run the next steps of the claim; a transient error is raised (RQ retries), a refusal is kept."""
    refresh_attachments(claim)
    p = payloads.build(claim)
    problems = preflight.check(claim, p)
    if problems:
        return _attention(claim, _("À corriger avant l'envoi : %(m)s", m=preflight.total(problems)))
    if claim.external_id is None or claim.update_pending or "invoice" not in (claim.attached or []):
        from ..ocr import crosscheck  # the invoice about to leave, as read, against the claim

        check = crosscheck.verdict(claim, read_now=True)
        if check.blocking and not crosscheck.overridden(claim):
            return _attention(claim, _("La facture jointe ne correspond pas à la demande (%(d)s). Remplacez la pièce jointe, "
                                       "ou passez outre avec un motif si la facture est juste.", d=check.summary()))
    account = db.session.execute(db.select(EcoAccount).where(EcoAccount.organism == claim.organism)).scalar_one()
    log = ExchangeLog(claim.shop_id)
    try:
        client = client_for(account, log)
        required = client.required_attachments(p) | preflight.required_attachments(claim, p)
        if claim.external_id is None:
            stop = _create(claim, client, p)
            if stop is not None:
                return stop
        elif claim.update_pending:  # corrected after a refusal: the organism's copy first (Ecologic)
            client.update_claim(claim.external_id, p)
            claim.update_pending, claim.step_at = False, utcnow()
            db.session.add(ClaimEvent(claim_id=claim.id, status_before=claim.status, status_after=claim.status,
                                      text=_("Corrections transmises à l'organisme")))
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
        state = _confirm(claim, client)
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
    if claim.status == "paid" and status == "accepted":
        status = "paid"  # the statement said paid before the organism's status did
    changed = status != claim.status or state.status_text != claim.status_text
    moved = status != claim.status
    if changed:
        set_status(claim, status, state.reject_reason or state.status_text)
        claim.status_text = state.status_text
        if state.amount_covered is not None:
            claim.amount_accepted = state.amount_covered
        if status == "rejected":
            claim.last_error = state.reject_reason or state.status_text
    db.session.commit()
    if moved:
        from .notify import claim_changed

        text = _("Demande %(n)s : %(s)s", n=claim_reference(claim), s=claim.status_label)
        if status == "rejected" and claim.last_error:
            text += " — " + claim.last_error
        claim_changed(claim, text)
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

    limit = utcnow() - dt.timedelta(seconds=_config("CLAIM_STUCK_AFTER_SECONDS"))
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
