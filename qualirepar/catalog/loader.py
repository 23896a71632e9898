"""`flask catalog load`: fill an empty catalog from the shipped CSVs (both grids, dated)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..core.clock import paris_today
from ..extensions import db
from .models import BonusTariff, Brand, Code, ProductType
from .reference import PIEC_PRODUCTS, fiche_for, iris_codes, norm, rows

SCHEME_START = dt.date(2022, 12, 15)


def _date(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def ensure_iris_codes(today: dt.date | None = None) -> int:
    """The IRIS condition and symptom codes as iris_codes.csv lists them now, in a catalog loaded
    before: missing ones added, labels brought up to date, dropped ones closed. Returns the changes."""
    wanted = {(kind, code): label for kind, code, label in iris_codes()}
    existing = {(c.kind, c.code): c for c in db.session.execute(
        db.select(Code).where(Code.organism == "iris", Code.product_type_id.is_(None))).scalars()}
    changes = 0
    for (kind, code), label in wanted.items():
        row = existing.get((kind, code))
        if row is None:
            db.session.add(Code(organism="iris", kind=kind, code=code, label=label, norm=norm(f"{code} {label}"), valid_from=SCHEME_START))
            changes += 1
        elif row.label != label or row.valid_to is not None:
            row.label, row.norm, row.valid_to = label, norm(f"{code} {label}"), None
            changes += 1
    for key, row in existing.items():
        if key not in wanted and row.valid_to is None:
            row.valid_to = max(row.valid_from, (today or paris_today()) - dt.timedelta(days=1))
            changes += 1
    return changes


def load_csv() -> dict:
    """Load product types, tariffs, brands and IRIS codes; a catalog already loaded only gets its
    IRIS codes brought up to date."""
    if db.session.execute(db.select(ProductType.id).limit(1)).first():
        changes = ensure_iris_codes()
        db.session.commit()
        return {"codes mis à jour": changes} if changes else {}
    ecologic_ids = {norm(r["product_name"]): r["product_id"] for r in rows("ecologic_product_types_sample.csv")}
    piec = {key: _date(r["valid_from"]) for r in rows("piec_majoration.csv") for key in PIEC_PRODUCTS.get(r["equipment"], ())}
    products: dict[str, ProductType] = {}
    tariffs = 0
    for r in rows("bonus_amounts.csv"):
        key = norm(r["category"])
        product = products.get(key)
        if product is None:
            piec_from = next((d for k, d in piec.items() if key.startswith(k)), None)
            product = ProductType(name=r["category"], norm=key, family=r["family"], fiche_code=fiche_for(r["family"], r["category"]),
                                  ecologic_id=ecologic_ids.get(key), valid_from=_date(r["valid_from"]), piec_from=piec_from)
            products[key] = product
            db.session.add(product)
        product.family, product.fiche_code = r["family"], fiche_for(r["family"], r["category"])
        product.valid_from = min(product.valid_from, _date(r["valid_from"]))
        if r["amount_eur"]:  # a listed product whose amount was not found gets no tariff, not a guess
            product.tariffs.append(BonusTariff(amount=Decimal(r["amount_eur"]), threshold=Decimal(r["threshold_eur"]) if r["threshold_eur"] else None,
                                               valid_from=_date(r["valid_from"]), valid_to=_date(r["valid_to"]),
                                               confidence=r["confidence"] or None))
            tariffs += 1
    brands = 0
    for r in rows("brands.csv"):
        if r["brand_id"] == "0000":
            continue  # ecosystem's "other brand": a claim field, not a brand
        db.session.add(Brand(name=r["brand_name"], norm=norm(r["brand_name"]), organism="ecologic", ecologic_id=r["brand_id"],
                             valid_from=SCHEME_START))
        brands += 1
    codes = ensure_iris_codes()
    db.session.commit()
    return {"produits": len(products), "montants": tariffs, "marques": brands, "codes": codes}
