"""Bonus claims: built at invoicing, checked, sent to the organism, followed to payment."""
from flask import Blueprint

bp = Blueprint("claims", __name__, url_prefix="/demandes")

from . import routes  # noqa: E402,F401
