"""The nightly backup: one archive, the rotation, the optional second copy."""
from __future__ import annotations

from pathlib import Path

from flask import current_app

from ..core.queue import Periodic
from .archive import copy_to, create_backup, rotate

SCHEDULE = [
    Periodic("backup-nightly", "qualirepar.backup.tasks.nightly_backup", "30 2 * * *", timeout=3600),  # 02:30, the shop closed
]


def nightly_backup() -> str:
    backup = create_backup()
    if current_app.config.get("BACKUP_COPY_DIR"):
        copy_to(backup, Path(current_app.config["BACKUP_COPY_DIR"]))
    rotate()
    return backup.path.name
