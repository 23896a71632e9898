"""The owner's view of the machinery: database, Redis, workers, OCR, PDF."""
from flask import Blueprint

bp = Blueprint("health", __name__, url_prefix="/sante")

from . import routes  # noqa: E402,F401
