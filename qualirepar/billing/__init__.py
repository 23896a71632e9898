"""Quotes with the bonus, invoices and credit notes, payments at the counter."""
from flask import Blueprint

bp = Blueprint("billing", __name__)

from . import routes  # noqa: E402,F401
from . import deposit_routes  # noqa: E402,F401
from . import correction_routes  # noqa: E402,F401
