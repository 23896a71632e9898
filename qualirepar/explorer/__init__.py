"""The explorer: one screen to query orders, claims, returns and payments, save views, export them."""
from flask import Blueprint

bp = Blueprint("explorer", __name__, url_prefix="/explorateur")

from . import routes  # noqa: E402,F401
