"""The shop's documents library, with expiry dates."""
from flask import Blueprint

bp = Blueprint("resources", __name__, url_prefix="/documents")

from . import routes  # noqa: E402,F401
