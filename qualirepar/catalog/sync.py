"""Synchronising the catalog and the shop's partner data with an organism.

Everything is fetched first; then one transaction applies it, so a sync that fails half-way leaves
the previous catalog as it was. The organisms' data wins over the CSVs. Applying the same data
twice changes nothing the second time, and the report says so.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import current_app

from ..core.clock import paris_today, utcnow
from ..eco.errors import EcoError
from ..eco.models import EcoAccount
from ..eco.registry import ExchangeLog, client_for, provider
from ..eco.types import Catalog, Partners
from ..extensions import db
from ..shops.models import FICHES_METIER, FicheMetier, RepairSite
from .models import BonusTariff, Brand, CatalogSync, Code, ProductType
from .reference import fiche_for, norm

ORGANISM_LABEL = {"ecosystem": "ecosystem", "ecologic": "Ecologic"}


class Report:
    def __init__(self):
        self.changes: list[dict] = []

    def add(self, kind: str, action: str, label: str, before=None, after=None) -> None:
        self.changes.append({"kind": kind, "action": action, "label": label,
                             "before": None if before is None else str(before), "after": None if after is None else str(after)})

    def counts(self) -> dict:
        out: dict[str, int] = {}
        for c in self.changes:
            key = f"{c['kind']}:{c['action']}"
            out[key] = out.get(key, 0) + 1
        return out


def _progress(sync: CatalogSync, percent: int, step: str) -> None:
    sync.progress, sync.step, sync.status = percent, step, "running"
    db.session.commit()


def run_sync(sync_id: int) -> None:
    """Job body: fetch from the organism, then apply in one transaction, recording the report."""
    sync = db.session.get(CatalogSync, sync_id)
    account = db.session.execute(db.select(EcoAccount).where(EcoAccount.organism == sync.organism)).scalar_one_or_none()
    log = ExchangeLog(sync.shop_id)
    try:
        if account is None or not account.secret_encrypted:
            raise EcoError(f"aucun identifiant {ORGANISM_LABEL[sync.organism]} enregistré")
        client = client_for(account, log)
        _progress(sync, 10, "catalog")
        catalog = client.catalog()
        _progress(sync, 50, "partners")
        partners = client.partners()
        _progress(sync, 80, "apply")
        report = Report()
        if catalog_writable(account):
            apply_catalog(catalog, report)
        else:
            report.add("catalogue", "non appliqué", ORGANISM_LABEL[sync.organism], None,
                       f"environnement {account.environment}" + (" (adresse personnalisée)" if account.base_url else ""))
        apply_partners(partners, report)
    except Exception as exc:  # noqa: BLE001 - every failure ends in the report, the catalog untouched
        db.session.rollback()
        sync = db.session.get(CatalogSync, sync_id)
        sync.status, sync.error, sync.finished_at = CatalogSync.FAILED, _message(exc), utcnow()
        log.save()
        db.session.commit()
        if not isinstance(exc, EcoError):
            current_app.logger.exception("catalog sync %s failed", sync_id)
        return
    sync.changes, sync.counts = report.changes, report.counts()
    sync.status, sync.progress, sync.step = "done", 100, "done"
    sync.finished_at = utcnow()
    log.save()
    db.session.commit()


def catalog_writable(account: EcoAccount) -> bool:
    """The catalog is shared by every shop: only an account of an environment the deployment trusts
    (production only, in production) and without a custom address may rewrite it."""
    allowed = current_app.config["CATALOG_SYNC_ENVIRONMENTS"]
    return account.environment in allowed and (not account.base_url or current_app.config["ECO_ALLOW_CUSTOM_URL"])


def _message(exc: Exception) -> str:
    if isinstance(exc, EcoError):
        return exc.message
    return f"Erreur interne : {type(exc).__name__}"


# --- applying -------------------------------------------------------------------------------------
def apply_catalog(catalog: Catalog, report: Report, today: dt.date | None = None) -> None:
    today = today or paris_today()
    organism = catalog.organism
    if not catalog.products:
        raise EcoError(f"{ORGANISM_LABEL[organism]} : catalogue vide, rien n'est retiré")
    id_attr = provider(organism).catalog_id_attr
    products = db.session.execute(db.select(ProductType)).scalars().all()
    by_id = {getattr(p, id_attr): p for p in products if getattr(p, id_attr)}
    by_norm = {p.norm: p for p in products}
    matched: set[int] = set()
    for item in catalog.products:
        product = by_id.get(item.product_id) or by_norm.get(norm(item.name))
        if product is None:
            product = ProductType(name=item.name, norm=norm(item.name), family="", source=organism,
                                  fiche_code=item.sheet_type if item.sheet_type in FICHES_METIER else fiche_for("", item.name),
                                  valid_from=item.eligible_from or today)
            db.session.add(product)
            db.session.flush()  # its id, for its codes
            by_norm[product.norm] = product
            report.add("produit", "nouveau", item.name)
        matched.add(id(product))
        if getattr(product, id_attr) != item.product_id:
            setattr(product, id_attr, item.product_id)
        if provider(organism).dates_authoritative or product.source == organism:  # ecosystem's dates win; Ecologic's for its own
            until = None if item.eligible_until and item.eligible_until.year >= 2099 else item.eligible_until
            if item.eligible_from and (product.valid_from, product.valid_to) != (item.eligible_from, until):
                report.add("produit", "dates", product.name, f"{product.valid_from} → {product.valid_to or '…'}",
                           f"{item.eligible_from} → {until or '…'}")
                product.valid_from, product.valid_to = item.eligible_from, until
        if item.sheet_type in FICHES_METIER and product.fiche_code != item.sheet_type:
            report.add("produit", "fiche métier", product.name, product.fiche_code, item.sheet_type)
            product.fiche_code = item.sheet_type
        if item.amounts:
            _apply_tariffs(product, item, organism, report, today)
        _apply_codes(product, item, organism, report, today)
    for product in by_id.values():
        if id(product) not in matched and (product.valid_to is None or product.valid_to >= today):
            product.valid_to = today - dt.timedelta(days=1)
            report.add("produit", "retiré", product.name)
    _apply_brands(catalog, report, today)
    db.session.flush()


def _apply_tariffs(product: ProductType, item, organism: str, report: Report, today: dt.date) -> None:
    def threshold_for(start: dt.date) -> Decimal | None:
        for t in item.thresholds:
            if t.valid_from <= start and (t.valid_until is None or start <= t.valid_until):
                return t.amount
        return None

    wanted = {(a.valid_from, None if a.valid_until and a.valid_until.year >= 2099 else a.valid_until):
              (a.amount.quantize(Decimal("0.01")), threshold_for(a.valid_from)) for a in item.amounts}
    current = {(t.valid_from, t.valid_to): t for t in product.tariffs}
    before = {k: (t.amount, t.threshold) for k, t in current.items()}
    if before == wanted:
        return
    old_today = next((t for t in product.tariffs if t.is_valid_on(today)), None)
    old_label = f"{old_today.amount} €" if old_today else None
    for key, tariff in current.items():
        if key not in wanted:
            product.tariffs.remove(tariff)
    for key, (amount, threshold) in wanted.items():
        tariff = current.get(key)
        if tariff is None:
            product.tariffs.append(BonusTariff(amount=amount, threshold=threshold, valid_from=key[0], valid_to=key[1], source=organism))
        elif (tariff.amount, tariff.threshold) != (amount, threshold):
            tariff.amount, tariff.threshold, tariff.source = amount, threshold, organism
    new_today = next(((a, t) for (f, u), (a, t) in wanted.items() if f <= today and (u is None or today <= u)), None)
    new_label = f"{new_today[0]} €" if new_today else None
    report.add("montant", "modifié" if old_label != new_label else "périodes", product.name, old_label, new_label)


def _apply_codes(product: ProductType, item, organism: str, report: Report, today: dt.date) -> None:
    wanted = {("repair", c.code): c.label for c in item.repair_codes}
    wanted.update({("symptom", c.code): c.label for c in item.symptom_codes})
    existing = {(c.kind, c.code): c for c in db.session.execute(
        db.select(Code).where(Code.organism == organism, Code.product_type_id == product.id)).scalars()}
    for key, label in wanted.items():
        row = existing.get(key)
        if row is None:
            db.session.add(Code(organism=organism, kind=key[0], code=key[1], label=label, norm=norm(f"{key[1]} {label}"),
                                product_type_id=product.id, valid_from=today))
        elif row.label != label or row.valid_to is not None:
            row.label, row.norm, row.valid_to = label, norm(f"{key[1]} {label}"), None
    removed = 0
    for key, row in existing.items():
        if key not in wanted and row.valid_to is None:
            row.valid_to = today - dt.timedelta(days=1)
            removed += 1
    added = len([k for k in wanted if k not in existing])
    if added or removed:
        report.add("codes", "modifiés", product.name, f"-{removed}" if removed else None, f"+{added}" if added else None)


def _apply_brands(catalog: Catalog, report: Report, today: dt.date) -> None:
    organism = catalog.organism
    id_attr = provider(organism).catalog_id_attr
    brands = db.session.execute(db.select(Brand)).scalars().all()
    by_id = {getattr(b, id_attr): b for b in brands if getattr(b, id_attr)}
    by_norm = {b.norm: b for b in brands}
    matched: set[int] = set()
    for item in catalog.brands:
        brand = by_id.get(item.brand_id) or by_norm.get(norm(item.name))
        # ecosystem's isEcosystemBrand decides who pays; Ecologic's list only adds its ids (DOMAIN.md §2.3)
        payer = provider(organism).brand_payer(item.covered)
        if brand is None:
            brand = Brand(name=item.name, norm=norm(item.name), organism=payer or "ecologic", valid_from=today, source=organism)
            db.session.add(brand)
            by_norm[brand.norm] = brand
            report.add("marque", "nouvelle", item.name, None, brand.organism)
        matched.add(id(brand))
        if getattr(brand, id_attr) != item.brand_id:
            setattr(brand, id_attr, item.brand_id)
        if payer and brand.organism != payer:
            report.add("marque", "payeur", brand.name, brand.organism, payer)
            brand.organism = payer
        if brand.valid_to is not None:
            brand.valid_to = None
            report.add("marque", "rétablie", brand.name)
    for brand in by_id.values():
        if id(brand) not in matched and brand.valid_to is None:
            brand.valid_to = today - dt.timedelta(days=1)
            report.add("marque", "retirée", brand.name)


def apply_partners(partners: Partners, report: Report) -> None:
    """The organism's view of the shop: site ids linked or sites added, fiches métier dated."""
    organism = partners.organism
    attr = provider(organism).site_id_attr
    sites = db.session.execute(db.select(RepairSite)).scalars().all()
    by_id = {getattr(s, attr): s for s in sites if getattr(s, attr)}
    by_norm = {norm(s.name): s for s in sites}
    for place in partners.places:
        if place.place_id in by_id:
            continue
        site = by_norm.get(norm(place.name))
        if site is not None and not getattr(site, attr):
            setattr(site, attr, place.place_id)
            report.add("lieu", "relié", site.name, None, place.place_id)
        elif site is None:
            site = RepairSite(name=place.name[:200], postcode=place.postcode, city=place.city, is_deposit_site=place.kind == "deposit")
            setattr(site, attr, place.place_id)
            db.session.add(site)
            by_norm[norm(place.name)] = site
            report.add("lieu", "nouveau", place.name, None, place.place_id)
        by_id[place.place_id] = site
    fiches = {f.code: f for f in db.session.execute(db.select(FicheMetier)).scalars()}
    # several sheets of one type (a renewed certification): the one valid longest wins
    for sheet in sorted(partners.sheets, key=lambda s: s.valid_to or dt.date.max):
        if sheet.type not in FICHES_METIER:
            continue
        fiche = fiches.get(sheet.type)
        if fiche is None:
            fiche = FicheMetier(code=sheet.type)
            db.session.add(fiche)
            fiches[sheet.type] = fiche
            report.add("fiche métier", "nouvelle", FICHES_METIER[sheet.type])
        if (fiche.certified_on, fiche.valid_until) != (sheet.valid_from, sheet.valid_to):
            if fiche.id is not None:
                report.add("fiche métier", "dates", fiche.label, f"{fiche.certified_on} → {fiche.valid_until}",
                           f"{sheet.valid_from} → {sheet.valid_to}")
            fiche.certified_on, fiche.valid_until = sheet.valid_from, sheet.valid_to
