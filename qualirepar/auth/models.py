"""One row per open login: the session cookie and the remember-me cookie carry its token, so that
logging out (or a password change, a deactivation) ends it on the server, and a cookie copied
before cannot be replayed (issue 17: a probe found copied cookies still working after logout)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.clock import utcnow
from ..extensions import db


class LoginSession(db.Model):
    """A login of a user on one device; not shop-scoped: it is read before the shop is known."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)  # random, 256 bits, URL-safe
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
