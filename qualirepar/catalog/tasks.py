"""The catalog's jobs: one shop's sync with an organism, and the nightly sync of every shop."""
from __future__ import annotations

from flask import g

from ..core.queue import Periodic
from ..eco.models import EcoAccount
from ..extensions import db
from ..tenancy import as_shop
from .services import start_sync
from .sync import run_sync

SCHEDULE = [
    Periodic("catalog-sync-all", "qualirepar.catalog.tasks.sync_all_catalogs", "15 4 * * *", timeout=1800),  # every night at 04:15
]


def sync_catalog(shop_id: int, sync_id: int) -> None:
    """Run one CatalogSync row: fetch from the organism, apply, write the report on the row."""
    g.actor = "synchronisation du catalogue"
    with as_shop(shop_id):
        run_sync(sync_id)


def sync_all_catalogs() -> int:
    """The daily schedule: one sync per organism account of every shop; returns how many were queued."""
    g.actor = "planification quotidienne"
    accounts = db.session.execute(db.select(EcoAccount.shop_id, EcoAccount.organism).where(EcoAccount.secret_encrypted.isnot(None)),
                                  execution_options={"all_shops": True}).all()
    for shop_id, organism in accounts:
        with as_shop(shop_id):
            start_sync(organism, scheduled=True)
    return len(accounts)
