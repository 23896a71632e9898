"""The shop's settings: identity, repair sites, subcontractors, fiches métier, users, eco accounts."""
from flask import Blueprint

bp = Blueprint("shops", __name__, url_prefix="/parametres")

from . import routes  # noqa: E402,F401
