"""The e-invoicing jobs, and the schedule of the periodic ones (collected by qualirepar/worker.py).
Each receives ids, opens the shop's scope and calls `transmissions`; the row holds what the user sees."""
from __future__ import annotations

import datetime as dt

from flask import g

from ..audit import utcnow
from ..core.queue import Periodic, enqueue
from ..extensions import db
from ..tenancy import as_shop
from . import states, transmissions
from .transmissions import Transmission

SCHEDULE = [Periodic("einvoice-poll", "qualirepar.einvoice.tasks.poll_transmissions", "*/15 * * * *", timeout=600)]
STUCK_AFTER = dt.timedelta(minutes=30)  # a row still to send after the job's own retries: queued again


def send_transmission(shop_id: int, transmission_id: int) -> str:
    """Deposit one file at the PA (retried by RQ while the PA does not answer)."""
    g.actor = "facturation électronique"
    with as_shop(shop_id):
        row = db.session.get(Transmission, transmission_id)
        return transmissions.send(row) if row is not None else "absent"


def poll_shop_transmissions(shop_id: int) -> int:
    """One shop: the lifecycle of its deposits, and its stuck rows queued again; how many changed."""
    g.actor = "facturation électronique"
    changed = 0
    with as_shop(shop_id):
        rows = db.session.execute(db.select(Transmission).where(
            Transmission.status.in_(states.TO_POLL | states.TO_SEND))).scalars().all()
        for row in rows:
            if row.status in states.TO_POLL:
                changed += transmissions.poll(row) or transmissions.report_paid(row)
            elif row.updated_at and _aware(row.updated_at) < utcnow() - STUCK_AFTER:
                transmissions.requeue(row)
        db.session.commit()
    return changed


def poll_transmissions() -> int:
    """The schedule: one round per shop with deposits still open."""
    shops = db.session.execute(db.select(Transmission.shop_id).where(
        Transmission.status.in_(states.TO_POLL | states.TO_SEND)).distinct().execution_options(all_shops=True)).scalars().all()
    for shop_id in shops:
        enqueue("qualirepar.einvoice.tasks.poll_shop_transmissions", shop_id, job_timeout=600)
    return len(shops)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)
