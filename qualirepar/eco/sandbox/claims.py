"""Claim life in the sandbox: review (automatic controls), acceptance, rejection, payment, and the
clock that moves submitted claims on by themselves when AUTO_ADVANCE_SECONDS is set."""
from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal

from flask import current_app

from ...core.clock import paris_today
from . import rules
from .store import Brand, Claim, Payment, Product, now

ECOSYSTEM = {"draft": "En cours de création", "submitted": "Envoyé, en cours vérification",
             "accepted": "Approuvé, en cours rembourst", "paid": "Remboursement effectué",
             "rejected": "Rejeté", "cancelled": "Annulé"}
ECOLOGIC = {"draft": "A finaliser", "incomplete": "Dossier incomplet",
            "submitted": "En attente de validation administrateur", "accepted": "Remboursement accepté",
            "paid": "Clôturée", "rejected": "Refusé", "notconform": "Non conforme"}
REJECT_REASONS = [
    "00 : Contrôles automatisés", "01 : SIRET ou RCS non présent", "02 : Panne non éligible",
    "03 : Consommateur professionnel", "05 : Doublon demande traitée", "06 : Bonus incorrect",
    "07 : Impossible de lire la facture", "08 : Le bonus est absent de la facture",
    "09 : Le bonus n'est pas déduit du montant total", "10 : Suspicion de fraude",
    "11 : Suspicion fraude : appel conso réparation inexistante", "12 : Suspicion de fraude : Consommateur injoignable",
    "13 : Le document en PJ n'est pas une facture", "14 : PIEC (manque de consentement du consommateur",
    "15 : Plaque signalétique du téléphone portable manquant",
]


def db():
    return current_app.extensions["sandbox_db"]


def words(organism: str) -> dict:
    return ECOSYSTEM if organism == "ecosystem" else ECOLOGIC


def state_of(claim: Claim) -> str:
    for key, text in words(claim.organism).items():
        if claim.status == text:
            return key
    return "unknown"


def set_state(claim: Claim, key: str, reason: str | None = None) -> None:
    claim.status = words(claim.organism)[key]
    claim.reject_reason = reason if key in ("rejected", "notconform") else None
    claim.updated_at = now()


def product_of(claim: Claim) -> Product | None:
    body = claim.body
    if claim.organism == "ecosystem":
        return db().query(Product).filter_by(eco_id=(body.get("Product") or {}).get("ProductID")).first()
    return db().query(Product).filter_by(ecl_id=(body.get("Product") or {}).get("ProductId")).first()


def amounts_of(claim: Claim) -> tuple[Decimal | None, Decimal | None, int]:
    body = claim.body
    if claim.organism == "ecosystem":
        bill = body.get("Bill") or {}
        return (rules.money((bill.get("TotalAmountInclVAT") or {}).get("amount")),
                rules.money((bill.get("AmountCovered") or {}).get("amount")),
                int((body.get("SpareParts") or {}).get("CircularEconomyPartsAmount") or 0))
    quote = body.get("Quote") or {}
    return (rules.money((quote.get("TotalAmountInclVAT") or {}).get("Amount")),
            rules.money((quote.get("SupportAmount") or {}).get("Amount")), 0)


def repair_date_of(claim: Claim) -> dt.date | None:
    if claim.organism == "ecosystem":
        return rules.parse_date(claim.body.get("RepairDate"))
    return rules.parse_date(claim.params.get("repairenddate"))


def automatic_controls(claim: Claim) -> str | None:
    """The reject reason the organism's automatic controls would give, or None."""
    product, day = product_of(claim), repair_date_of(claim)
    ttc, bonus, circular = amounts_of(claim)
    if product is None or day is None or ttc is None or bonus is None:
        return "00 : Contrôles automatisés (données de la demande incomplètes)"
    problems = rules.amount_problems(product, day, ttc, bonus, circular)
    if problems:
        code, message = problems[0]
        label = next(r for r in REJECT_REASONS if r.startswith(code))
        return f"{label} ({message})"
    duplicate = db().query(Claim).filter(Claim.id != claim.id, Claim.organism == claim.organism,
                                         Claim.reference == claim.reference, Claim.submitted_at.isnot(None),
                                         Claim.repairer_pk == claim.repairer_pk,
                                         Claim.status.notin_([ECOSYSTEM["rejected"], ECOLOGIC["rejected"], ECOLOGIC["notconform"]])
                                         ).first()  # a refused claim filed again is not a duplicate
    if duplicate is not None:
        return "05 : Doublon demande traitée (une facture portant le même numéro a déjà fait l'objet d'une demande)"
    if claim.organism == "ecosystem":
        types = {f.file_type for f in claim.files if f.uploaded}
        if "serial_tag" not in types:
            return ("15 : Plaque signalétique du téléphone portable manquant" if product.is_phone
                    else "00 : Contrôles automatisés (photo de la plaque signalétique manquante)")
    return None


def review(claim: Claim) -> None:
    """Apply the automatic controls to a submitted claim: accepted, or rejected with a reason."""
    reason = automatic_controls(claim)
    set_state(claim, "rejected", reason) if reason else set_state(claim, "accepted")


def pay(claims: list[Claim], reference: str | None = None, day: dt.date | None = None) -> Payment:
    """Pay accepted claims of one organism in one batch with a payment reference."""
    organisms = {c.organism for c in claims}
    if len(organisms) != 1:
        raise ValueError("un lot de paiement ne mélange pas les éco-organismes")
    payment = Payment(reference=reference or f"VIR-{secrets.token_hex(4).upper()}", organism=organisms.pop(),
                      paid_on=day or paris_today(), total=sum((c.amount for c in claims), Decimal("0")))
    db().add(payment)
    for c in claims:
        set_state(c, "paid")
        c.payment_ref = payment.reference
    return payment


def advance_due() -> None:
    """Move claims on when the automatic clock is on: submitted -> reviewed -> paid."""
    delay = current_app.config["AUTO_ADVANCE_SECONDS"]
    if not delay:
        return
    session, cutoff = db(), now() - dt.timedelta(seconds=delay)
    due = session.query(Claim).filter(Claim.updated_at <= cutoff).all()
    to_pay: dict[str, list[Claim]] = {}
    for claim in due:
        key = state_of(claim)
        if key == "submitted":
            review(claim)
        elif key == "accepted":
            to_pay.setdefault(claim.organism, []).append(claim)
    for organism, claims in to_pay.items():
        pay(claims, f"AUTO-{organism[:3].upper()}-{secrets.token_hex(3).upper()}")
    if due:
        session.commit()


def brand_by(organism: str, brand_id: str | None) -> Brand | None:
    column = Brand.eco_id if organism == "ecosystem" else Brand.ecl_id
    return db().query(Brand).filter(column == str(brand_id)).first() if brand_id else None
