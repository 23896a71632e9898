"""The closings' jobs: every night, each shop's periods just ended are closed (the day, and the
month and the fiscal year on their last day), one job per shop, staggered so the shops' closings
do not all hit the database at the same second; a fiscal year closed is archived at once."""
from __future__ import annotations

import datetime as dt
import logging

from flask import g

from ..core.clock import paris_today
from ..core.queue import Periodic, get_queue
from ..extensions import db
from ..shops.models import Shop
from ..tenancy import as_shop
from . import archive, closings, kinds

log = logging.getLogger(__name__)
SCHEDULE = [
    # 00:20 server time is after midnight in Paris whatever the server's zone (UTC or Paris)
    Periodic("fiscal-closings", "qualirepar.fiscal.tasks.close_all_shops", "20 0 * * *", 600),
]
STAGGER_SECONDS = 3  # between two shops' jobs
JOB = "qualirepar.fiscal.tasks.close_shop"


def close_all_shops() -> int:
    """The nightly schedule: one closing job per shop, each a few seconds after the one before."""
    shop_ids = db.session.execute(db.select(Shop.id).order_by(Shop.id)).scalars().all()
    queue = get_queue()
    for i, shop_id in enumerate(shop_ids):
        if i == 0:
            queue.enqueue(JOB, shop_id, job_timeout=3600)
        else:
            queue.enqueue_in(dt.timedelta(seconds=STAGGER_SECONDS * i), JOB, shop_id, job_timeout=3600)
    return len(shop_ids)


def close_shop(shop_id: int, through: dt.date | None = None) -> int:
    """Close the shop's periods up to yesterday (idempotent: a closing done is not redone), then
    archive each fiscal year it closed; how many closings were made."""
    g.actor = "clôture automatique"
    with as_shop(shop_id):
        made = closings.close_through(shop_id, through or paris_today() - dt.timedelta(days=1))
        for closing in made:
            if closing.kind == kinds.CLOSING_YEAR:
                archive.build_archive(shop_id, closing.period_start, closing.period_end, archive.YEAR)
        return len(made)
