"""The top of background work: the `worker` and `scheduler` commands and what they load.

Every job lives in its feature's `tasks.py`, next to the `SCHEDULE` of its periodic jobs; the
modules are listed once, here. Nothing below this module imports it but the factory and the health
page: features queue their jobs by dotted path through `core.queue`, and RQ imports the task when
it runs it.
"""
from __future__ import annotations

import importlib
from types import ModuleType

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from rq import SimpleWorker, Worker
from rq.cron import CronScheduler
from rq.utils import import_attribute

from .core.clock import utcnow
from .core.queue import QUEUES, Periodic, get_queue
from .extensions import db
from .redis_conn import get_redis

TASK_MODULES = (
    "qualirepar.catalog.tasks",
    "qualirepar.claims.tasks",
    "qualirepar.ocr.tasks",
    "qualirepar.einvoice.tasks",
    "qualirepar.auditpack.tasks",
    "qualirepar.intake.tasks",
    "qualirepar.auth.tasks",
    "qualirepar.fiscal.tasks",
    "qualirepar.backup.tasks",
)


def task_modules() -> list[ModuleType]:
    """Each feature's tasks module, imported by its dotted name as RQ imports a job's."""
    return [importlib.import_module(name) for name in TASK_MODULES]


def schedule() -> list[Periodic]:
    """The periodic jobs every feature declares, in the order of TASK_MODULES."""
    return [periodic for module in task_modules() for periodic in getattr(module, "SCHEDULE", ())]


def preload() -> None:
    """Import what the jobs use before any work horse is forked: each horse inherits it instead of
    importing it again (the OCR modules alone cost about 150 ms per job)."""
    task_modules()


class _InAppContext:
    """Runs each job inside the app context and hands its database session back afterwards."""

    app: Flask | None = None
    forked = True  # a forked work horse must not reuse the parent's database sockets

    def perform_job(self, job, queue, *args, **kwargs):
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


def workers_status() -> list[dict]:
    """Each registered worker with its state and the age of its last heartbeat, in seconds."""
    now = utcnow()
    rows = []
    for w in Worker.all(connection=get_redis()):
        beat = w.last_heartbeat
        if beat is not None and beat.tzinfo is None:
            beat = beat.replace(tzinfo=now.tzinfo)
        rows.append({"name": w.name, "state": str(w.get_state()), "age": (now - beat).total_seconds() if beat else None})
    return rows


@click.command("worker")
@click.option("--burst", is_flag=True, help="Traiter la file puis s'arrêter.")
@click.option("--no-fork", "no_fork", is_flag=True, help="Exécuter les tâches dans le processus du worker (plus rapide, moins isolé).")
@with_appcontext
def worker_command(burst: bool, no_fork: bool) -> None:
    """Start an RQ worker on the app's Redis."""
    preload()
    cls = AppSimpleWorker if no_fork or current_app.config.get("WORKER_NO_FORK") else AppWorker
    cls.app = current_app._get_current_object()
    worker = cls([get_queue(q) for q in QUEUES], connection=get_redis())
    worker.work(burst=burst, with_scheduler=True)


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the periodic jobs (RQ cron) that each feature's tasks.py declares in its SCHEDULE."""
    cron = CronScheduler(connection=get_redis())
    for periodic in schedule():
        cron.register(import_attribute(periodic.path), "default", cron=periodic.cron, name=periodic.name,
                      job_timeout=periodic.timeout)
    cron.start()


def init_app(app: Flask) -> None:
    app.cli.add_command(worker_command)
    app.cli.add_command(scheduler_command)
