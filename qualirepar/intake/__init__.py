"""The bon de prise en charge: the shop's form settings, drafts saved as they are typed, the PDF."""
from flask import Blueprint

bp = Blueprint("intake", __name__)

from . import appliance_routes, routes  # noqa: E402,F401
