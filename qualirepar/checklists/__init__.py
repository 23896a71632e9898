"""Check-in / check-out control points per fiche métier: templates, answers, the verification report."""
from flask import Blueprint

bp = Blueprint("checklists", __name__, url_prefix="/dossiers")
# The owner's editing of the templates, among the shop's settings.
settings_bp = Blueprint("checklist_settings", __name__, url_prefix="/parametres/controles")

from . import routes, settings_routes  # noqa: E402,F401
