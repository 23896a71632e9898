"""The four invoice mentions added by the e-invoicing reform, and the dates they apply from.

Source: CGI, annexe II, art. 242 nonies A, I (mentions added by décret n° 2022-1299 du 7 octobre 2022,
art. 2; their dates of application set by décret n° 2024-266 du 25 mars 2024, JO du 27, after the
finance law for 2024 moved the reform to 2026-2027):
- the customer's SIREN (a business customer: a private person has none);
- «l'adresse de livraison des biens si elle est différente de l'adresse du client» (for a home
  repair: the place where the service was done, when the invoice goes to another address);
- whether the operations are «exclusivement des livraisons de biens», «exclusivement des prestations
  de services», or both;
- «Option pour le paiement de la taxe d'après les débits» when the seller has opted (CGI art. 269,
  2, c; ann. III art. 77).
They are compulsory from 1 September 2026 for large companies and ETI, 1 September 2027 for SMEs and
micro-enterprises (the repair shops), the dates of issuing e-invoices. Nothing forbids printing them
earlier, and the Factur-X we issue carries them anyway: they are printed on every invoice.

Pure: takes the invoice's snapshots (dicts) and its lines, no Flask, no database.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

SOURCE = "CGI ann. II art. 242 nonies A, I (décret 2022-1299; dates: décret 2024-266)"
MANDATORY_FROM = {"large": dt.date(2026, 9, 1), "sme": dt.date(2027, 9, 1)}  # grandes entreprises et ETI / PME et micro

GOODS, SERVICES, BOTH = "goods", "services", "both"
GOODS_KINDS = frozenset({"part"})  # a part supplied; diagnosis, labour, travel are services
NATURE_TEXT = {GOODS: _l("Opérations constituées exclusivement de livraisons de biens"),
               SERVICES: _l("Opérations constituées exclusivement de prestations de services"),
               BOTH: _l("Opérations constituées de livraisons de biens et de prestations de services")}
# BT-23 (Business process type) as the French e-invoicing framework uses it, the «cadre de
# facturation»: B1 goods, S1 services, M1 both (spécifications externes de la facturation électronique).
NATURE_PROCESS = {GOODS: "B1", SERVICES: "S1", BOTH: "M1"}
OPTION_DEBITS_TEXT = _l("Option pour le paiement de la taxe d'après les débits")


def mandatory_on(day: dt.date, size: str = "sme") -> bool:
    """Whether the four mentions are compulsory on an invoice of `day` for a company of this size."""
    return day >= MANDATORY_FROM[size]


def nature(lines) -> str:
    """GOODS, SERVICES or BOTH from the line kinds (each line has `.kind`)."""
    kinds = {GOODS if line.kind in GOODS_KINDS else SERVICES for line in lines}
    if kinds == {GOODS}:
        return GOODS
    return BOTH if GOODS in kinds else SERVICES


def is_business(buyer: dict) -> bool:
    return (buyer or {}).get("kind") == "business"


def buyer_siren(buyer: dict) -> str | None:
    """The business customer's SIREN: its own, or its SIRET's first 9 digits."""
    if not is_business(buyer):
        return None
    siret = buyer.get("siret") or ""
    return buyer.get("siren") or (siret[:9] if len(siret) == 14 else None)


def billing_address(buyer: dict) -> dict:
    """Where the invoice goes: the billing address when there is one, else the customer's address."""
    billing = (buyer or {}).get("billing")
    if billing and any(billing.get(k) for k in ("street", "postcode", "city")):
        return {k: billing.get(k) for k in ("street", "postcode", "city")}
    return {k: (buyer or {}).get(k) for k in ("street", "postcode", "city")}


def delivery_address(buyer: dict, appliance: dict) -> dict | None:
    """The place of a home repair when the invoice goes to another address; None otherwise (the
    appliance handed back at the shop, or invoiced at the same address)."""
    if not (appliance or {}).get("onsite"):
        return None
    place = {k: (buyer or {}).get(k) for k in ("street", "postcode", "city")}
    if not any(place.values()) or _same(place, billing_address(buyer)):
        return None
    return place


def _same(a: dict, b: dict) -> bool:
    def norm(v):
        return " ".join(str(v or "").lower().split())
    return all(norm(a.get(k)) == norm(b.get(k)) for k in ("street", "postcode", "city"))


@dataclass(frozen=True)
class Mentions:
    nature: str  # GOODS, SERVICES or BOTH
    buyer_siren: str | None
    delivery: dict | None  # {street, postcode, city}
    option_debits: bool

    @property
    def nature_text(self) -> str:
        return str(NATURE_TEXT[self.nature])

    @property
    def process_type(self) -> str:
        return NATURE_PROCESS[self.nature]

    @property
    def option_debits_text(self) -> str | None:
        return str(OPTION_DEBITS_TEXT) if self.option_debits else None


def for_invoice(buyer: dict, appliance: dict, lines, option_debits: bool) -> Mentions:
    return Mentions(nature=nature(lines), buyer_siren=buyer_siren(buyer), delivery=delivery_address(buyer, appliance),
                    option_debits=bool(option_debits))
