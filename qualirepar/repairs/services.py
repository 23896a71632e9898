"""Repair order operations: intake (customer, appliance, number, return detection), transitions,
unlinking a return, search. Called by views, jobs and tests alike."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from types import SimpleNamespace

from flask_babel import gettext as _
from sqlalchemy import or_
from sqlalchemy.orm import selectinload

from ..audit import note, utcnow
from ..catalog.reference import norm
from ..billing.payments import balance
from ..billing.queries import invoice_of
from ..catalog.eligibility import euros
from ..checklists import safety
from ..core.clock import paris_date, paris_today
from ..extensions import db
from ..numbering import next_number
from . import customers, states
from .models import BUSINESS, PRIVATE, Appliance, Customer, RepairOrder
from .returns import identifying, normalise_serial, warranty_ends, within_warranty


@dataclass
class IntakeData:
    """What the bon de prise en charge collects (the label's fields); `extra` holds the shop's own."""

    last_name: str
    first_name: str
    street: str
    postcode: str
    city: str
    phone: str
    service_requested: str
    fault_description: str
    serial_number: str
    brand_name: str
    email: str | None = None
    title: str = ""
    product_type_id: int | None = None
    brand_id: int | None = None
    commercial_reference: str | None = None
    purchase_date: dt.date | None = None
    parts_info: str | None = None
    symptom_code: str | None = None
    accessories: str | None = None
    visible_condition: str | None = None
    kind: str = "workshop"
    site_id: int | None = None
    technician_id: int | None = None
    customer_id: int | None = None
    extra: dict | None = None
    intake_on: dt.date | None = None
    customer_kind: str = PRIVATE  # a business: company and identifiers below (repairs.customers)
    company: str | None = None
    siren: str | None = None
    siret: str | None = None
    vat_number: str | None = None
    billing_street: str | None = None
    billing_postcode: str | None = None
    billing_city: str | None = None
    po_reference: str | None = None


def customer_search_key(c: Customer) -> str:
    return " ".join(filter(None, (norm(c.last_name), norm(c.first_name), re.sub(r"\D", "", c.phone or ""),
                                  (c.email or "").lower(), norm(c.company or ""), c.siren or "")))


def _next_number(day: dt.date) -> str:
    """D-<year>-<n>, consecutive per shop and year."""
    return f"D-{day.year}-{next_number(f'order:{day.year}'):05d}"


def _customer(data: IntakeData) -> Customer:
    business = data.customer_kind == BUSINESS
    # checked before anything is added: a bad SIREN leaves nothing half-saved (CustomerRefused)
    ids = customers.check_business(data.company, data.siren, data.siret, data.vat_number) if business else None
    customer = db.session.get(Customer, data.customer_id) if data.customer_id else None
    if customer is None:
        customer = Customer()
        db.session.add(customer)
    for name in ("title", "last_name", "first_name", "street", "postcode", "city", "phone", "email"):
        setattr(customer, name, (getattr(data, name) or "").strip() or (None if name == "email" else ""))
    customer.kind = BUSINESS if business else PRIVATE
    customer.company = data.company.strip() if business else None
    customer.siren, customer.siret, customer.vat_number = (ids.siren, ids.siret, ids.vat_number) if ids else (None, None, None)
    for name in ("billing_street", "billing_postcode", "billing_city"):
        setattr(customer, name, (getattr(data, name) or "").strip() or None)
    customer.search = customer_search_key(customer)
    return customer


def _appliance(data: IntakeData, customer: Customer) -> Appliance:
    serial = normalise_serial(data.serial_number)
    appliance = None
    if customer.id and serial:
        appliance = db.session.execute(db.select(Appliance).where(
            Appliance.customer_id == customer.id, Appliance.serial_norm == serial)).scalars().first()
    if appliance is None:
        appliance = Appliance(customer=customer)
        db.session.add(appliance)
    appliance.product_type_id, appliance.brand_id = data.product_type_id, data.brand_id
    appliance.brand_name = data.brand_name.strip()
    appliance.commercial_reference = data.commercial_reference
    appliance.serial_number, appliance.serial_norm = data.serial_number.strip(), serial
    appliance.purchase_date = data.purchase_date
    return appliance


SNAPSHOT_CUSTOMER = ("title", "last_name", "first_name", "street", "postcode", "city", "phone", "email",
                     "kind", "company", "siren", "siret", "vat_number", "billing_street", "billing_postcode", "billing_city")
SNAPSHOT_APPLIANCE = ("product_type_id", "brand_id", "brand_name", "commercial_reference", "serial_number", "purchase_date")


def _snapshot(customer: Customer, appliance: Appliance) -> dict:
    """The customer and the appliance as the bon states them on the day of intake."""
    device = {k: getattr(appliance, k) for k in SNAPSHOT_APPLIANCE}
    device["purchase_date"] = device["purchase_date"].isoformat() if device["purchase_date"] else None
    return {"customer": {k: getattr(customer, k) for k in SNAPSHOT_CUSTOMER}, "appliance": device}


def as_of_intake(order: RepairOrder) -> tuple:
    """(customer, appliance) as they were on the bon: the snapshot, or the records for older orders."""
    snap = order.intake_snapshot
    if not snap:
        return order.customer, order.appliance
    device = dict(snap["appliance"])
    device["purchase_date"] = dt.date.fromisoformat(device["purchase_date"]) if device["purchase_date"] else None
    customer = SimpleNamespace(**({k: None for k in SNAPSHOT_CUSTOMER} | snap["customer"]))  # older bons: a private person
    customer.kind = customer.kind or PRIVATE
    customer.is_business = customer.kind == BUSINESS
    customer.person_name = f"{customer.last_name.upper()} {customer.first_name}".strip()
    customer.display_name = f"{customer.company} ({customer.person_name})" if customer.is_business and customer.company \
        else customer.person_name
    return customer, SimpleNamespace(**device)


def create_intake(data: IntakeData) -> RepairOrder:
    """Record a bon de prise en charge: customer, appliance, numbered order, warranty-return link."""
    day = data.intake_on or paris_today()
    customer = _customer(data)
    appliance = _appliance(data, customer)
    db.session.flush()
    order = RepairOrder(
        number=_next_number(day), kind=data.kind, customer_id=customer.id, appliance_id=appliance.id, site_id=data.site_id,
        technician_id=data.technician_id, service_requested=data.service_requested.strip(), parts_info=data.parts_info,
        fault_description=data.fault_description.strip(), symptom_code=data.symptom_code, accessories=data.accessories,
        po_reference=(data.po_reference or "").strip() or None,
        visible_condition=data.visible_condition, extra=data.extra or {}, intake_on=day,
        intake_snapshot=_snapshot(customer, appliance))
    db.session.add(order)
    db.session.flush()
    origin = find_warranty_origin(order)
    if origin is not None:
        order.warranty_of_id = origin.id
        note(order, "warranty_return_detected", {"warranty_of": (None, origin.number)})
    db.session.commit()
    return order


def find_warranty_origin(order: RepairOrder) -> RepairOrder | None:
    """The latest earlier repair of the same appliance handed back within 3 months of this intake:
    by normalised serial number first, else by the same customer, product type and brand."""
    appliance = db.session.get(Appliance, order.appliance_id)
    earlier = (db.select(RepairOrder).join(Appliance, RepairOrder.appliance_id == Appliance.id)
               .where(RepairOrder.id != order.id, RepairOrder.status == states.HANDED_BACK,
                      RepairOrder.repaired_at.isnot(None), RepairOrder.handed_back_at.isnot(None))
               .order_by(RepairOrder.handed_back_at.desc()))
    candidates = []
    if identifying(appliance.serial_norm):
        by_serial = earlier.where(Appliance.serial_norm == appliance.serial_norm)
        if appliance.product_type_id:
            by_serial = by_serial.where(or_(Appliance.product_type_id == appliance.product_type_id, Appliance.product_type_id.is_(None)))
        candidates = db.session.execute(by_serial).scalars().all()
    if not candidates and appliance.product_type_id:
        customer = db.session.get(Customer, order.customer_id)
        same = [Appliance.product_type_id == appliance.product_type_id,
                # the same household, whether or not the counter picked the existing customer record
                or_(RepairOrder.customer_id == order.customer_id, Customer.search == customer.search)]
        same.append(Appliance.brand_id == appliance.brand_id if appliance.brand_id else
                    Appliance.brand_name == appliance.brand_name)
        candidates = db.session.execute(earlier.join(Customer, RepairOrder.customer_id == Customer.id).where(*same)).scalars().all()
    for candidate in candidates:
        if within_warranty(paris_date(candidate.handed_back_at), order.intake_on):
            return candidate
    return None


def warranty_end_of(order: RepairOrder) -> dt.date | None:
    """The last day of the 3-month warranty of a repaired, handed-back order."""
    if order.repaired_at and order.handed_back_at:
        return warranty_ends(paris_date(order.handed_back_at))
    return None


def transition(order: RepairOrder, action: str, guard=None, commit: bool = True) -> RepairOrder:
    """Apply `action` through the transition table; `guard(order, action)` may refuse it. A safety
    measure out of its limits always refuses declaring the appliance repaired (checklists.safety)."""
    target = states.next_state(order.status, action)
    safety.guard(order, action)
    if guard is not None:
        guard(order, action)
    before = order.status
    order.status = target
    if target == states.READY:
        order.repaired_at = utcnow()
    if target == states.HANDED_BACK:
        order.handed_back_at = utcnow()
    note(order, action, {"status": (before, target)})
    if commit:
        db.session.commit()
    return order


def hand_back_guard(order: RepairOrder, action: str) -> None:
    """An invoiced appliance goes back once the invoice is paid."""
    if action != "hand_back":
        return
    invoice = invoice_of(order)
    if invoice is not None and balance(invoice) > 0:
        raise states.RepairOrderError(_("La facture %(n)s n'est pas réglée : reste %(r)s à encaisser avant de rendre l'appareil.",
                                        n=invoice.number, r=euros(balance(invoice))))


def unlink_return(order: RepairOrder, reason: str) -> None:
    """The user decides this is not a warranty return; the reason is kept and audited."""
    reason = (reason or "").strip()
    if not order.warranty_of_id:
        raise states.RepairOrderError(_("Ce dossier n'est pas lié à une réparation précédente."))
    if len(reason) < 5:
        raise states.RepairOrderError(_("Indiquez pourquoi ce dossier n'est pas un retour sous garantie."))
    order.warranty_unlinked_from_id = order.warranty_of_id
    order.warranty_of_id, order.warranty_unlinked_reason = None, reason
    db.session.commit()


def search_customers(text: str, limit: int = 20) -> list[Customer]:
    key = norm(text)
    digits = re.sub(r"\D", "", text or "")
    if len(key) < 2:
        return []
    clauses = [Customer.search.contains(key, autoescape=True)]
    if len(digits) >= 4:
        clauses.append(Customer.search.contains(digits, autoescape=True))
    if "@" in text:
        clauses.append(Customer.search.contains(text.strip().lower(), autoescape=True))
    return list(db.session.execute(db.select(Customer).where(or_(*clauses)).order_by(Customer.last_name).limit(limit)).scalars())


def search_orders(text: str, limit: int = 30) -> list[RepairOrder]:
    """Orders by number, customer (name, phone, e-mail) or appliance serial number; customers and
    appliances come in two queries for the whole page, not two per row."""
    key, serial = norm(text), normalise_serial(text)
    with_parts = db.select(RepairOrder).options(selectinload(RepairOrder.customer), selectinload(RepairOrder.appliance))
    if len(key) < 2:
        return list(db.session.execute(with_parts.order_by(RepairOrder.id.desc()).limit(limit)).scalars())
    query = (with_parts.join(Customer, RepairOrder.customer_id == Customer.id)
             .join(Appliance, RepairOrder.appliance_id == Appliance.id)
             .where(or_(Customer.search.contains(key, autoescape=True), Appliance.serial_norm.contains(serial, autoescape=True),
                        RepairOrder.number.ilike(f"%{text.strip()}%")))
             .order_by(RepairOrder.id.desc()).limit(limit))
    return list(db.session.execute(query).scalars())
