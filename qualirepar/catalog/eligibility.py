"""Is a repair eligible for the bonus, who pays, and how much: the one implementation of the
rules (DOMAIN.md §2-3), used by the lookup screen, quotes and the claims' pre-flight alike."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import format_currency, format_date
from flask_babel import gettext as _

from ..extensions import db
from ..shops.models import FICHES_METIER, FicheMetier
from .models import BonusTariff, Brand, ProductType

PIEC_RATE = Decimal("1.20")
CENT = Decimal("0.01")


@dataclass
class Verdict:
    eligible: bool
    organism: str | None = None  # ecosystem or ecologic: who pays
    amount: Decimal | None = None  # the bonus to deduct, reused-part majoration included
    base_amount: Decimal | None = None  # the tariff's amount
    tariff_id: int | None = None
    threshold: Decimal | None = None
    reasons: list[str] = field(default_factory=list)  # why not, in French
    notes: list[str] = field(default_factory=list)  # worth knowing, not blocking


def euros(amount: Decimal) -> str:
    return format_currency(amount, "EUR")


def tariff_on(product: ProductType, day: dt.date) -> BonusTariff | None:
    return db.session.execute(
        db.select(BonusTariff).where(BonusTariff.product_type_id == product.id, BonusTariff.valid_on(day))
        .order_by(BonusTariff.valid_from.desc()).limit(1)
    ).scalar_one_or_none()


def bonus_amount(product: ProductType, tariff: BonusTariff, day: dt.date, reused_part: bool) -> Decimal:
    """The tariff, raised by 20 % for a reused (circular-economy) part where the product allows it."""
    if reused_part and product.piec_from and day >= product.piec_from:
        return (tariff.amount * PIEC_RATE).quantize(CENT, rounding=ROUND_HALF_UP)
    return tariff.amount


def business_refusal() -> str:
    """Why a business customer gets no bonus: the fund pays for repairs of products held by
    consumers (loi AGEC du 10 février 2020, Code de l'environnement art. L. 541-10-4; DOMAIN.md
    §1 and §3: «household EEE held by a consumer (particulier)»)."""
    return _("Client professionnel : le bonus réparation est réservé aux particuliers.")


def check(product_type_id: int | None, brand_id: int | None, repair_date: dt.date, total_incl_vat: Decimal,
          reused_part: bool = False, shop_id: int | None = None, business_customer: bool = False) -> Verdict:
    """The verdict for one repair. `total_incl_vat` is the invoice total before the bonus.

    With `shop_id`, the shop must also hold the product's fiche métier on the repair date. A
    business customer is refused first, whatever the product (business_refusal).
    """
    v = Verdict(eligible=False)
    if business_customer:
        v.reasons.append(business_refusal())
    day = format_date(repair_date)
    product = db.session.get(ProductType, product_type_id) if product_type_id else None
    brand = db.session.get(Brand, brand_id) if brand_id else None
    if product is None:
        v.reasons.append(_("Type de produit inconnu : choisissez-le dans la liste."))
    if brand is None:
        v.reasons.append(_("Marque inconnue : choisissez-la dans la liste des marques."))
    elif not brand.organism or not brand.is_valid_on(repair_date):
        v.reasons.append(_("La marque « %(brand)s » n'est couverte par aucun éco-organisme au %(day)s.", brand=brand.name, day=day))
    else:
        v.organism = brand.organism
    if total_incl_vat is None or total_incl_vat <= 0:
        v.reasons.append(_("Indiquez le montant TTC de la facture, avant déduction du bonus."))
    if product is None:
        return v
    if not product.is_valid_on(repair_date):
        v.reasons.append(_("« %(product)s » n'est pas dans le dispositif au %(day)s.", product=product.name, day=day))
        return v
    tariff = tariff_on(product, repair_date)
    if tariff is None:
        v.reasons.append(_("Aucun montant de bonus connu pour « %(product)s » au %(day)s.", product=product.name, day=day))
        return v
    v.tariff_id, v.base_amount, v.threshold = tariff.id, tariff.amount, tariff.threshold
    v.amount = bonus_amount(product, tariff, repair_date, reused_part)
    if reused_part and v.amount == tariff.amount:
        v.notes.append(_("La majoration de 20 % pour une pièce de réemploi ne s'applique pas à ce produit à cette date."))
    if shop_id is not None and not _shop_holds(shop_id, product.fiche_code, repair_date):
        v.reasons.append(_("La boutique n'est pas labellisée pour la fiche métier « %(fiche)s » au %(day)s.",
                           fiche=FICHES_METIER.get(product.fiche_code, product.fiche_code), day=day))
    if total_incl_vat and total_incl_vat > 0:
        if tariff.threshold is not None and total_incl_vat < tariff.threshold:
            v.reasons.append(_("Seuil non atteint : la réparation doit coûter au moins %(threshold)s TTC (facture : %(ttc)s).",
                               threshold=euros(tariff.threshold), ttc=euros(total_incl_vat)))
        elif total_incl_vat < v.amount:
            v.reasons.append(_("Le montant TTC (%(ttc)s) est inférieur au bonus (%(amount)s) : pas de bonus.",
                               ttc=euros(total_incl_vat), amount=euros(v.amount)))
    v.eligible = not v.reasons
    if not v.eligible:
        v.amount = None
    return v


def _shop_holds(shop_id: int, fiche_code: str, day: dt.date) -> bool:
    fiches = db.session.execute(
        db.select(FicheMetier).where(FicheMetier.shop_id == shop_id, FicheMetier.code == fiche_code)).scalars()
    return any(f.is_valid_on(day) for f in fiches)
