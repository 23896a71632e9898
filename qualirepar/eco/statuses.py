"""The organisms' status words mapped to ours, in one place.

Ours: draft (created, not yet submitted), incomplete (the organism asks for something),
submitted (under review), accepted (approved, payment pending), paid, rejected, cancelled.
"""
from __future__ import annotations

ECOSYSTEM = {
    "En cours de création": "draft",
    "Envoyé, en cours vérification": "submitted",
    "Envoyé, en cours de vérification": "submitted",
    "Envoyé, en cours de confirmation": "submitted",
    "Approuvé, en cours rembourst": "accepted",
    "Remboursement effectué": "paid",
    "Rejeté": "rejected",
    "Annulé": "cancelled",
}

# v1 GetClaimStatus words (contract §3.8), plus the platform's rejection words, which v1 does not
# list: the sandbox uses "Refusé" and "Non conforme" for them (a choice, contract gap).
ECOLOGIC = {
    "A finaliser": "draft",
    "Dossier incomplet": "incomplete",
    "En attente de validation administrateur": "submitted",
    "Remboursement accepté": "accepted",
    "Clôturée": "paid",
    "Refusé": "rejected",
    "Non conforme": "rejected",
    "Annulé": "cancelled",
}

OPEN = {"draft", "incomplete", "submitted", "accepted"}


def normalise(organism: str, text: str | None) -> str:
    text = (text or "").strip()
    table = ECOSYSTEM if organism == "ecosystem" else ECOLOGIC
    if text in table:
        return table[text]
    if text.startswith("Rejeté") or text.startswith("Refusé"):
        return "rejected"
    if "en cours" in text.lower():
        return "submitted"
    return "unknown"
