"""Claims screens: the list (its statuses refresh by themselves) and a claim's page with its
timeline, attachments, amounts, what the pre-flight finds, and the actions that send or ask again."""
from __future__ import annotations

import datetime as dt

from flask import flash, request
from flask_babel import gettext as _

from ..billing.models import Invoice
from ..eco.errors import EcoError
from ..eco.models import EcoExchange
from ..extensions import db
from ..files.models import StoredFile
from ..permissions import allow
from ..rendering import redirect_to, render
from ..repairs.models import RepairOrder
from . import bp, preflight, submit
from .models import STATUS_LABELS, Claim, ClaimEvent

READERS = ("owner", "support")


def _date(name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.get("/")
@allow(*READERS)
def index():
    """Claims, newest first, filtered by organism, status and period."""
    query = db.select(Claim, Invoice.number, RepairOrder.number).join(Invoice, Claim.invoice_id == Invoice.id) \
        .join(RepairOrder, Claim.order_id == RepairOrder.id).order_by(Claim.id.desc()).limit(200)
    organism, status = request.args.get("organisme", ""), request.args.get("statut", "")
    if organism:
        query = query.where(Claim.organism == organism)
    if status:
        query = query.where(Claim.status == status)
    if _date("du"):
        query = query.where(Invoice.issued_on >= _date("du"))
    if _date("au"):
        query = query.where(Invoice.issued_on <= _date("au"))
    rows = db.session.execute(query).all()
    return render("claims/index.html", "claims/_rows.html", rows=rows, labels=STATUS_LABELS, organism=organism, status_filter=status,
                  since=request.args.get("du", ""), until=request.args.get("au", ""))


@bp.get("/<int:claim_id>")
@allow(*READERS)
def show(claim_id: int):
    claim = db.get_or_404(Claim, claim_id)
    invoice = db.session.get(Invoice, claim.invoice_id)
    events = db.session.execute(db.select(ClaimEvent).where(ClaimEvent.claim_id == claim.id).order_by(ClaimEvent.id)).scalars().all()
    exchanges = db.session.execute(db.select(EcoExchange).where(EcoExchange.claim_id == claim.id).order_by(EcoExchange.id)).scalars().all()
    files = {kind: db.session.get(StoredFile, file_id) for kind, file_id in claim.attachments.items()}
    problems = preflight.check(claim) if claim.status in submit.OPEN + ("needs_attention",) else []
    return render("claims/show.html", claim=claim, invoice=invoice, events=events, exchanges=exchanges, files=files,
                  problems=problems, labels=STATUS_LABELS)


@bp.post("/<int:claim_id>/envoyer")
@allow(*READERS)
def send(claim_id: int):
    """Send (again) a claim that was kept in the shop, once what it lacked is fixed."""
    claim = db.get_or_404(Claim, claim_id)
    if claim.status not in ("ready", "needs_attention"):
        flash(_("Cette demande est déjà partie ou close."), "warning")
        return redirect_to("claims.show", claim_id=claim.id)
    problems = preflight.check(claim)
    if problems:
        flash(_("Pas encore : %(p)s", p=preflight.total(problems)), "danger")
    else:
        claim.last_error = None
        submit.enqueue_submission(claim)
        flash(_("Demande mise en file d'envoi."), "success")
    return redirect_to("claims.show", claim_id=claim.id)


@bp.post("/<int:claim_id>/actualiser")
@allow(*READERS)
def refresh(claim_id: int):
    """Ask the organism now where the claim stands."""
    claim = db.get_or_404(Claim, claim_id)
    try:
        changed = submit.poll(claim)
    except EcoError as exc:
        db.session.rollback()
        flash(_("L'organisme ne répond pas (%(e)s) : réessayez plus tard.", e=exc.message), "warning")
    else:
        flash(_("Statut mis à jour : %(s)s.", s=claim.status_label) if changed else _("Pas de changement."), "success")
    return redirect_to("claims.show", claim_id=claim.id)
