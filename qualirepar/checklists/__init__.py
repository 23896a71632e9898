"""Check-in / check-out control points per fiche métier: templates, answers, the verification report."""
from flask import Blueprint

bp = Blueprint("checklists", __name__, url_prefix="/dossiers")

from . import routes  # noqa: E402,F401
