"""The sandbox operator's page and its JSON twin: accept, reject, pay in a batch, faults, health."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, current_app, jsonify, redirect, render_template, request, url_for

from . import claims as lifecycle
from .store import Claim, Payment

bp = Blueprint("sandbox_operator", __name__, template_folder="templates")


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def _claim_row(c: Claim) -> dict:
    return {"organism": c.organism, "id": c.external_id, "reference": c.reference, "status": c.status,
            "state": lifecycle.state_of(c), "reject_reason": c.reject_reason, "amount": str(c.amount),
            "service_order": c.service_order, "payment_ref": c.payment_ref, "repairer": c.repairer.repairer_id,
            "files": [f.file_type for f in c.files if f.uploaded]}


@bp.get("/health")
def health():
    return jsonify(ok=True, claims=lifecycle.db().query(Claim).count())


@bp.get("/")
def index():
    lifecycle.advance_due()
    rows = lifecycle.db().query(Claim).order_by(Claim.id.desc()).limit(500).all()
    if _wants_json():
        return jsonify(claims=[_claim_row(c) for c in rows], faults=current_app.extensions["faults"].state())
    payments = lifecycle.db().query(Payment).order_by(Payment.id.desc()).limit(50).all()
    return render_template("operator.html", claims=rows, payments=payments, reasons=lifecycle.REJECT_REASONS,
                           faults=current_app.extensions["faults"].state(), state_of=lifecycle.state_of)


def _claim(organism: str, claim_id: str) -> Claim:
    c = lifecycle.db().query(Claim).filter_by(organism=organism, external_id=claim_id).first()
    if c is None:
        abort(404)
    return c


def _done(payload):
    lifecycle.db().commit()
    return jsonify(payload) if _wants_json() else redirect(url_for(".index"))


@bp.post("/claims/<organism>/<claim_id>/<action>")
def act(organism: str, claim_id: str, action: str):
    """review (automatic controls), accept, reject (with a reason), notconform (Ecologic)."""
    c = _claim(organism, claim_id)
    data = request.get_json(silent=True) or request.form
    if lifecycle.state_of(c) not in ("submitted", "accepted", "rejected", "notconform"):
        return jsonify(error=f"statut « {c.status} » : rien à instruire"), 409
    if action == "review":
        lifecycle.review(c)
    elif action == "accept":
        lifecycle.set_state(c, "accepted")
    elif action in ("reject", "notconform"):
        if action == "notconform" and organism != "ecologic":
            return jsonify(error="« Non conforme » n'existe que chez Ecologic"), 400
        lifecycle.set_state(c, "rejected" if action == "reject" else "notconform",
                            data.get(f"reason-{organism}-{claim_id}") or data.get("reason") or "00 : Contrôles automatisés")
    else:
        return jsonify(error=f"action inconnue : {action}"), 400
    return _done(_claim_row(c))


@bp.post("/payments")
def pay():
    """Pay the given accepted claims of one organism in one batch with a payment reference."""
    data = request.get_json(silent=True) or {}
    keys = data.get("claims") if data else [k.split(":", 1) for k in request.form.getlist("claim")]
    claims = [_claim(organism, claim_id) for organism, claim_id in keys]
    if not claims or any(lifecycle.state_of(c) != "accepted" for c in claims):
        return jsonify(error="seules des demandes acceptées peuvent être payées"), 409
    try:
        payment = lifecycle.pay(claims, (data.get("reference") if data else request.form.get("reference")) or None)
    except ValueError as exc:
        return jsonify(error=str(exc)), 400
    return _done({"reference": payment.reference, "total": str(payment.total), "paid_on": payment.paid_on.isoformat()})


@bp.get("/payments/<reference>.csv")
def statement(reference: str):
    """The payment statement of a batch, as a shop would download it from the organism's portal."""
    payment = lifecycle.db().query(Payment).filter_by(reference=reference).first()
    if payment is None:
        return "introuvable", 404
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["organisme", "reference_paiement", "date_paiement", "id_demande", "ordre_de_service", "numero_facture", "montant"])
    for c in lifecycle.db().query(Claim).filter_by(payment_ref=reference).order_by(Claim.id):
        writer.writerow([c.organism, reference, payment.paid_on.isoformat(), c.external_id, c.service_order or "", c.reference,
                         f"{c.amount:.2f}".replace(".", ",")])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=paiement-{reference}.csv"})


@bp.route("/faults", methods=["GET", "POST"])
def faults():
    """Read or set fault injection: rates, latency, or an exact queue for the next calls."""
    f = current_app.extensions["faults"]
    if request.method == "POST":
        data = request.get_json(silent=True)
        if data is None:
            data = {k: (v if k == "only" else float(v)) for k, v in request.form.items() if v != "" and k != "queue"}
            if request.form.get("queue"):
                data["queue"] = [q.strip() for q in request.form["queue"].split(",") if q.strip()]
        try:
            if data.pop("reset", False):
                f.reset()
            f.configure(**data)
        except (ValueError, TypeError) as exc:
            return jsonify(error=str(exc)), 400
        if not _wants_json():
            return redirect(url_for(".index"))
    return jsonify(f.state())


@bp.post("/clock")
def clock():
    """Set the automatic advance delay in seconds (0 stops it)."""
    data = request.get_json(silent=True) or request.form
    current_app.config["AUTO_ADVANCE_SECONDS"] = float(data.get("seconds", 0))
    return jsonify(seconds=current_app.config["AUTO_ADVANCE_SECONDS"])
