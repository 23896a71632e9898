"""Business customers: their identifiers checked and normalised with python-stdnum (SIREN and
SIRET with their Luhn key, the intra-EU VAT number with, for France, its key computed from the
SIREN), and the buyer as an invoice snapshots it.

A French VAT number is «FR» + a 2-character key + the SIREN; the key of the numeric form is
(12 + 3 × (SIREN mod 97)) mod 97 (stdnum.fr.tva, after the DGFiP's rule). Every refusal names the
field and why, in French; `check_business` returns them all at once so the form shows each beside
its field and nothing is saved.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.eu import vat as eu_vat
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret
from stdnum.fr import tva as fr_tva

from ..core.refusal import Refusal
from .models import BUSINESS, PRIVATE

KINDS = (PRIVATE, BUSINESS)


class CustomerRefused(Refusal, ValueError):
    """A business customer's details refused; `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


def compact(value: str | None) -> str:
    """Spaces, dots and dashes dropped (as printed on a Kbis or an invoice), upper case."""
    return re.sub(r"[\s.\-/]", "", value or "").upper()


def clean_siren(value: str | None) -> str | None:
    """The SIREN as 9 digits, or None when blank; ValueError with the French reason otherwise."""
    text = compact(value)
    if not text:
        return None
    try:
        return fr_siren.validate(text)
    except stdnum_errors.InvalidLength:  # before InvalidFormat, its parent class
        raise ValueError(_("SIREN : 9 chiffres attendus (vous en avez saisi %(n)s).", n=len(text))) from None
    except stdnum_errors.InvalidFormat:
        raise ValueError(_("SIREN : uniquement des chiffres.")) from None
    except stdnum_errors.InvalidChecksum:
        raise ValueError(_("SIREN : la clé de contrôle ne correspond pas, un chiffre est faux. Vérifiez-le sur le Kbis ou une facture.")) from None


def clean_siret(value: str | None) -> str | None:
    """The SIRET as 14 digits (La Poste's exception to the Luhn key included), or None when blank."""
    text = compact(value)
    if not text:
        return None
    try:
        return fr_siret.validate(text)
    except stdnum_errors.InvalidLength:
        raise ValueError(_("SIRET : 14 chiffres attendus (vous en avez saisi %(n)s).", n=len(text))) from None
    except stdnum_errors.InvalidFormat:
        raise ValueError(_("SIRET : uniquement des chiffres.")) from None
    except stdnum_errors.InvalidChecksum:
        raise ValueError(_("SIRET : la clé de contrôle ne correspond pas, un chiffre est faux.")) from None


def clean_vat(value: str | None) -> str | None:
    """An intra-EU VAT number, compact with its country prefix (FR44732829320), or None when blank."""
    text = compact(value)
    if not text:
        return None
    if text[:2].isdigit():  # a French number typed without its prefix
        text = "FR" + text
    if text.startswith("FR"):
        try:
            return "FR" + fr_tva.validate(text)
        except stdnum_errors.InvalidLength:
            raise ValueError(_("N° de TVA : FR puis 11 caractères attendus (2 de clé et les 9 chiffres du SIREN).")) from None
        except stdnum_errors.InvalidChecksum:
            raise ValueError(_("N° de TVA : la clé (les 2 caractères après FR) ne correspond pas au SIREN qui suit.")) from None
        except stdnum_errors.ValidationError:
            raise ValueError(_("N° de TVA : FR, 2 caractères de clé puis le SIREN (9 chiffres).")) from None
    try:
        return eu_vat.validate(text)
    except stdnum_errors.InvalidComponent:
        raise ValueError(_("N° de TVA : « %(c)s » n'est pas un pays de l'Union européenne.", c=text[:2])) from None
    except stdnum_errors.InvalidChecksum:
        raise ValueError(_("N° de TVA : la clé de contrôle ne correspond pas, un caractère est faux.")) from None
    except stdnum_errors.ValidationError:
        raise ValueError(_("N° de TVA : format non reconnu pour ce pays.")) from None


@dataclass
class BusinessIds:
    siren: str | None
    siret: str | None
    vat_number: str | None


def check_business(company: str | None, siren: str | None, siret: str | None, vat: str | None) -> BusinessIds:
    """A business customer's identifiers, checked together: the company name, a SIREN or a SIRET
    (the SIREN is then its first 9 digits) unless the VAT number is another EU country's, the
    SIRET within the SIREN, a French VAT number on the same SIREN. Raises CustomerRefused."""
    errors: dict[str, str] = {}
    cleaned = {}
    for name, cleaner, value in (("siren", clean_siren, siren), ("siret", clean_siret, siret), ("vat_number", clean_vat, vat)):
        try:
            cleaned[name] = cleaner(value)
        except ValueError as exc:
            errors[name] = str(exc)
            cleaned[name] = None
    if not (company or "").strip():
        errors["company"] = _("Raison sociale : obligatoire pour un client professionnel.")
    s, t, v = cleaned["siren"], cleaned["siret"], cleaned["vat_number"]
    if s and t and t[:9] != s:
        errors["siret"] = _("SIRET : ses 9 premiers chiffres (%(a)s) ne sont pas le SIREN saisi (%(b)s).", a=t[:9], b=s)
    siren_of = s or (t[:9] if t else None)
    if v and v.startswith("FR") and siren_of and "siren" not in errors and v[-9:] != siren_of:
        errors["vat_number"] = _("N° de TVA : il porte le SIREN %(a)s, pas celui du client (%(b)s).", a=v[-9:], b=siren_of)
    foreign = bool(v) and not v.startswith("FR")
    if not siren_of and not foreign and not ({"siren", "siret"} & errors.keys()):
        errors["siren"] = _("SIREN : indiquez le SIREN ou le SIRET de l'entreprise (une entreprise d'un autre pays de l'UE : "
                            "son n° de TVA).")
    if errors:
        raise CustomerRefused(errors)
    return BusinessIds(siren=siren_of, siret=t, vat_number=v)


def billing_address(customer) -> dict | None:
    """The invoice address when it differs from where the appliance is, else None."""
    street = (getattr(customer, "billing_street", None) or "").strip()
    if not street:
        return None
    return {"street": street, "postcode": (getattr(customer, "billing_postcode", None) or "").strip(),
            "city": (getattr(customer, "billing_city", None) or "").strip()}


def buyer_snapshot(customer, po_reference: str | None) -> dict:
    """The buyer's keys an invoice freezes (read by the Factur-X writer and the invoice mentions):
    kind, company, siren, siret, vat_number, billing ({street, postcode, city} or None) and
    po_reference (EN 16931 BT-13), added to the person's name and address."""
    business = getattr(customer, "kind", PRIVATE) == BUSINESS
    return {"kind": BUSINESS if business else PRIVATE,
            "company": customer.company if business else None,
            "siren": customer.siren if business else None,
            "siret": customer.siret if business else None,
            "vat_number": customer.vat_number if business else None,
            "billing": billing_address(customer),
            "po_reference": (po_reference or "").strip() or None}


def buyer_kind(buyer: dict | None) -> str:
    """An invoice's buyer kind: invoices issued before business customers have no key and are private."""
    return (buyer or {}).get("kind") or PRIVATE
