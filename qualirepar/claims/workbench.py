"""The rejection workbench: a refused or incomplete claim is explained (the organism's reason
pointed at the field or file concerned), corrected in place, its files replaced, and sent again;
its history stays.

What can be corrected on the claim: the appliance's identification, the repair and symptom codes,
the customer's e-mail and phone, the purchase date and the description of the fault. What cannot:
the invoice's number, date and amounts (an issued invoice is never changed: a credit note and a
new invoice make a new claim).

Sending again: Ecologic updates its copy (`updateclaim`), then the replaced files are attached and
the claim submitted again. ecosystem has no update call: a new claim is filed and the earlier one
stays, with its id, in the history (contract §2.13; the sandbox does not count a refused claim as
a duplicate).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit import note, utcnow
from ..core.clock import paris_today
from ..core.refusal import Refusal
from ..eco.base import EcoClient
from ..eco.registry import PROVIDERS
from ..extensions import db
from ..files.services import UploadRejected, store_upload
from . import payload as payloads
from . import preflight, states
from .models import ATTACHMENT_LABELS, Claim, ClaimEvent
from .queueing import enqueue_submission

# Statuses the workbench works on, and the fields it may change (payload name -> label).
TO_FIX = states.TO_FIX
FIELDS = {
    "serial_number": _l("Numéro de série / IMEI"),
    "commercial_reference": _l("Référence commerciale"),
    "purchase_date": _l("Date d'achat"),
    "repair_code": _l("Code de réparation"),
    "symptom_code": _l("Code symptôme (IRIS)"),
    "customer.email": _l("E-mail du client"),
    "customer.phone": _l("Téléphone du client"),
    "failure_description": _l("Description de la panne"),
}
FILE_KINDS = ("invoice", "nameplate", "device_photo", "consumer_validation")
FILE_TYPES = {"application/pdf", "image/jpeg", "image/png"}
FILE_MAX_BYTES = 10 * 1024 * 1024  # the organisms' limit (sandbox: 10 Mo, contract §5)


@dataclass
class Hint:
    """What a refusal is about: the organism's words, our explanation, and where to act."""

    reason: str
    explanation: str
    fields: tuple[str, ...] = ()  # names of FIELDS
    files: tuple[str, ...] = ()  # kinds of FILE_KINDS
    elsewhere: str | None = None  # an endpoint outside the claim (shop settings, invoice)


# ecosystem's reject reasons "NN : label" (contract §6.11) -> what to look at.
REASON_CODES = {
    "00": (_l("Contrôles automatiques : vérifiez le produit, les montants, le numéro de série et les pièces jointes."),
           ("serial_number", "repair_code"), ("invoice", "nameplate"), None),
    "01": (_l("Le SIRET ou le RCS de la boutique n'apparaît pas : il doit figurer sur la facture."), (), ("invoice",), "shops.settings"),
    "02": (_l("La panne n'est pas éligible : vérifiez le code de réparation et le code symptôme."), ("repair_code", "symptom_code"), (), None),
    "03": (_l("Le client est un professionnel : le bonus est réservé aux particuliers."), (), (), None),
    "05": (_l("Une demande pour cette facture a déjà été traitée."), (), (), None),
    "06": (_l("Le bonus ne correspond pas au barème : une facture rectifiée (avoir puis nouvelle facture) est nécessaire."), (), ("invoice",), None),
    "07": (_l("La facture est illisible : remplacez-la par un scan net ou le PDF."), (), ("invoice",), None),
    "08": (_l("Le bonus n'apparaît pas sur la facture : remplacez-la par la facture qui le porte."), (), ("invoice",), None),
    "09": (_l("Le bonus n'est pas déduit du total : une facture rectifiée est nécessaire."), (), ("invoice",), None),
    "10": (_l("Suspicion de fraude : joignez des photos de l'appareil et de la plaque."), ("serial_number",), ("nameplate", "device_photo"), None),
    "11": (_l("Le client dit ne pas avoir fait réparer : vérifiez ses coordonnées."), ("customer.email", "customer.phone"), (), None),
    "12": (_l("Le client est injoignable : vérifiez son e-mail et son téléphone."), ("customer.email", "customer.phone"), (), None),
    "13": (_l("La pièce jointe n'est pas une facture : joignez la facture."), (), ("invoice",), None),
    "14": (_l("Pièces de réemploi sans accord signé du client : joignez le bon signé."), (), ("consumer_validation",), None),
    "15": (_l("La photo de la plaque signalétique manque : joignez-la."), ("serial_number",), ("nameplate",), None),
}
# Ecologic's validation error fields (contract §6.15) -> what to look at.
ERROR_FIELDS = {
    "Product.SerialNumber": (("serial_number",), ("nameplate",)),
    "Product.IRISSection": (("repair_code",), ()),
    "Product.IRISSymptom": (("symptom_code",), ()),
    "Product.CommercialRef": (("commercial_reference",), ()),
    "Product.PurchaseDate": (("purchase_date",), ()),
    "Consumer.Email": (("customer.email",), ()),
    "Consumer.Phone": (("customer.phone",), ()),
    "Customer.Email": (("customer.email",), ()),
    "Product.ProductIdentificationNumber": (("serial_number",), ("nameplate",)),
    "AttachedFiles.invoice": ((), ("invoice",)),
    "AttachedFiles.serial_tag": ((), ("nameplate",)),
    "Files": ((), ("invoice", "nameplate")),
    "Quote.SupportAmount": ((), ("invoice",)),
}


