"""Claims screens: the list (its statuses refresh by themselves) and a claim's page with its
timeline, attachments, amounts, what the pre-flight finds, and the actions that send or ask again."""
from __future__ import annotations

import datetime as dt

from flask import flash, request
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm import Bundle

from ..billing.models import Invoice
from ..core.clock import paris_today
from ..eco.errors import EcoError
from ..eco.models import EcoExchange
from ..extensions import db
from ..files.models import StoredFile
from ..pagecache import cached_page
from ..permissions import allow
from ..rendering import redirect_to, render
from ..repairs.models import RepairOrder
from ..shops.models import RepairSite
from . import bp, notifications_bp, payments, preflight, submit, workbench
from .models import STATUS_LABELS, Claim, ClaimEvent, ClaimPayment, Notification

READERS = ("owner", "support")


def _date(name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.get("/")
@allow(*READERS)
@cached_page
def index():
    """Claims, newest first, filtered by organism, status and period."""
    # The 200 claims are chosen first, from the claim table alone unless a filter needs the order or
    # the invoice (the index on shop and id, read backwards, then stops at 200: PostgreSQL would
    # otherwise join every claim of the shop and sort them); their rows are read after.
    chosen = db.select(Claim.id).order_by(Claim.id.desc()).limit(200)
    organism, status = request.args.get("organisme", ""), request.args.get("statut", "")
    site, low, high = request.args.get("lieu", type=int), _euros("min"), _euros("max")
    since, until = _date("du"), _date("au")
    if organism:
        chosen = chosen.where(Claim.organism == organism)
    if status == "a_traiter":
        chosen = chosen.where(Claim.status.in_(workbench.TO_FIX))
    elif status:
        chosen = chosen.where(Claim.status == status)
    if site:
        chosen = chosen.join(RepairOrder, Claim.order_id == RepairOrder.id).where(RepairOrder.site_id == site)
    if low is not None:
        chosen = chosen.where(Claim.bonus_amount >= low)
    if high is not None:
        chosen = chosen.where(Claim.bonus_amount <= high)
    if since or until:
        chosen = chosen.join(Invoice, Claim.invoice_id == Invoice.id)
        chosen = chosen.where(Invoice.issued_on >= since) if since else chosen
        chosen = chosen.where(Invoice.issued_on <= until) if until else chosen
    # The rows show four of the claim's columns: read those only (no JSON to decode, no ORM object).
    shown = Bundle("claim", Claim.id, Claim.organism, Claim.bonus_amount, Claim.status)
    query = db.select(shown, Invoice.number, RepairOrder.number).join(Invoice, Claim.invoice_id == Invoice.id) \
        .join(RepairOrder, Claim.order_id == RepairOrder.id).where(Claim.id.in_(chosen.scalar_subquery())).order_by(Claim.id.desc())
    rows = db.session.execute(query).all()
    sites = db.session.execute(db.select(RepairSite).order_by(RepairSite.name)).scalars().all()
    # Translated once, not once per row; as the lazy strings do, rendered as they are (not escaped).
    labels = {key: Markup(label.__html__()) for key, label in STATUS_LABELS.items()}
    return render("claims/index.html", "claims/_rows.html", rows=rows, labels=labels, organism=organism, status_filter=status,
                  since=request.args.get("du", ""), until=request.args.get("au", ""), sites=sites, site=site,
                  low=request.args.get("min", ""), high=request.args.get("max", ""))


def _euros(name: str):
    from decimal import Decimal, InvalidOperation

    raw = request.args.get(name, "").strip().replace(",", ".").replace("€", "")
    try:
        value = Decimal(raw) if raw else None
    except InvalidOperation:
        return None
    return value if value is not None and value.is_finite() and abs(value) < 100000 else None


@bp.get("/<int:claim_id>")
@allow(*READERS)
def show(claim_id: int):
    claim = db.get_or_404(Claim, claim_id)
    invoice = db.session.get(Invoice, claim.invoice_id)
    events = db.session.execute(db.select(ClaimEvent).where(ClaimEvent.claim_id == claim.id).order_by(ClaimEvent.id)).scalars().all()
    exchanges = db.session.execute(db.select(EcoExchange).where(EcoExchange.claim_id == claim.id).order_by(EcoExchange.id)).scalars().all()
    files = {kind: db.session.get(StoredFile, file_id) for kind, file_id in claim.attachments.items()}
    problems = preflight.check(claim) if claim.status in submit.OPEN + workbench.TO_FIX else []
    paid = db.session.execute(db.select(ClaimPayment).where(ClaimPayment.claim_id == claim.id).order_by(ClaimPayment.paid_on)).scalars().all()
    bench = None
    if claim.status in workbench.TO_FIX:
        hints = workbench.hints(claim)
        bench = {"hints": hints, "hinted": {f for h in hints for f in h.fields}, "current": workbench.current_values(claim), "fields": workbench.FIELDS,
                 "kinds": workbench.FILE_KINDS, "can_update": workbench.can_update(claim.organism)}
    from ..ocr import crosscheck

    check = crosscheck.verdict(claim)
    return render("claims/show.html", claim=claim, invoice=invoice, events=events, exchanges=exchanges, files=files,
                  problems=problems, labels=STATUS_LABELS, bench=bench, payments=paid, check=check,
                  overridden=crosscheck.overridden(claim))


@bp.post("/<int:claim_id>/corriger")
@allow(*READERS)
def correct(claim_id: int):
    """Correct in place the fields the organism refused."""
    claim = db.get_or_404(Claim, claim_id)
    values = {name: request.form[name] for name in workbench.FIELDS if name in request.form}
    try:
        changes = workbench.correct(claim, values)
    except workbench.WorkbenchError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        flash(_("Corrigé : %(c)s. Renvoyez la demande quand tout est prêt.", c="; ".join(changes)) if changes
              else _("Rien n'a changé."), "success" if changes else "info")
    return redirect_to("claims.show", claim_id=claim.id)


@bp.post("/<int:claim_id>/pieces/<kind>")
@allow(*READERS)
def replace_file(claim_id: int, kind: str):
    claim = db.get_or_404(Claim, claim_id)
    try:
        workbench.replace_file(claim, kind, request.files.get("file"))
    except workbench.WorkbenchError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        flash(_("Pièce jointe enregistrée : elle partira au prochain envoi."), "success")
    return redirect_to("claims.show", claim_id=claim.id)


@bp.post("/<int:claim_id>/renvoyer")
@allow(*READERS)
def resubmit(claim_id: int):
    claim = db.get_or_404(Claim, claim_id)
    try:
        message = workbench.resubmit(claim)
    except workbench.WorkbenchError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        flash(message, "success")
    return redirect_to("claims.show", claim_id=claim.id)


# --- reimbursement control ----------------------------------------------------------------------


@bp.route("/paiements", methods=["GET", "POST"])
@allow(*READERS)
def reconciliation():
    """Import a payment statement; paid, short-paid, late and unpaid claims; totals per month."""
    result = None
    if request.method == "POST":
        upload = request.files.get("statement")
        try:
            if upload is None or not upload.filename:
                raise payments.StatementError(_("Choisissez le fichier du relevé de paiement (CSV)."))
            lines = payments.parse(upload.read(payments.STATEMENT_MAX_BYTES + 1), request.form.get("organisme") or None)
            result = payments.import_statement(lines, upload.filename)
        except payments.StatementError as exc:
            flash(str(exc), "danger")
        else:
            flash(_("Relevé importé : %(m)s ligne(s) rapprochée(s), %(u)s sans demande, %(a)s déjà importée(s).",
                    m=len(result.matched), u=len(result.unmatched), a=result.already), "success")
    organism = request.args.get("organisme", "")
    category = request.args.get("controle", "")
    rows = payments.control(organism=organism or None)
    shown = [r for r in rows if r.category == category] if category else rows
    unmatched = payments.unmatched()
    counts = {key: sum(1 for r in rows if r.category == key) for key in payments.CATEGORY_LABELS}
    from ..shops.models import Shop
    from ..tenancy import current_shop_id

    return render("claims/payments.html", rows=shown, counts=counts, totals=payments.totals(rows), ageing=payments.ageing(rows),
                  categories=payments.CATEGORY_LABELS, category=category, organism=organism, result=result,
                  unmatched=unmatched, claims_open=_open_claims() if unmatched else [],
                  late_days=db.session.get(Shop, current_shop_id()).payment_late_days)


def _open_claims():
    """The claims a payment line may be linked to by hand, with what the choice shows (the page asks
    only when a line is waiting): thousands in a shop of some years, so columns, not ORM objects."""
    shown = Bundle("claim", Claim.id, Claim.organism, Claim.external_id)
    return db.session.execute(db.select(shown, Invoice.number).join(Invoice, Claim.invoice_id == Invoice.id)
                              .where(Claim.status.in_(("submitted", "accepted", "paid"))).order_by(Invoice.number)).all()


@bp.get("/paiements.csv")
@allow(*READERS)
def reconciliation_csv():
    from flask import Response

    rows = payments.control(organism=request.args.get("organisme") or None)
    category = request.args.get("controle", "")
    if category:
        rows = [r for r in rows if r.category == category]
    return Response("\ufeff" + payments.export_csv(rows), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=controle-remboursements-{paris_today().isoformat()}.csv"})


@bp.post("/paiements/<int:payment_id>/rapprocher")
@allow(*READERS)
def link_payment(payment_id: int):
    try:
        claim = payments.link(payment_id, request.form.get("claim_id", type=int) or 0)
    except payments.StatementError as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        flash(_("Paiement rapproché de la demande %(n)s.", n=submit.claim_reference(claim)), "success")
    return redirect_to("claims.reconciliation")


@bp.post("/<int:claim_id>/envoyer")
@allow(*READERS)
def send(claim_id: int):
    """Send (again) a claim that was kept in the shop, once what it lacked is fixed."""
    claim = db.get_or_404(Claim, claim_id)
    if claim.status not in ("ready", "needs_attention") or claim.external_id:
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


# --- notifications --------------------------------------------------------------------------------


@notifications_bp.get("/")
@allow("owner", "support", "technician")
def notifications():
    from flask_login import current_user

    rows = db.session.execute(db.select(Notification).where(Notification.user_id == current_user.id)
                              .order_by(Notification.id.desc()).limit(100)).scalars().all()
    return render("claims/notifications.html", rows=rows)


@notifications_bp.post("/lues")
@allow("owner", "support", "technician")
def notifications_read():
    from flask_login import current_user
    from sqlalchemy import update

    from ..audit import utcnow
    from ..tenancy import current_shop_id

    db.session.execute(update(Notification).where(Notification.user_id == current_user.id, Notification.shop_id == current_shop_id(),
                                                  Notification.read_at.is_(None)).values(read_at=utcnow()))
    db.session.commit()
    return redirect_to("notifications.notifications")
