"""Organism-neutral data exchanged with the clients. Money is Decimal, dates are date objects."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass
class DatedAmount:
    amount: Decimal
    valid_from: dt.date
    valid_until: dt.date | None  # None: open-ended


@dataclass
class Code:
    code: str
    label: str


@dataclass
class CatalogProduct:
    product_id: str
    name: str
    eligible_from: dt.date | None
    eligible_until: dt.date | None
    sheet_type: str | None = None  # fiche métier type the repairer must hold (ecosystem ProductSheet.Type)
    amounts: list[DatedAmount] = field(default_factory=list)
    thresholds: list[DatedAmount] = field(default_factory=list)
    repair_codes: list[Code] = field(default_factory=list)
    symptom_codes: list[Code] = field(default_factory=list)
    brand_ids: list[str] = field(default_factory=list)


@dataclass
class CatalogBrand:
    brand_id: str
    name: str
    covered: bool  # paid by this organism (ecosystem: isEcosystemBrand)


@dataclass
class Catalog:
    organism: str
    products: list[CatalogProduct]
    brands: list[CatalogBrand]


@dataclass
class Place:
    place_id: str
    name: str
    postcode: str | None = None
    city: str | None = None
    kind: str = "repair"  # repair or deposit


@dataclass
class BusinessSheet:
    type: str
    number: str | None
    description: str | None
    valid_from: dt.date | None
    valid_to: dt.date | None


@dataclass
class Partners:
    organism: str
    repairer_ids: list[str]
    places: list[Place]
    sheets: list[BusinessSheet] = field(default_factory=list)
    subcontractors: list[dict] = field(default_factory=list)


@dataclass
class Eligibility:
    eligible: bool
    amount: Decimal | None
    organism_code: str | None  # 44 Ecologic, 45 ecosystem
    reasons: list[str] = field(default_factory=list)


@dataclass
class Customer:
    title: str  # "M.", "Mme", "Mlle", "Société"
    last_name: str
    first_name: str
    email: str | None
    phone: str | None
    street: str
    postcode: str
    city: str
    country: str = "FR"


@dataclass
class ClaimPayload:
    """Everything either organism needs to file one claim, taken from the invoice and the order."""

    reference: str  # the shop's invoice number: PurchaseOrderByCustomer / ConsumerInvoiceNumber
    repair_date: dt.date
    repairer_id: str | None  # ecosystem RepairerId (Ecologic: the key's account)
    site_id: str  # RepairPlaceID / RepairSiteId
    product_id: str
    brand_id: str
    serial_number: str
    customer: Customer
    total_incl_vat: Decimal  # before deducting the bonus
    bonus: Decimal
    repair_code: str | None = None
    symptom_code: str | None = None
    iris_condition: str | None = None
    brand_name: str | None = None  # when brand_id is the "other brand" id
    commercial_reference: str | None = None
    purchase_date: dt.date | None = None
    failure_description: str | None = None
    quote_number: str | None = None
    labor_cost: Decimal | None = None
    spare_parts_cost: Decimal | None = None  # excl. VAT
    travel_cost: Decimal | None = None
    total_excl_vat: Decimal | None = None
    new_parts: int = 0
    second_hand_parts: int = 0
    circular_parts: int = 0
    auto_validation: bool = True  # Ecologic: consumer validated without SMS


ATTACHMENT_KINDS = ("invoice", "nameplate", "device_photo", "consumer_validation")


@dataclass
class Attachment:
    kind: str  # one of ATTACHMENT_KINDS
    filename: str
    content_type: str
    data: bytes


@dataclass
class ClaimState:
    """Where a claim stands at the organism, with its normalised status."""

    external_id: str
    status: str  # draft, incomplete, submitted, accepted, paid, rejected, cancelled
    status_text: str  # the organism's own words
    reference: str | None = None
    service_order: str | None = None
    reject_reason: str | None = None
    errors: list = field(default_factory=list)  # FieldError
    amount_covered: Decimal | None = None
    raw: dict = field(default_factory=dict)
