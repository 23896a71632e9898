"""The queue: the bottom of background work.

A job is named by its dotted path ("qualirepar.claims.tasks.submit_claim"), as microblog's
`launch_task` does, so that nothing that enqueues imports the task (services never import tasks;
the worker imports them all, at the top of the graph, `qualirepar/worker.py`).

Background work is a row plus a job (STYLE.md § 8): the row holds the state the user sees, its job
id and its error. `start(row, path, ...)` is the one way to queue a row's job, with one policy for a
Redis that does not answer: the row is kept, marked failed with a French message the page shows,
and nothing is half-done (the user, or the feature's sweeper, starts it again from the row alone).
No feature falls back to doing the work inside the request instead (the OCR used to read inline,
which held a web worker for as long as the pages took); no feature lets the error reach the user
as a 500 (the audit pack used to).
"""
from __future__ import annotations

import logging

import redis
from flask_babel import lazy_gettext as _l
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job
from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from ..extensions import db
from ..redis_conn import get_redis

QUEUES = ("default",)
QUEUE_DOWN = _l("File de tâches indisponible : réessayez dans un moment.")
log = logging.getLogger(__name__)


def get_queue(name: str = "default") -> Queue:
    return Queue(name, connection=get_redis())


def enqueue(path: str, *args, **kwargs) -> Job:
    """Enqueue the function at dotted `path` on the default queue (kwargs starting with job_ and
    RQ's own, such as retry, go to RQ)."""
    if not isinstance(path, str) or "." not in path:
        raise TypeError(f"a job is named by its dotted path, not {path!r}")
    return get_queue().enqueue(path, *args, **kwargs)


def fetch(job_id: str) -> Job | None:
    """The job of that id, or None once RQ has forgotten it."""
    try:
        return Job.fetch(job_id, connection=get_queue().connection)
    except NoSuchJobError:
        return None


class JobRow:
    """Mixin of a row that a job works on: its status, error and job id.

    `RUNNING` names the statuses in which the job is waiting or working (the page polls while the
    row is `running`); `FAILED` is the status `start` writes when the queue is down.
    """

    RUNNING: tuple[str, ...] = ("queued", "running")
    FAILED: str = "failed"

    @declared_attr
    def error(cls) -> Mapped[str | None]:
        return mapped_column(Text)

    @declared_attr
    def job_id(cls) -> Mapped[str | None]:
        return mapped_column(String(64))

    @property
    def running(self) -> bool:
        return self.status in self.RUNNING


def start(row, path: str, *args, session=None, **kwargs) -> bool:
    """Queue the job of `row` (already committed): its id is stored on the row. If Redis does not
    answer, the row is marked failed with the French message and False is returned."""
    session = session or db.session
    try:
        job = enqueue(path, *args, **kwargs)
    except (redis.RedisError, OSError) as exc:
        log.warning("job %s for %s %s not queued: %s", path, type(row).__name__, getattr(row, "id", None), exc)
        row.status, row.error = row.FAILED, str(QUEUE_DOWN)
        session.commit()
        return False
    row.job_id = job.id
    session.commit()
    return True


class Periodic:
    """A job the scheduler runs on a cron line, declared in its feature's `tasks.py` next to the task
    (as indico's periodic tasks are): `SCHEDULE = [Periodic("claims-poll", "qualirepar.claims.tasks.poll_claims", "*/5 * * * *")]`.
    Cron lines are read in the server's time zone."""

    def __init__(self, name: str, path: str, cron: str, timeout: int = 300):
        self.name, self.path, self.cron, self.timeout = name, path, cron, timeout

    def __repr__(self) -> str:
        return f"Periodic({self.name!r}, {self.path!r}, {self.cron!r})"
