"""Claims screens: the list (its statuses refresh by themselves) and a claim's page with its
timeline, attachments, amounts, what the pre-flight finds, and the actions that send or ask again."""
from __future__ import annotations

from flask import Response, flash, request
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import update

from ..core.clock import paris_today, utcnow
from ..eco.errors import EcoError
from ..extensions import db
from ..ocr import crosscheck
from ..pagecache import cached_page
from ..permissions import allow
from ..rendering import redirect_to, refusals, render
from ..shops.models import Shop
from ..tenancy import current_shop_id
from . import bp, notifications_bp, payments, polling, preflight, queries, queueing, services, states, workbench
from .models import STATUS_LABELS, Claim, Notification

READERS = ("owner", "support")


@bp.get("/")
@allow(*READERS)
@cached_page
def index():
    """Claims, newest first, filtered by organism, status and period."""
    args = request.args
    organism, status, site = args.get("organisme", ""), args.get("statut", ""), args.get("lieu", type=int)
    rows = queries.claim_rows(queries.ListFilters(
        organism=organism, status=status, site=site, low=queries.euros_filter(args.get("min")),
        high=queries.euros_filter(args.get("max")), since=queries.day_filter(args.get("du")), until=queries.day_filter(args.get("au"))))
    sites = queries.sites()
    # Translated once, not once per row; as the lazy strings do, rendered as they are (not escaped).
    labels = {key: Markup(label.__html__()) for key, label in STATUS_LABELS.items()}
    return render("claims/index.html", "claims/_rows.html", rows=rows, labels=labels, organism=organism, status_filter=status,
                  since=request.args.get("du", ""), until=request.args.get("au", ""), sites=sites, site=site,
                  low=request.args.get("min", ""), high=request.args.get("max", ""))


@bp.get("/<int:claim_id>")
@allow(*READERS)
def show(claim_id: int):
    """A claim: its timeline, exchanges, attachments, payments, what the pre-flight finds, and for a
    claim to fix, the workbench."""
    claim = db.get_or_404(Claim, claim_id)
    page = queries.claim_page(claim)
    problems = preflight.check(claim) if claim.status in states.CHECKED else []
    bench = None
    if claim.status in workbench.TO_FIX:
        hints = workbench.hints(claim)
        bench = {"hints": hints, "hinted": {f for h in hints for f in h.fields}, "current": workbench.current_values(claim), "fields": workbench.FIELDS,
                 "kinds": workbench.FILE_KINDS, "can_update": workbench.can_update(claim.organism)}
    return render("claims/show.html", claim=claim, invoice=page.invoice, events=page.events, exchanges=page.exchanges,
                  files=page.files, problems=problems, labels=STATUS_LABELS, bench=bench, payments=page.payments,
                  check=crosscheck.verdict(claim), overridden=crosscheck.overridden(claim))


@bp.post("/<int:claim_id>/corriger")
@allow(*READERS)
def correct(claim_id: int):
    """Correct in place the fields the organism refused."""
    claim = db.get_or_404(Claim, claim_id)
    values = {name: request.form[name] for name in workbench.FIELDS if name in request.form}
    with refusals("claims.show", claim_id=claim.id):
        changes = workbench.correct(claim, values)
    return redirect_to("claims.show", claim_id=claim.id, category="success" if changes else "info",
                       message=_("Corrigé : %(c)s. Renvoyez la demande quand tout est prêt.", c="; ".join(changes)) if changes
                       else _("Rien n'a changé."))


@bp.post("/<int:claim_id>/pieces/<kind>")
@allow(*READERS)
def replace_file(claim_id: int, kind: str):
    """Replace one attachment of a claim to fix; it leaves with the next sending."""
    claim = db.get_or_404(Claim, claim_id)
    with refusals("claims.show", claim_id=claim.id):
        workbench.replace_file(claim, kind, request.files.get("file"))
    return redirect_to("claims.show", claim_id=claim.id, message=_("Pièce jointe enregistrée : elle partira au prochain envoi."))


@bp.post("/<int:claim_id>/renvoyer")
@allow(*READERS)
def resubmit(claim_id: int):
    """Send a corrected claim again."""
    claim = db.get_or_404(Claim, claim_id)
    with refusals("claims.show", claim_id=claim.id):
        message = workbench.resubmit(claim)
    return redirect_to("claims.show", claim_id=claim.id, message=message)


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
    return render("claims/payments.html", rows=shown, counts=counts, totals=payments.totals(rows), ageing=payments.ageing(rows),
                  categories=payments.CATEGORY_LABELS, category=category, organism=organism, result=result,
                  unmatched=unmatched, claims_open=queries.open_claims() if unmatched else [],
                  late_days=db.session.get(Shop, current_shop_id()).payment_late_days)


@bp.get("/paiements.csv")
@allow(*READERS)
def reconciliation_csv():
    rows = payments.control(organism=request.args.get("organisme") or None)
    category = request.args.get("controle", "")
    if category:
        rows = [r for r in rows if r.category == category]
    return Response("\ufeff" + payments.export_csv(rows), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=controle-remboursements-{paris_today().isoformat()}.csv"})


@bp.post("/paiements/<int:payment_id>/rapprocher")
@allow(*READERS)
def link_payment(payment_id: int):
    """Link by hand a payment line to the claim it pays."""
    with refusals("claims.reconciliation"):
        claim = payments.link(payment_id, request.form.get("claim_id", type=int) or 0)
    return redirect_to("claims.reconciliation", message=_("Paiement rapproché de la demande %(n)s.", n=services.reference(claim)))


@bp.post("/<int:claim_id>/envoyer")
@allow(*READERS)
def send(claim_id: int):
    """Send (again) a claim that was kept in the shop, once what it lacked is fixed."""
    claim = db.get_or_404(Claim, claim_id)
    if claim.status not in states.SENDABLE or claim.external_id:
        flash(_("Cette demande est déjà partie ou close."), "warning")
        return redirect_to("claims.show", claim_id=claim.id)
    problems = preflight.check(claim)
    if problems:
        flash(_("Pas encore : %(p)s", p=preflight.total(problems)), "danger")
    else:
        claim.last_error = None
        queueing.enqueue_submission(claim)
        flash(_("Demande mise en file d'envoi."), "success")
    return redirect_to("claims.show", claim_id=claim.id)


@bp.post("/<int:claim_id>/actualiser")
@allow(*READERS)
def refresh(claim_id: int):
    """Ask the organism now where the claim stands."""
    claim = db.get_or_404(Claim, claim_id)
    try:
        changed = polling.poll(claim)
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
    rows = db.session.execute(db.select(Notification).where(Notification.user_id == current_user.id)
                              .order_by(Notification.id.desc()).limit(100)).scalars().all()
    return render("claims/notifications.html", rows=rows)


@notifications_bp.post("/lues")
@allow("owner", "support", "technician")
def notifications_read():
    db.session.execute(update(Notification).where(Notification.user_id == current_user.id, Notification.shop_id == current_shop_id(),
                                                  Notification.read_at.is_(None)).values(read_at=utcnow()))
    db.session.commit()
    return redirect_to("notifications.notifications")
