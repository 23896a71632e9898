"""The logins' job: rows of logins older than a remember-me cookie can live leave the database."""
from __future__ import annotations

import datetime as dt

from flask import current_app

from ..core.clock import utcnow
from ..core.queue import Periodic
from ..extensions import db
from .models import LoginSession

SCHEDULE = [
    Periodic("login-sessions-purge", "qualirepar.auth.tasks.purge_login_sessions", "50 4 * * *"),  # every night at 04:50
]


def purge_login_sessions() -> int:
    """Logins opened longer ago than REMEMBER_COOKIE_DURATION (Flask-Login's 365 days unless set)
    can no longer be reopened by any cookie: deleted; how many."""
    keep = current_app.config.get("REMEMBER_COOKIE_DURATION") or dt.timedelta(days=365)
    if not isinstance(keep, dt.timedelta):
        keep = dt.timedelta(seconds=int(keep))
    result = db.session.execute(db.delete(LoginSession).where(LoginSession.created_at < utcnow() - keep))
    db.session.commit()
    return result.rowcount
