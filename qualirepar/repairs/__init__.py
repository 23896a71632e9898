"""Customers, appliances and repair orders: intake (bon de prise en charge), the order's life,
warranty returns."""
from flask import Blueprint

bp = Blueprint("repairs", __name__, url_prefix="/dossiers")

from . import routes  # noqa: E402,F401
