"""What the PA sandbox checks in a deposit, as a PA would before routing it (in French, as it
answers): an e-invoice must be a readable CII / UBL / Factur-X whose XML holds against its XSD,
with a number; e-reporting data must be a JSON object with its period and totals."""
from __future__ import annotations

import json

from ...core.clock import utcnow


def utc_stamp() -> str:
    return utcnow().isoformat(timespec="seconds")


def check_deposit(kind: str | None, data: bytes, read) -> str | None:
    """The reason to reject, or None. `read` is the e-invoice reader (einvoice.reader.read)."""
    if kind == "ereport":
        return _check_ereport(data)
    if kind != "invoice":
        return "Type de dépôt inconnu (attendu : facture ou données d'e-reporting)."
    result = read(data)
    if not result.found:
        return "Le fichier déposé ne contient pas de facture électronique (XML CII ou UBL, ou PDF Factur-X)."
    if result.invoice is None or not result.schema_valid:
        return "Facture rejetée : " + ("; ".join(result.problems) or "XML illisible.")
    if not result.invoice.number:
        return "Facture rejetée : le numéro de facture (BT-1) est absent."
    if result.invoice.level in ("minimum", "basicwl"):
        return "Facture rejetée : le profil Factur-X MINIMUM ou BASIC WL n'est pas une facture électronique complète."
    return None


def _check_ereport(data: bytes) -> str | None:
    try:
        body = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return "Données d'e-reporting rejetées : ce n'est pas du JSON UTF-8."
    if not isinstance(body, dict) or not body.get("period") or "transactions" not in body:
        return "Données d'e-reporting rejetées : la période ou les transactions manquent."
    return None
