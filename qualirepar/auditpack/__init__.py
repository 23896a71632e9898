"""The audit pack: for a period, one zip with what a QualiRépar auditor asks to see."""
from flask import Blueprint

bp = Blueprint("auditpack", __name__, url_prefix="/audit")

from . import routes  # noqa: E402,F401
