"""Uploading a document to read, and its state while the job runs (polled by htmx until done)."""
from __future__ import annotations

from flask import abort, flash, request
from flask_babel import gettext as _
from flask_login import current_user

from ..claims.models import Claim
from ..extensions import db
from ..files.models import StoredFile
from ..files.services import UploadRejected
from ..permissions import allow
from ..rendering import is_htmx, redirect_to, render
from . import bp, crosscheck, services
from .models import KINDS, OcrDocument

STAFF = ("owner", "technician", "support")


@bp.post("/documents")
@allow(*STAFF)
def upload():
    """A nameplate photo (intake) or an invoice: stored, then read by a job; the answer is the
    document's card, which follows the reading by itself."""
    kind = request.form.get("kind", "")
    if kind not in KINDS:
        abort(400)
    order_id = request.form.get("order_id", type=int)
    try:
        stored = services.accept(request.files.get("file"), f"ocr_{kind}")
        db.session.flush()
    except UploadRejected as exc:
        db.session.rollback()
        if is_htmx():
            return render("ocr/_error.html", message=str(exc)), 422
        flash(str(exc), "danger")
        return redirect_to("ocr.new", kind=kind)
    doc = services.start(stored, kind, order_id)
    if is_htmx():
        return render("ocr/_document.html", doc=doc, target=request.form.get("target", ""))
    return redirect_to("ocr.show", doc_id=doc.id)


@bp.get("/nouveau")
@allow(*STAFF)
def new():
    """Read an invoice made in another program, or a nameplate, outside any form."""
    kind = request.args.get("kind", "invoice")
    return render("ocr/new.html", kind=kind if kind in KINDS else "invoice")


@bp.get("/documents/<int:doc_id>")
@allow(*STAFF)
def show(doc_id: int):
    doc = db.get_or_404(OcrDocument, doc_id)
    if is_htmx():
        return render("ocr/_document.html", doc=doc, target=request.args.get("target", ""))
    return render("ocr/show.html", doc=doc)


@bp.post("/demandes/<int:claim_id>/lire")
@allow("owner", "support")
def read_claim_invoice(claim_id: int):
    """Read (again) the invoice attached to a claim."""
    claim = db.get_or_404(Claim, claim_id)
    file_id = (claim.attachments or {}).get("invoice")
    stored = db.session.get(StoredFile, file_id) if file_id else None
    if stored is None:
        flash(_("Aucune facture jointe à cette demande."), "warning")
    else:
        services.start(stored, "invoice")
        flash(_("Lecture de la facture lancée."), "success")
    return redirect_to("claims.show", claim_id=claim.id)


@bp.post("/demandes/<int:claim_id>/passer-outre")
@allow("owner", "support")
def override(claim_id: int):
    claim = db.get_or_404(Claim, claim_id)
    try:
        crosscheck.override(claim, request.form.get("reason", ""), current_user)
    except crosscheck.OverrideRefused as exc:
        db.session.rollback()
        flash(str(exc), "danger")
    else:
        flash(_("Motif enregistré : la demande peut partir malgré la différence."), "success")
    return redirect_to("claims.show", claim_id=claim.id)
