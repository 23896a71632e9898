"""Background work on RQ: the queue, the worker command, and the jobs' app context.

A job is a thin function here or in a feature's `tasks.py`: it receives ids, opens the shop's
scope with `as_shop`, and calls a service. The row it works on holds the state the user sees.
"""
from __future__ import annotations

import click
from flask import Flask, current_app
from rq import Queue, SimpleWorker, Worker

from .redis_conn import get_redis

QUEUES = ("default",)


def get_queue(name: str = "default") -> Queue:
    return Queue(name, connection=get_redis())


def enqueue(func, *args, **kwargs):
    """Enqueue `func` on the default queue (kwargs starting with job_ go to RQ)."""
    return get_queue().enqueue(func, *args, **kwargs)


def ping() -> str:
    """A job that proves a worker takes work (health page button, tests)."""
    return "pong"


class _InAppContext:
    """Runs each job inside the app context and hands its database session back afterwards."""

    app: Flask | None = None
    forked = True  # a forked work horse must not reuse the parent's database sockets

    def perform_job(self, job, queue, *args, **kwargs):
        from .extensions import db

        with self.app.app_context():
            if self.forked:
                db.engine.dispose(close=False)
            try:
                return super().perform_job(job, queue, *args, **kwargs)
            finally:
                db.session.remove()


class AppWorker(_InAppContext, Worker):
    """Each job in a work horse forked for it (RQ's default): a job that leaks or crashes takes
    nothing with it."""


class AppSimpleWorker(_InAppContext, SimpleWorker):
    """The same jobs in the worker's own process (no fork): the caches stay warm from one job to
    the next (about twice the claims per second, bench/README.md), at the price of the isolation."""

    forked = False


def preload() -> None:
    """Import what the jobs use before any work horse is forked: each horse inherits it instead of
    importing it again (the OCR modules alone cost about 150 ms per job)."""
    from .claims import submit  # noqa: F401
    from .ocr import crosscheck, extraction, reader, services  # noqa: F401


def workers_status() -> list[dict]:
    """Each registered worker with its state and the age of its last heartbeat, in seconds."""
    import datetime as dt

    now = dt.datetime.now(dt.timezone.utc)
    rows = []
    for w in Worker.all(connection=get_redis()):
        beat = w.last_heartbeat
        if beat is not None and beat.tzinfo is None:
            beat = beat.replace(tzinfo=dt.timezone.utc)
        rows.append({"name": w.name, "state": str(w.get_state()), "age": (now - beat).total_seconds() if beat else None})
    return rows


def init_app(app: Flask) -> None:
    init_scheduler(app)

    @app.cli.command("worker")
    @click.option("--burst", is_flag=True, help="Traiter la file puis s'arrêter.")
    @click.option("--no-fork", "no_fork", is_flag=True, help="Exécuter les tâches dans le processus du worker (plus rapide, moins isolé).")
    def worker_command(burst: bool, no_fork: bool) -> None:
        """Start an RQ worker on the app's Redis."""
        preload()
        cls = AppSimpleWorker if no_fork or current_app.config.get("WORKER_NO_FORK") else AppWorker
        cls.app = current_app._get_current_object()
        worker = cls([get_queue(q) for q in QUEUES], connection=get_redis())
        worker.work(burst=burst, with_scheduler=True)


DAILY_CATALOG_SYNC = "15 4 * * *"  # every night at 04:15 (server time)
CLAIM_SWEEP = "*/5 * * * *"  # claims left sending by a dead worker are queued again
CLAIM_STATUS_SYNC = "*/30 * * * *"  # claims with an organism: where they stand
DRAFT_PURGE = "30 4 * * *"  # bons abandoned half-typed for 30 days
AUDIT_PACK_PURGE = "45 4 * * *"  # audit packs built more than 30 days ago


def init_scheduler(app: Flask) -> None:
    @app.cli.command("scheduler")
    def scheduler_command() -> None:
        """Run the periodic jobs (RQ cron): the nightly catalog sync, the claims' sweeper and status sync."""
        from rq.cron import CronScheduler

        from .catalog.tasks import sync_all

        from .claims.submit import sweep, sync_all as claims_sync_all

        cron = CronScheduler(connection=get_redis())
        cron.register(sync_all, "default", cron=DAILY_CATALOG_SYNC, name="catalog-sync-all", job_timeout=1800)
        cron.register(sweep, "default", cron=CLAIM_SWEEP, name="claims-sweep", job_timeout=300)
        cron.register(claims_sync_all, "default", cron=CLAIM_STATUS_SYNC, name="claims-status-sync", job_timeout=600)
        from .intake.services import purge_old_drafts

        cron.register(purge_old_drafts, "default", cron=DRAFT_PURGE, name="intake-drafts-purge", job_timeout=300)
        from .auditpack.tasks import purge_old_packs

        cron.register(purge_old_packs, "default", cron=AUDIT_PACK_PURGE, name="audit-packs-purge", job_timeout=300)
        cron.start()
