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
from ..eco.models import EcoAccount
from ..eco.registry import ExchangeLog, client_for
from ..eco.types import Attachment
from ..extensions import db
from ..files.models import StoredFile
from ..files.storage import get_storage
from ..jobs import enqueue
from ..tenancy import as_shop
from . import payload as payloads
from .models import Claim

RETRY = Retry(max=5, interval=[10, 30, 120, 600, 1800])  # transient errors: back off, then the sweeper (claims issue)
OPEN = ("ready", "queued", "creating", "created")


def enqueue_submission(claim: Claim) -> None:
    """After the claim row is committed: queue its submission (the row holds the state, not the job)."""
    claim.status = "queued"
    db.session.commit()
    enqueue(submit_job, claim.shop_id, claim.id, job_id=f"claim-submit-{claim.id}-{int(utcnow().timestamp())}",
            retry=RETRY, job_timeout=300)


def submit_job(shop_id: int, claim_id: int) -> str:
    g.actor = "envoi des demandes de bonus"
    with as_shop(shop_id):
        claim = db.session.get(Claim, claim_id)
        if claim is None or claim.status not in OPEN:
            return claim.status if claim else "absent"
        return submit(claim)


def _attention(claim: Claim, message: str) -> str:
    claim.status, claim.last_error = "needs_attention", message
    note(claim, "needs_attention", {"last_error": (None, message)})
    db.session.commit()
    return claim.status


def submit(claim: Claim) -> str:
    """Run the next steps of the claim; a transient error is raised (RQ retries), a refusal is kept."""
    p = payloads.build(claim)
    absent = payloads.missing(claim, p)
    if absent:
        return _attention(claim, _("À compléter avant l'envoi : %(m)s.", m=", ".join(str(a) for a in absent)))
    account = db.session.execute(db.select(EcoAccount).where(EcoAccount.organism == claim.organism)).scalar_one_or_none()
    if account is None or not account.secret_encrypted:
        return _attention(claim, _("Aucun identifiant %(o)s enregistré : ajoutez-le dans Paramètres → Éco-organismes.", o=claim.organism))
    log = ExchangeLog(claim.shop_id)
    try:
        client = client_for(account, log)
        required = client.required_attachments(p)
        lacking = sorted(required - set(claim.attachments))
        if lacking:
            return _attention(claim, _("Pièces jointes manquantes : %(k)s.", k=", ".join(lacking)))
        if claim.external_id is None:
            if claim.status == "creating":  # the last create got no answer: did it happen?
                try:
                    found = client.find_by_reference(p.reference)
                except errors.NotSupported:
                    found = None
                if found is not None:
                    claim.external_id = found.external_id
            if claim.external_id is None:
                claim.status = "creating"
                db.session.commit()  # written before the call: an unknown outcome is looked up next time
                state = client.create_claim(p)
                claim.external_id = state.external_id
            claim.status = "created"
            db.session.commit()
        sent = list(claim.attached or [])
        for kind in sorted(required | set(claim.attachments)):
            if kind in sent or kind not in claim.attachments:
                continue
            stored = db.session.get(StoredFile, claim.attachments[kind])
            client.attach(claim.external_id, Attachment(kind, stored.original_name, stored.content_type,
                                                        get_storage().read(stored.storage_key)))
            sent.append(kind)
            claim.attached = list(sent)
            db.session.commit()
        state = client.submit(claim.external_id)
        claim.status, claim.status_text, claim.submitted_at, claim.last_error = "submitted", state.status_text, utcnow(), None
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
    finally:
        log.save(claim.id)
        db.session.commit()
