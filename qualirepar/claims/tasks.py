"""The claims' jobs, and the schedule of the periodic ones (collected by qualirepar/worker.py).
Each receives ids, opens the shop's scope and calls the claims' modules; the claim row holds the
state the user sees, so any job may be run again."""
from __future__ import annotations

import datetime as dt
import secrets

from flask import g

from ..audit import utcnow
from ..core.queue import Periodic, enqueue
from ..extensions import db
from ..redis_conn import get_redis
from ..tenancy import as_shop
from . import polling, queueing, states
from .models import Claim
from .submit import submit

CLAIM_SWEEP = "*/5 * * * *"  # claims left sending by a dead worker are queued again
CLAIM_STATUS_SYNC = "*/30 * * * *"  # claims with an organism: where they stand
SCHEDULE = [
    Periodic("claims-sweep", "qualirepar.claims.tasks.requeue_stuck_claims", CLAIM_SWEEP, timeout=300),
    Periodic("claims-status-sync", "qualirepar.claims.tasks.poll_claims", CLAIM_STATUS_SYNC, timeout=600),
]
RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


def submit_claim(shop_id: int, claim_id: int) -> str:
    """Send one claim. One runner per claim: a second one (a job queued again while the first still
    works) leaves at once; a runner killed mid-way leaves a lock that expires, then the sweeper
    queues the claim again and the next runner goes on from the step written on the claim."""
    g.actor = "envoi des demandes de bonus"
    conn, key, token = get_redis(), queueing.LOCK.format(claim_id), secrets.token_hex(8)
    if not conn.set(key, token, nx=True, ex=queueing.lock_ttl()):
        return "busy"
    try:
        with as_shop(shop_id):
            claim = db.session.get(Claim, claim_id)
            if claim is None or claim.status not in states.SENDING:
                return claim.status if claim else "absent"
            return submit(claim)
    finally:
        conn.eval(RELEASE, 1, key, token)  # released only by its holder (an expired lock taken by another is not ours)


def poll_shop_claims(shop_id: int) -> int:
    """Poll the shop's claims that are with the organism; how many changed."""
    g.actor = "suivi des demandes de bonus"
    with as_shop(shop_id):
        return polling.poll_shop()


def poll_claims() -> int:
    """The schedule: one status round per shop that has claims with an organism."""
    shops = polling.shops_to_poll()
    for shop_id in shops:
        enqueue("qualirepar.claims.tasks.poll_shop_claims", shop_id, job_timeout=600)
    return len(shops)


def requeue_stuck_claims() -> int:
    """Claims left sending (a worker killed, the queue lost) past the timeout are queued again; the
    job goes on from the step each one reached."""
    limit = utcnow() - dt.timedelta(seconds=queueing.config("CLAIM_STUCK_AFTER_SECONDS"))
    rows = db.session.execute(db.select(Claim.shop_id, Claim.id).where(Claim.status.in_(states.SENDING), Claim.step_at < limit),
                              execution_options={"all_shops": True}).all()
    queued = 0
    for shop_id, claim_id in rows:
        queued += queueing.queue_job(shop_id, claim_id)  # not when its job is still waiting (a retry) or running
    return queued