class WorkbenchError(Refusal):
    """A correction or a resending refused, with the French message to show."""


def hints(claim: Claim) -> list[Hint]:
    """The organism's reasons found in the claim's last error, each pointed at what to fix."""
    text = claim.last_error or ""
    found: list[Hint] = []
    for code in re.findall(r"(?<!\d)(\d\d) : ", text):
        if code in REASON_CODES:
            explanation, fields, files, elsewhere = REASON_CODES[code]
            found.append(Hint(code, str(explanation), fields, files, elsewhere))
    for name, (fields, files) in ERROR_FIELDS.items():
        if name in text:
            found.append(Hint(name, _("L'organisme signale le champ %(f)s.", f=name), fields, files))
    if "numéro de série" in text.lower() and not any("serial_number" in h.fields for h in found):
        found.append(Hint("", _("Vérifiez le numéro de série."), ("serial_number",), ("nameplate",)))
    return found


def current_values(claim: Claim) -> dict[str, str]:
    """The correctable fields as the organism gets them now (records, with corrections on top)."""
    p = payloads.build(claim)
    values = {}
    for name in FIELDS:
        obj, attr = (p.customer, name.split(".", 1)[1]) if name.startswith("customer.") else (p, name)
        value = getattr(obj, attr, None)
        values[name] = value.isoformat() if isinstance(value, dt.date) else (value or "")
    return values


def _check(name: str, value: str) -> str:
    value = (value or "").strip()
    if name == "serial_number" and not value:
        raise WorkbenchError(_("Le numéro de série ne peut pas être vide."))
    if name == "purchase_date" and value:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise WorkbenchError(_("Date d'achat invalide : format AAAA-MM-JJ.")) from None
        if day > paris_today():
            raise WorkbenchError(_("La date d'achat ne peut pas être dans le futur."))
    if name == "customer.email" and value and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        raise WorkbenchError(_("Adresse e-mail invalide."))
    if name == "customer.phone" and value and not re.fullmatch(r"(\+33|0033|0)[1-9]\d{8}", re.sub(r"[\s.\-()]", "", value)):
        raise WorkbenchError(_("Numéro de téléphone français attendu, par exemple 01 23 45 67 89."))
    if len(value) > 200:
        raise WorkbenchError(_("%(f)s : 200 caractères au plus.", f=FIELDS[name]))
    return value


