"""Telling the support staff what happened to their claims: in the app (the bell in the menu), and
by e-mail for those who chose it in their profile. A shop without a support user tells its owners."""
from __future__ import annotations

import logging

from flask_babel import gettext as _

from .. import mail
from ..extensions import db
from ..shops.models import User
from .models import Claim, Notification

URL_PREFIX = "/demandes"  # the claims blueprint's (a notification links to a claim's page)
log = logging.getLogger(__name__)


def recipients() -> list[User]:
    """The active support users of the current shop, else its owners."""
    users = db.session.execute(db.select(User).where(User.active.is_(True), User.role.in_(("support", "owner")))).scalars().all()
    support = [u for u in users if u.role == "support"]
    return support or [u for u in users if u.role == "owner"]


def claim_link(claim: Claim) -> str:
    return f"{URL_PREFIX}/{claim.id}"


def claim_changed(claim: Claim, text: str) -> None:
    tell(recipients(), text, claim_link(claim), _("Ouvrez qualirepar, menu Demandes de bonus, pour la voir."))


def tell(people: list[User], text: str, link: str, hint: str = "") -> None:
    """One notification per person; the e-mails (for those who chose them) are sent after the rows
    are saved, and a mail server that fails does not undo them."""
    for user in people:
        db.session.add(Notification(user_id=user.id, text=text, link=link))
    db.session.commit()
    for user in people:
        if user.notify_by_email:
            try:
                mail.send(user.email, _("qualirepar : %(t)s", t=text[:120]), f"{text}\n\n{hint}".strip())
            except Exception:  # noqa: BLE001 - the notification in the app is kept
                log.exception("notification e-mail to user %s failed", user.id)


def unread_count(user_id: int) -> int:
    return db.session.execute(db.select(db.func.count(Notification.id))
                              .where(Notification.user_id == user_id, Notification.read_at.is_(None))).scalar_one()
