"""Uploading a document to read, and its state while the job runs (polled by htmx until done)."""
from __future__ import annotations

from flask import abort, flash, request
from flask_babel import gettext as _
from flask_login import current_user

from ..claims.models import Claim
from ..extensions import db
from ..files.models import StoredFile
from ..permissions import allow
from ..rendering import redirect_to, refusals, render
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
    with refusals("ocr.new", kind=kind, fragment=lambda exc: render("ocr/_error.html", message=str(exc), status=422)):
        stored = services.accept(request.files.get("file"), f"ocr_{kind}")
        db.session.flush()
    doc = services.start(stored, kind, order_id)
    return redirect_to("ocr.show", doc_id=doc.id,
                       htmx=lambda: render("ocr/_document.html", doc=doc, target=request.form.get("target", "")))


@bp.get("/nouveau")
@allow(*STAFF)
def new():
    """Read an invoice made in another program, or a nameplate, outside any form."""
    kind = request.args.get("kind", "invoice")
    return render("ocr/new.html", kind=kind if kind in KINDS else "invoice")


@bp.get("/documents/<int:doc_id>")
@allow(*STAFF)
def show(doc_id: int):
    """A document being read: its card, which polls itself while the job runs (htmx), or its page."""
    doc = db.get_or_404(OcrDocument, doc_id)
    return render("ocr/show.html", "ocr/_document.html", doc=doc, target=request.args.get("target", ""))


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
    """Let a claim leave despite the difference the cross-check found, with the reason (audited)."""
    claim = db.get_or_404(Claim, claim_id)
    with refusals("claims.show", claim_id=claim.id):
        crosscheck.override(claim, request.form.get("reason", ""), current_user)
    return redirect_to("claims.show", claim_id=claim.id,
                       message=_("Motif enregistré : la demande peut partir malgré la différence."))
