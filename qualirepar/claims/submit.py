"""Sending a claim to its organism: pre-flight, create, attach each file, submit. Each step is
written on the claim before the next one starts, so a job run again (a retry, a dead worker)
carries on where the last one stopped and never creates the claim twice at the organism.

The states and the moves between them are claims.states; the job that runs this is
claims.tasks.submit_claim.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import update

from ..audit import note, utcnow
from ..eco import errors
from ..eco.models import ORGANISMS, EcoAccount
from ..eco.registry import ExchangeLog, client_for
from ..eco.types import Attachment
from ..extensions import db
from ..files.models import StoredFile
from ..files.storage import get_storage
from ..ocr import crosscheck
from . import payload as payloads
from . import preflight, states
from .models import Claim, ClaimEvent
from .notify import claim_changed
from .services import reference, refresh_attachments


def _take(claim: Claim, action: str, expected: str | None = None) -> bool:
    """Move the claim by `action` from `expected` (the status this run read, by default the
    claim's) only if no one else moved it meanwhile (a credit note, another job): one conditional
    UPDATE, so two runners never both take the same step."""
    expected = expected or claim.status
    target = states.next_state(expected, action)
    result = db.session.execute(update(Claim).where(Claim.id == claim.id, Claim.shop_id == claim.shop_id, Claim.status == expected)
                                .values(status=target, step_at=utcnow()).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.rollback()
        return False
    db.session.add(ClaimEvent(claim_id=claim.id, status_before=expected, status_after=target))
    db.session.commit()
    db.session.refresh(claim)
    return True


def attention(claim: Claim, message: str) -> str:
    """The claim stays in the shop, to correct: the reason on it, its timeline and the bell."""
    claim.move("flag", message)
    claim.last_error = message
    note(claim, "needs_attention", {"last_error": (None, message)})
    db.session.commit()
    claim_changed(claim, _("Demande %(n)s à corriger : %(m)s", n=reference(claim), m=message))
    return claim.status


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
    if claim.status == states.CREATING:  # the last create got no answer: did it happen?
        try:
            found = client.find_by_reference(p.reference, exclude=tuple(claim.previous_ids or ()))
        except errors.NotSupported:
            found = None
        if found is not None:
            claim.external_id = found.external_id
    if claim.external_id is None:
        before = claim.status
        if not _take(claim, "create", before):  # written before the call: an unknown outcome is looked up
            return claim.status  # someone else (a credit note, another run) moved it: leave it to them
        try:
            state = client.create_claim(p)
        except errors.TransientError as exc:
            if exc.processed is False:  # refused before anything was done: the next run simply creates
                _take(claim, "release_ready" if before == states.READY else "release", states.CREATING)
            raise
        if _duplicate_reference(state):
            claim.previous_ids = list(claim.previous_ids or []) + [state.external_id]
            return attention(claim, _(
                "%(o)s indique que ce numéro de facture a déjà une demande (sans doute un envoi précédent resté sans "
                "réponse) : retrouvez-la sur son portail. La demande %(id)s, créée en double, reste en brouillon et ne "
                "sera pas transmise.", o=ORGANISMS.get(claim.organism), id=state.external_id))
        claim.external_id = state.external_id
    claim.move("register", _("Créée chez l'organisme : %(id)s", id=claim.external_id))
    db.session.commit()
    return None


def _confirm(claim: Claim, client):
    """Submit / confirm; a repeat of a submission whose answer was lost is recognised as done."""
    try:
        return client.submit(claim.external_id)
    except errors.ValidationFailed:
        state = client.status(claim.external_id)
        if state.status in states.RECEIVED:
            return state
        raise


def _crosscheck_blocks(claim: Claim) -> str | None:
    """The invoice about to leave, as read, against the claim: what disagrees, unless overridden."""
    if claim.external_id is None or claim.update_pending or "invoice" not in (claim.attached or []):
        check = crosscheck.verdict(claim, read_now=True)
        if check.blocking and not crosscheck.overridden(claim):
            return check.summary()
    return None


def _attach_files(claim: Claim, client, required: set[str]) -> None:
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


def _send(claim: Claim, client, p) -> str:
    """The steps at the organism: create (or update), attach, confirm."""
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
    _attach_files(claim, client, required)
    state = _confirm(claim, client)
    claim.status_text = state.status_text
    blocking = [e for e in state.errors if e.blocking]
    if state.status in states.UNFINISHED or blocking:  # the organism's words: what is missing
        detail = "; ".join(f"{e.field} : {e.message}" for e in blocking) or state.status_text
        db.session.commit()
        return attention(claim, _("Incomplète selon l'organisme : %(d)s", d=detail))
    claim.move("submit", state.status_text)
    claim.submitted_at, claim.last_error = utcnow(), None
    note(claim, "submitted", {"external_id": (None, claim.external_id)})
    db.session.commit()
    return claim.status


def submit(claim: Claim) -> str:
    """Run the next steps of the claim; a transient error is raised (RQ retries), a refusal is kept."""
    refresh_attachments(claim)
    p = payloads.build(claim)
    problems = preflight.check(claim, p)
    if problems:
        return attention(claim, _("À corriger avant l'envoi : %(m)s", m=preflight.total(problems)))
    disagreement = _crosscheck_blocks(claim)
    if disagreement:
        return attention(claim, _("La facture jointe ne correspond pas à la demande (%(d)s). Remplacez la pièce jointe, "
                                  "ou passez outre avec un motif si la facture est juste.", d=disagreement))
    account = db.session.execute(db.select(EcoAccount).where(EcoAccount.organism == claim.organism)).scalar_one()
    log = ExchangeLog(claim.shop_id)
    try:
        return _send(claim, client_for(account, log), p)
    except errors.ValidationFailed as exc:
        db.session.rollback()
        detail = "; ".join(f"{e.field} : {e.message}" for e in exc.errors if e.blocking) or exc.message
        return attention(claim, _("Refusée par l'organisme : %(d)s", d=detail))
    except errors.AuthError as exc:
        db.session.rollback()
        return attention(claim, _("Identifiants refusés par l'organisme (%(e)s).", e=exc.message))
    except (errors.TransientError, errors.ContractViolation):
        db.session.rollback()
        raise  # RQ retries with back-off; the claim keeps the step it reached
    except errors.EcoError as exc:
        db.session.rollback()
        return attention(claim, _("Erreur de l'organisme : %(e)s", e=exc.message))
    except Exception:
        db.session.rollback()  # the exchanges below are still kept
        raise
    finally:
        log.save(claim.id)
        db.session.commit()
