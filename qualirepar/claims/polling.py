"""After the sending: asking the organism where a claim stands, for one claim (the button on its
page) or for every claim of a shop that is with the organism (the status sync's job)."""
from __future__ import annotations

from flask_babel import gettext as _

from ..eco import errors
from ..eco.models import EcoAccount
from ..eco.registry import ExchangeLog, client_for
from ..eco.statuses import normalise
from ..extensions import db
from . import states
from .models import Claim
from .notify import claim_changed
from .services import reference


def _verdict(claim: Claim, state) -> str:
    """The organism's word as one of our statuses."""
    status = normalise(claim.organism, state.status_text) if state.status_text else state.status
    status = states.SUBMITTED if status == "draft" else status  # created, not yet examined
    if claim.status == states.PAID and status == states.ACCEPTED:
        status = states.PAID  # the statement said paid before the organism's status did
    return status if status in states.VERDICTS else states.UNKNOWN


def poll(claim: Claim) -> bool:
    """Ask the organism where the claim stands; a change becomes an event. True if it changed."""
    account = db.session.execute(db.select(EcoAccount).where(EcoAccount.organism == claim.organism)).scalar_one_or_none()
    if account is None or not claim.external_id:
        return False
    log = ExchangeLog(claim.shop_id)
    try:
        state = client_for(account, log).status(claim.external_id)
    finally:
        log.save(claim.id)
        db.session.commit()  # the exchanges stay, even when the organism did not answer
    status = _verdict(claim, state)
    moved = status != claim.status
    changed = moved or state.status_text != claim.status_text
    if moved:
        claim.move(states.VERDICTS[status], state.reject_reason or state.status_text)
    elif changed:
        claim.record(status, state.reject_reason or state.status_text)  # the organism's words changed, not the status
    if changed:
        claim.status_text = state.status_text
        if state.amount_covered is not None:
            claim.amount_accepted = state.amount_covered
        if status == states.REJECTED:
            claim.last_error = state.reject_reason or state.status_text
    db.session.commit()
    if moved:
        text = _("Demande %(n)s : %(s)s", n=reference(claim), s=claim.status_label)
        if status == states.REJECTED and claim.last_error:
            text += " — " + claim.last_error
        claim_changed(claim, text)
    return changed


def poll_shop() -> int:
    """Poll the current shop's claims that are with the organism; how many changed."""
    changed = 0
    for claim in db.session.execute(db.select(Claim).where(Claim.status.in_(states.AT_ORGANISM))).scalars().all():
        try:
            changed += poll(claim)
        except errors.EcoError:
            db.session.rollback()  # this one is asked again at the next round
    return changed


def shops_to_poll() -> list[int]:
    """The shops that have claims with an organism."""
    return db.session.execute(db.select(Claim.shop_id).where(Claim.status.in_(states.AT_ORGANISM)).distinct(),
                              execution_options={"all_shops": True}).scalars().all()
