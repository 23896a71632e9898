"""Queueing a claim's submission: one job per claim at a time, named by the claim
(`claim-submit-<id>`), the claim's lock held by its one runner. The job itself is
`qualirepar.claims.tasks.submit_claim`, enqueued by its dotted path (nothing here imports it).

A queue that does not answer leaves the claim queued: the row says what is left to do, and the
sweeper (`tasks.requeue_stuck_claims`) queues it again.
"""
from __future__ import annotations

import logging

import redis
from flask import current_app
from rq import Retry

from ..core.queue import enqueue, fetch
from ..extensions import db
from ..redis_conn import get_redis
from .models import Claim

SUBMIT_JOB = "qualirepar.claims.tasks.submit_claim"
LOCK = "claim-lock:{}"  # held by the one runner of a claim; it expires if that runner dies
WAITING = ("queued", "deferred", "scheduled")  # RQ's words for a job not started yet
log = logging.getLogger(__name__)


def config(name: str):
    return current_app.config[name]


def retry() -> Retry:
    """Transient errors: RQ tries again with back-off; after the last, the sweeper takes over."""
    intervals = list(config("CLAIM_RETRY_INTERVALS"))
    return Retry(max=len(intervals), interval=intervals)


def lock_ttl() -> int:
    return int(config("CLAIM_JOB_TIMEOUT")) + int(config("CLAIM_LOCK_MARGIN"))  # RQ kills a job at its timeout: the lock outlives it a little


def locked(claim_id: int) -> bool:
    return bool(get_redis().exists(LOCK.format(claim_id)))


def job_id(claim_id: int) -> str:
    return f"claim-submit-{claim_id}"


def queue_job(shop_id: int, claim_id: int) -> bool:
    """One job per claim at a time: its id is the claim's, and a job still waiting or running is not doubled."""
    job = fetch(job_id(claim_id))
    if job is not None:
        state = job.get_status(refresh=True)
        if state in WAITING:
            return False
        if state == "started" and locked(claim_id):
            return False  # its runner is alive (it holds the claim's lock)
    enqueue(SUBMIT_JOB, shop_id, claim_id, job_id=job_id(claim_id), retry=retry(), job_timeout=config("CLAIM_JOB_TIMEOUT"))
    return True


def enqueue_submission(claim: Claim) -> bool:
    """After the claim row is committed: queue its submission (the row holds the state, not the job).
    False when the queue did not answer: the claim stays queued for the sweeper."""
    claim.move("queue")
    db.session.commit()
    try:
        return queue_job(claim.shop_id, claim.id)
    except (redis.RedisError, OSError) as exc:
        log.warning("claim %s not queued (%s); it stays queued for the sweeper", claim.id, exc)
        return False
