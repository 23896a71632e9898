"""The codes a person picks (never types): the symptom at intake, the repair code on the quote,
each from the list that belongs to the appliance; and what the counter says of the bonus as soon
as product type and brand are known."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import or_

from ..core.clock import paris_today
from ..extensions import db
from . import eligibility
from .services import brand_by_name
from .models import Brand, Code, ProductType
from .reference import appliance_group, iris_symptom_groups, norm, symptom_fits

# At intake the invoice is not known yet: the verdict is asked with an amount every threshold is
# below, so that every rule but the amount ones speaks; the threshold is then said as a condition.
_UNKNOWN_TOTAL = Decimal("999999.99")


@dataclass
class Choice:
    code: str
    label: str
    organism: str  # iris, ecosystem, ecologic: whose list it comes from


def matches(text: str, code: str, label: str) -> bool:
    key = norm(text)
    return not key or key in norm(f"{code} {label}")


def _dedupe(codes) -> list[Choice]:
    seen, out = set(), []
    for c in codes:
        if c.code not in seen:
            seen.add(c.code)
            out.append(Choice(c.code, c.label, c.organism))
    return out


def symptom_choices(product_type_id: int | None, text: str = "", organism: str | None = None,
                    day: dt.date | None = None) -> list[Choice]:
    """The symptoms of this product type: the organism's own list for the product once synced
    (it decides what it accepts), else the IRIS codes of the appliance's group (iris_codes.csv)."""
    product = db.session.get(ProductType, product_type_id) if product_type_id else None
    if product is None:
        return []
    day = day or paris_today()
    own = db.select(Code).where(Code.kind == "symptom", Code.product_type_id == product.id, Code.organism != "iris",
                                Code.valid_on(day)).order_by(Code.code)
    if organism:
        own = own.where(Code.organism == organism)
    rows = list(db.session.execute(own).scalars())
    if not rows:
        group, groups = appliance_group(product.name, product.family), iris_symptom_groups()
        general = db.select(Code).where(Code.kind == "symptom", Code.organism == "iris", Code.product_type_id.is_(None),
                                        Code.valid_on(day)).order_by(Code.code)
        rows = [c for c in db.session.execute(general).scalars() if symptom_fits(c.code, group, groups)]
    return [c for c in _dedupe(rows) if matches(text, c.code, c.label)]


def repair_code_choices(product_type_id: int | None, organism: str | None = None, text: str = "",
                        day: dt.date | None = None) -> list[Choice]:
    """The repair codes the organism that pays lists for this product (and for every product)."""
    if not product_type_id:
        return []
    query = (db.select(Code).where(Code.kind == "repair", Code.valid_on(day or paris_today()),
                                   or_(Code.product_type_id == product_type_id, Code.product_type_id.is_(None)))
             .order_by(Code.organism, Code.code))
    if organism:
        query = query.where(Code.organism.in_((organism, "iris")))
    return [c for c in _dedupe(db.session.execute(query).scalars()) if matches(text, c.code, c.label)]


def codes_missing(kind: str) -> bool:
    """No code of this kind in the catalog at all: the reference data was never loaded or synced."""
    return db.session.execute(db.select(Code.id).where(Code.kind == kind).limit(1)).first() is None


@dataclass
class IntakeVerdict:
    """What the bon says of the bonus before any invoice exists."""

    known: bool  # product type and brand are both chosen
    eligible: bool = False
    organism: str | None = None
    amount: Decimal | None = None
    threshold: Decimal | None = None
    reasons: tuple[str, ...] = ()
    brand: Brand | None = None


def intake_verdict(product_type_id: int | None, brand_name: str | None, shop_id: int | None,
                   day: dt.date | None = None, business_customer: bool = False) -> IntakeVerdict:
    """Eligible or why not, from product type and brand alone (DOMAIN.md §2-3 through eligibility.check);
    never for a business customer (eligibility.business_refusal)."""
    brand = brand_by_name(brand_name or "")
    if not product_type_id or not (brand_name or "").strip():
        return IntakeVerdict(known=False, brand=brand)
    v = eligibility.check(product_type_id, brand.id if brand else None, day or paris_today(), _UNKNOWN_TOTAL, shop_id=shop_id,
                          business_customer=business_customer)
    return IntakeVerdict(known=True, eligible=v.eligible, organism=v.organism, amount=v.amount, threshold=v.threshold,
                         reasons=tuple(v.reasons), brand=brand)


def symptom_refusal(product_type_id: int | None, brand_name: str | None, code: str | None, shop_id: int | None,
                    business_customer: bool = False) -> str | None:
    """Why the symptom picked at intake cannot stay, in French; None when it can. Required once
    the appliance is bonus-eligible (the claim sends it), and always one of the product's list."""
    code = (code or "").strip()
    choices = symptom_choices(product_type_id)
    if code:
        if choices and code not in {c.code for c in choices}:
            return _("Choisissez le symptôme dans la liste de cet appareil.")
        return None
    if not choices:
        return None  # no list to pick from: the page offers the sync, the claim's pre-flight will ask again
    verdict = intake_verdict(product_type_id, brand_name, shop_id, business_customer=business_customer)
    if verdict.eligible:
        return _("Choisissez le symptôme : l'appareil ouvre droit au bonus réparation et la demande le transmet.")
    return None
