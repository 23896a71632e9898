"""The intake's job: bons abandoned half-typed leave the server."""
from __future__ import annotations

from ..core.queue import Periodic
from .services import purge_old_drafts

SCHEDULE = [
    Periodic("intake-drafts-purge", "qualirepar.intake.tasks.purge_drafts", "30 4 * * *"),  # every night at 04:30
]


def purge_drafts() -> int:
    """The nightly schedule: drafts not touched for 30 days are deleted; how many."""
    return purge_old_drafts()
