"""Catalog operations called by views, jobs and the CLI."""
from __future__ import annotations

import datetime as dt

from flask_login import current_user
from sqlalchemy import case, or_

from ..core import queue
from ..core.clock import paris_today, utcnow
from ..eco.models import EcoAccount
from ..eco.registry import PROVIDERS, provider
from ..extensions import db
from .loader import load_csv
from .models import BonusTariff, Brand, CatalogSync, Code, ProductType
from .reference import appliance_group, iris_symptom_groups, norm, symptom_fits

BRAND_RESULTS = 30


SYNC_TIMEOUT = dt.timedelta(minutes=15)  # a sync still queued or running after this was lost


def start_sync(organism: str, scheduled: bool = False) -> CatalogSync:
    """Queue a sync for the current shop, unless one for this organism is already under way."""
    now = utcnow()
    open_syncs = db.session.execute(
        db.select(CatalogSync).where(CatalogSync.organism == organism, CatalogSync.status.in_(CatalogSync.RUNNING))
        .order_by(CatalogSync.id.desc())).scalars().all()
    for sync in open_syncs:
        created = sync.created_at if sync.created_at.tzinfo else sync.created_at.replace(tzinfo=dt.timezone.utc)
        if now - created < SYNC_TIMEOUT:
            return sync
        sync.status, sync.error = CatalogSync.FAILED, "interrompue : aucun worker ne l'a terminée à temps"
    sync = CatalogSync(organism=organism, scheduled=scheduled,
                       requested_by_id=current_user.id if not scheduled and current_user and current_user.is_authenticated else None)
    db.session.add(sync)
    db.session.commit()
    queue.start(sync, "qualirepar.catalog.tasks.sync_catalog", sync.shop_id, sync.id, job_id=f"catalog-sync-{sync.id}", job_timeout=600)
    return sync


def set_up_reference() -> list[CatalogSync]:
    """The current shop's first minute: the shipped catalog loaded (or its IRIS codes brought up to
    date) and, for each organism account with credentials never synced yet, a sync queued, so that
    intake and quote offer their codes from the start. Running it again queues nothing new."""
    load_csv()
    synced = set(db.session.execute(db.select(CatalogSync.organism).where(CatalogSync.status == "done")).scalars())
    organisms = db.session.execute(db.select(EcoAccount.organism).where(EcoAccount.secret_encrypted.isnot(None))
                                   .order_by(EcoAccount.organism)).scalars()
    return [start_sync(organism, scheduled=True) for organism in organisms if organism not in synced]


def families() -> list[str]:
    return [f for f in db.session.execute(db.select(ProductType.family).distinct().order_by(ProductType.family)).scalars() if f]


def product_choices(day: dt.date | None = None) -> list[tuple[int, str, str]]:
    """(id, name, family) of the product types in the scheme on `day` (all if None)."""
    query = db.select(ProductType.id, ProductType.name, ProductType.family).order_by(ProductType.family, ProductType.name)
    if day:
        query = query.where(ProductType.valid_on(day))
    return [tuple(r) for r in db.session.execute(query)]


def grouped_product_choices(other_label: str) -> dict[str, list[tuple[int, str]]]:
    """Product types grouped by family, for a <select> with optgroups."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for pid, name, family in product_choices():
        groups.setdefault(family or other_label, []).append((pid, name))
    return groups


def bonus_table(day: dt.date, family: str | None = None, organism: str | None = None, text: str | None = None):
    """(product, tariff) rows valid on `day`, filtered."""
    query = (db.select(ProductType, BonusTariff).join(BonusTariff, BonusTariff.product_type_id == ProductType.id)
             .where(ProductType.valid_on(day), BonusTariff.valid_on(day)).order_by(ProductType.family, ProductType.name))
    if family:
        query = query.where(ProductType.family == family)
    if organism in PROVIDERS:
        query = query.where(getattr(ProductType, provider(organism).catalog_id_attr).isnot(None))
    if text and norm(text):
        query = query.where(ProductType.norm.contains(norm(text), autoescape=True))
    return db.session.execute(query).all()


def search_brands(text: str, day: dt.date | None = None, limit: int = BRAND_RESULTS) -> list[Brand]:
    """Brands whose name contains the text (names starting with it first), valid on `day`."""
    key = norm(text)
    if len(key) < 2:
        return []
    day = day or paris_today()
    starts = case((Brand.norm.startswith(key, autoescape=True), 0), else_=1)
    query = (db.select(Brand).where(Brand.norm.contains(key, autoescape=True), Brand.valid_on(day))
             .order_by(starts, Brand.norm).limit(limit))
    return list(db.session.execute(query).scalars())


def brand_by_name(name: str) -> Brand | None:
    key = norm(name)
    if not key:
        return None
    return db.session.execute(db.select(Brand).where(Brand.norm == key).order_by(Brand.valid_to.is_(None).desc()).limit(1)).scalar_one_or_none()


def search_codes(text: str, kind: str | None = None, product_type_id: int | None = None, organism: str | None = None,
                 day: dt.date | None = None, limit: int = 40) -> list[Code]:
    """Codes whose code or label contains the text; a product's own codes and the general IRIS ones."""
    day = day or paris_today()
    query = db.select(Code).where(Code.valid_on(day)).order_by(Code.organism, Code.kind, Code.code).limit(limit)
    if text and norm(text):
        query = query.where(Code.norm.contains(norm(text), autoescape=True))
    if kind:
        query = query.where(Code.kind == kind)
    if organism:
        query = query.where(Code.organism.in_((organism, "iris")))
    if not product_type_id:
        return list(db.session.execute(query).scalars())
    product = db.session.get(ProductType, product_type_id)
    query = query.where(or_(Code.product_type_id == product_type_id, Code.product_type_id.is_(None))).limit(None)
    group, groups = appliance_group(product.name, product.family) if product else None, iris_symptom_groups()
    fits = [c for c in db.session.execute(query).scalars()  # an IRIS symptom shows for the appliances it belongs to
            if not (c.kind == "symptom" and c.organism == "iris") or symptom_fits(c.code, group, groups)]
    return fits[:limit]