def correct(claim: Claim, values: dict[str, str]) -> list[str]:
    """Correct the given fields on the claim; what changed, in French (also on its timeline)."""
    if claim.status not in TO_FIX:
        raise WorkbenchError(_("Cette demande n'est pas à corriger (statut : %(s)s).", s=claim.status_label))
    before = current_values(claim)
    checked = {name: _check(name, values[name]) for name in FIELDS if name in values}
    changes, corrections = [], dict(claim.corrections or {})
    for name, value in checked.items():
        if value != before[name]:
            corrections[name] = value
            changes.append(_("%(f)s : « %(a)s » → « %(b)s »", f=FIELDS[name], a=before[name] or "—", b=value or "—"))
    if not changes:
        return []
    claim.corrections = corrections
    claim.update_pending = bool(claim.external_id)
    db.session.add(ClaimEvent(claim_id=claim.id, status_before=claim.status, status_after=claim.status,
                              text=_("Corrigé : %(c)s", c="; ".join(changes))))
    note(claim, "corrected", {"corrections": (None, corrections)})
    db.session.commit()
    return changes


def replace_file(claim: Claim, kind: str, upload) -> None:
    """Attach a new file of this kind to the claim; it is sent at the next sending."""
    if claim.status not in TO_FIX:
        raise WorkbenchError(_("Cette demande n'est pas à corriger (statut : %(s)s).", s=claim.status_label))
    if kind not in FILE_KINDS:
        raise WorkbenchError(_("Type de pièce jointe inconnu."))
    if upload is None or not getattr(upload, "filename", ""):
        raise WorkbenchError(_("Choisissez un fichier."))
    try:
        stored = store_upload(upload, "claim_attachment", FILE_TYPES, FILE_MAX_BYTES)
    except UploadRejected as exc:
        raise WorkbenchError(str(exc)) from exc
    db.session.flush()
    attachments = dict(claim.attachments or {})
    replaced = kind in attachments
    attachments[kind] = stored.id
    claim.attachments = attachments
    claim.attached = [k for k in (claim.attached or []) if k != kind]
    label = ATTACHMENT_LABELS.get(kind, kind)
    db.session.add(ClaimEvent(claim_id=claim.id, status_before=claim.status, status_after=claim.status,
                              text=(_("Pièce remplacée : %(k)s (%(f)s)", k=label, f=stored.original_name) if replaced
                                    else _("Pièce ajoutée : %(k)s (%(f)s)", k=label, f=stored.original_name))))
    note(claim, "file_replaced", {"attachments": (None, {kind: stored.id})})
    db.session.commit()


def can_update(organism: str) -> bool:
    """Whether the organism's API changes a claim in place (Ecologic) or needs a new one (ecosystem)."""
    return PROVIDERS[organism].update_claim is not EcoClient.update_claim


def resubmit(claim: Claim) -> str:
    """Send a corrected claim again; the French message of what happens."""
    if claim.status not in TO_FIX:
        raise WorkbenchError(_("Cette demande n'est pas à renvoyer (statut : %(s)s).", s=claim.status_label))
    problems = preflight.check(claim)
    if problems:
        raise WorkbenchError(_("Pas encore : %(p)s", p=preflight.total(problems)))
    claim.last_error = None
    if claim.external_id and can_update(claim.organism):
        claim.update_pending = True
        message = _("Les corrections seront transmises à l'organisme, puis la demande soumise à nouveau.")
    elif claim.external_id and (claim.status == states.REJECTED or claim.update_pending):
        # No update call: a new claim. The earlier one stays in the history (a draft never confirmed
        # is never paid), and the lookup after an unknown outcome will not mistake it for the new one.
        old = claim.external_id
        claim.previous_ids = list(claim.previous_ids or []) + [old]
        claim.external_id, claim.attached, claim.status_text, claim.update_pending = None, [], None, False
        db.session.add(ClaimEvent(claim_id=claim.id, status_before=claim.status, status_after=claim.status,
                                  text=_("%(o)s ne permet pas de modifier une demande : une nouvelle demande est déposée, "
                                         "la demande %(id)s reste dans l'historique.", o=claim.organism, id=old)))
        message = _("Une nouvelle demande sera déposée (l'organisme ne permet pas de modifier la précédente).")
    elif claim.external_id:
        message = _("Les pièces manquantes seront jointes, puis la demande confirmée.")
    else:
        message = _("Demande mise en file d'envoi.")
    claim.step_at = utcnow()
    enqueue_submission(claim)
    return message
