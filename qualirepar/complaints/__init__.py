"""The complaints register the label asks for: each written complaint, the order it concerns, the
answer and its date, and the deadline of 8 working days."""
from flask import Blueprint

bp = Blueprint("complaints", __name__, url_prefix="/reclamations")

from . import routes  # noqa: E402,F401
