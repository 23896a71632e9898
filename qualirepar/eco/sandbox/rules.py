"""The organisms' checks, as the sandbox applies them (an implementation independent of the app's
own pre-flight, so that each can catch the other's mistakes)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from ...catalog.reference import norm
from .store import Product, Tariff

PIEC_PRODUCTS = ("lavelinge", "lavevaisselle", "refrigerateur", "televiseur", "moniteur", "ordinateurportable", "telephoneportable")


def parse_date(value) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def money(value) -> Decimal | None:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        return None


def tariff_on(product: Product, day: dt.date) -> Tariff | None:
    for t in product.tariffs:
        if t.valid_from <= day and (t.valid_until is None or day <= t.valid_until):
            return t
    return None


def eligible_on(product: Product, day: dt.date) -> bool:
    return product.eligible_from <= day and (product.eligible_until is None or day <= product.eligible_until)


def expected_bonus(product: Product, day: dt.date, circular_parts: int = 0) -> Decimal | None:
    tariff = tariff_on(product, day)
    if tariff is None:
        return None
    amount = tariff.amount

    if circular_parts and any(k in norm(product.name) for k in PIEC_PRODUCTS) and day >= dt.date(2024, 1, 1):
        amount = (amount * Decimal("1.2")).quantize(Decimal("0.01"))
    return amount


def amount_problems(product: Product, day: dt.date, ttc: Decimal, bonus: Decimal, circular_parts: int = 0) -> list[tuple[str, str]]:
    """(reject code, message) for each amount rule broken; empty when the amounts are right."""
    problems = []
    if not eligible_on(product, day):
        return [("02", f"Produit « {product.name} » non éligible à la date de réparation {day.isoformat()}")]
    tariff = tariff_on(product, day)
    if tariff is None:
        return [("02", f"Aucun montant de bonus pour « {product.name} » au {day.isoformat()}")]
    if tariff.threshold is not None and ttc < tariff.threshold:
        problems.append(("00", f"Seuil de déclenchement non atteint : {ttc} € TTC pour un seuil de {tariff.threshold} €"))
    if bonus > ttc:
        problems.append(("00", f"Bonus ({bonus} €) supérieur au montant TTC de la facture ({ttc} €)"))
    expected = expected_bonus(product, day, circular_parts)
    if bonus != expected:
        problems.append(("06", f"Bonus incorrect : {bonus} € déclarés, {expected} € attendus au {day.isoformat()}"))
    return problems
