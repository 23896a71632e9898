"""The claim as the organism receives it, built from what the shop already recorded: the intake
(customer, appliance, symptom, site), the quote (repair code, parts, labour) and the invoice
(number, date, amounts, PDF). Nothing is typed a second time."""
from __future__ import annotations

import datetime as dt
from dataclasses import fields
from decimal import Decimal

from flask_babel import lazy_gettext as _l

from ..billing.models import Invoice, InvoiceLine, Quote
from ..catalog.models import Brand, ProductType
from ..eco import types as eco
from ..eco.models import EcoAccount
from ..eco.registry import provider
from ..extensions import db
from ..repairs.models import Appliance, Customer, RepairOrder
from ..shops.models import RepairSite
from .models import Claim


def _sum(lines: list[InvoiceLine], *kinds: str) -> Decimal:
    return sum((ln.total_ht for ln in lines if ln.kind in kinds), Decimal("0.00"))


def build(claim: Claim) -> eco.ClaimPayload:
    """Everything the organism needs for this claim. Ids the shop has not linked yet come out empty,
    and `missing` names them."""
    invoice = db.session.get(Invoice, claim.invoice_id)
    order = db.session.get(RepairOrder, claim.order_id)
    quote = db.session.get(Quote, invoice.quote_id) if invoice.quote_id else None
    appliance = db.session.get(Appliance, order.appliance_id)
    customer = db.session.get(Customer, order.customer_id)
    product = db.session.get(ProductType, appliance.product_type_id) if appliance.product_type_id else None
    brand = db.session.get(Brand, appliance.brand_id) if appliance.brand_id else None
    site = db.session.get(RepairSite, order.site_id) if order.site_id else None
    account = db.session.execute(db.select(EcoAccount).where(EcoAccount.organism == claim.organism)).scalar_one_or_none()
    organism = provider(claim.organism)
    ext = organism.catalog_id_attr
    brand_id = getattr(brand, ext, None) if brand else None
    lines = list(invoice.lines)
    parts = [ln for ln in lines if ln.kind == "part"]
    buyer = invoice.buyer  # the customer as invoiced
    payload = eco.ClaimPayload(
        reference=invoice.number, repair_date=invoice.issued_on,
        repairer_id=account.repairer_id if account else None,
        site_id=getattr(site, organism.site_id_attr) if site else "",
        product_id=getattr(product, ext, None) or "" if product else "",
        brand_id=brand_id or organism.other_brand_id,
        brand_name=None if brand_id else appliance.brand_name,
        serial_number=appliance.serial_number,
        customer=eco.Customer(title=buyer.get("title") or customer.title or "", last_name=buyer["last_name"],
                              first_name=buyer["first_name"], email=buyer.get("email"), phone=buyer.get("phone"),
                              street=buyer["street"], postcode=buyer["postcode"], city=buyer["city"]),
        total_incl_vat=invoice.total_ttc, bonus=invoice.bonus_amount,
        repair_code=quote.repair_code if quote else None, symptom_code=order.symptom_code,
        commercial_reference=appliance.commercial_reference, purchase_date=appliance.purchase_date,
        failure_description=order.fault_description, quote_number=quote.number if quote else None,
        labor_cost=_sum(lines, "labour", "diagnosis"), spare_parts_cost=_sum(lines, "part"), travel_cost=_sum(lines, "travel"),
        total_excl_vat=invoice.total_ht,
        new_parts=sum(1 for p in parts if p.part_origin != "reused"),
        circular_parts=sum(1 for p in parts if p.part_origin == "reused"),
    )
    apply_corrections(payload, claim.corrections or {})
    return payload


def apply_corrections(payload: eco.ClaimPayload, corrections: dict) -> None:
    """Fields corrected on the claim after a refusal (the rejection workbench) win over the records."""
    for name, value in corrections.items():
        if name == "purchase_date" and value:
            value = dt.date.fromisoformat(value)
        if name.startswith("customer."):
            setattr(payload.customer, name.split(".", 1)[1], value or None)
        else:
            setattr(payload, name, value or None)


# What each organism cannot do without is its provider's `required_fields` (DOMAIN.md §4; the
# pre-flight adds the rules on dates, amounts and files).
LABELS = {
    "repairer_id": _l("l'identifiant réparateur du compte"), "site_id": _l("l'identifiant du lieu de réparation chez l'organisme"),
    "product_id": _l("l'identifiant du type de produit chez l'organisme"), "brand_id": _l("la marque chez l'organisme"),
    "serial_number": _l("le numéro de série"), "repair_code": _l("le code de réparation (sur le devis)"),
    "symptom_code": _l("le code symptôme (sur le bon de prise en charge)"), "customer.email": _l("l'e-mail du client"),
}


def missing_keys(claim: Claim, payload: eco.ClaimPayload | None = None) -> list[str]:
    """The required fields (names of the provider's `required_fields`) the claim still lacks."""
    payload = payload or build(claim)
    absent = []
    for name in provider(claim.organism).required_fields:
        obj, attr = (payload.customer, name.split(".", 1)[1]) if name.startswith("customer.") else (payload, name)
        if not getattr(obj, attr, None):
            absent.append(name)
    return absent


def missing(claim: Claim, payload: eco.ClaimPayload | None = None) -> list[str]:
    """What the claim still lacks for its organism, in French."""
    return [str(LABELS[name]) for name in missing_keys(claim, payload)]


def filled_fields(payload: eco.ClaimPayload) -> int:
    """How many fields of the payload carry a value (for the figures of the note)."""
    count = 0
    for f in fields(payload):
        value = getattr(payload, f.name)
        if isinstance(value, eco.Customer):
            count += sum(1 for g in fields(value) if getattr(value, g.name))
        elif value not in (None, "", 0):
            count += 1
    return count
