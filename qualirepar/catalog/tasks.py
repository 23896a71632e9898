"""RQ entry points of the catalog: thin wrappers around sync.run_sync."""
from __future__ import annotations

from flask import g

from ..eco.models import EcoAccount
from ..extensions import db
from ..tenancy import as_shop


def sync_job(shop_id: int, sync_id: int) -> None:
    from .sync import run_sync

    g.actor = "synchronisation du catalogue"
    with as_shop(shop_id):
        run_sync(sync_id)


def sync_all() -> int:
    """The daily schedule: one sync per organism account of every shop; returns how many were queued."""
    from .services import start_sync

    g.actor = "planification quotidienne"
    accounts = db.session.execute(db.select(EcoAccount.shop_id, EcoAccount.organism).where(EcoAccount.secret_encrypted.isnot(None)),
                                  execution_options={"all_shops": True}).all()
    for shop_id, organism in accounts:
        with as_shop(shop_id):
            start_sync(organism, scheduled=True)
    return len(accounts)
