"""Bonus claims: built at invoicing, checked, sent to the organism, followed to payment."""
from flask import Blueprint
from flask_login import current_user

from .notify import URL_PREFIX, unread_count

bp = Blueprint("claims", __name__, url_prefix=URL_PREFIX)
notifications_bp = Blueprint("notifications", __name__, url_prefix="/notifications")

from . import routes  # noqa: E402,F401


@bp.app_context_processor
def _unread_notifications():
    """The count on the bell of the menu, for the signed-in user."""

    def unread() -> int:
        if not current_user or not current_user.is_authenticated:
            return 0
        return unread_count(current_user.id)

    return {"unread_notifications": unread}
