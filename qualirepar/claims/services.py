"""A claim as the rest of the app starts and ends it: opened for an invoice with a bonus (its
attachments chosen from the order), queued for sending, cancelled or flagged by a credit note.

Billing calls these, one way; claims never import billing's services (its models only).
"""
from __future__ import annotations

from flask_babel import gettext as _

from ..billing.models import Invoice
from ..checklists.models import ControlAnswer, ControlPoint
from ..extensions import db
from ..files.services import store_bytes
from ..intake import bon
from ..repairs.models import OrderPhoto, RepairOrder, Signature
from . import states
from .models import Claim
from .queueing import enqueue_submission

BON_MAX_BYTES = 10 * 1024 * 1024


def reference(claim: Claim) -> str:
    """The claim as the shop names it: its invoice's number."""
    invoice = db.session.get(Invoice, claim.invoice_id)
    return invoice.number if invoice else str(claim.id)


def attachments_for(order: RepairOrder, invoice_file_id: int | None, with_bon: bool = True) -> dict:
    """What the claim sends: the invoice, the nameplate photo, the consumer's signed bon."""
    attachments = {"invoice": invoice_file_id} if invoice_file_id else {}
    plate = db.session.execute(db.select(ControlAnswer.file_id).join(ControlPoint, ControlAnswer.point_id == ControlPoint.id)
                               .where(ControlAnswer.order_id == order.id, ControlAnswer.file_id.isnot(None),
                                      ControlPoint.kind == "photo").order_by(ControlAnswer.id)).scalars().first()
    if plate is None:
        plate = db.session.execute(db.select(OrderPhoto.file_id).where(OrderPhoto.order_id == order.id)
                                   .order_by(OrderPhoto.id)).scalars().first()
    if plate is not None:
        attachments["nameplate"] = plate
    signed = db.session.execute(db.select(Signature).where(Signature.order_id == order.id, Signature.role == "customer")).scalar_one_or_none()
    if signed is not None and with_bon:
        stored = store_bytes(bon.render_pdf(order), bon.filename(order), "consumer_validation", {"application/pdf"}, BON_MAX_BYTES)
        db.session.flush()
        attachments["consumer_validation"] = stored.id
    return attachments


def refresh_attachments(claim: Claim) -> None:
    """Files added to the order since the invoice (a nameplate photo taken after a refusal) join the
    claim; the ones already sent stay as they were."""
    current = dict(claim.attachments or {})
    found = attachments_for(db.session.get(RepairOrder, claim.order_id), current.get("invoice"), with_bon=False)
    for kind, file_id in found.items():
        if kind not in current:
            current[kind] = file_id
    if current != claim.attachments:
        claim.attachments = current
        db.session.commit()


def open_for_invoice(order: RepairOrder, invoice: Invoice) -> Claim | None:
    """The claim of an invoice that deducts a bonus, added to the invoice's transaction (the caller
    commits, then `send`s it: the claim is a row before it is a job). None without a bonus."""
    if invoice.bonus_amount <= 0:
        return None
    claim = Claim(order_id=order.id, invoice_id=invoice.id, organism=invoice.bonus_organism, status=states.READY,
                  bonus_amount=invoice.bonus_amount, attachments=attachments_for(order, invoice.file_id), attached=[])
    db.session.add(claim)
    return claim


def send(claim: Claim) -> bool:
    """Queue a committed claim for sending; with the queue down it waits, queued, for the sweeper."""
    return enqueue_submission(claim)


def cancel_for_credit_note(invoice: Invoice, credit_number: str) -> None:
    """A credit note cancels the invoice's claim; one the organism already has is flagged instead
    (only the organism can cancel it). In the credit note's transaction (the caller commits)."""
    claim = db.session.execute(db.select(Claim).where(Claim.invoice_id == invoice.id).with_for_update()).scalar_one_or_none()
    if claim is None:
        return
    if claim.status in states.FILED:
        claim.last_error = _("Facture annulée par l'avoir %(n)s : demandez à l'organisme d'annuler cette demande.", n=credit_number)
    elif states.can(claim.status, "cancel"):
        claim.move("cancel", _("Facture annulée par l'avoir %(n)s.", n=credit_number))  # nothing to claim any more
        claim.last_error = None
