"""The fiscal journal (issue 19): insert-only records, a signed chain per shop with perpetual grand
totals, and its verification (`flask fiscal verify`, the owner's compliance page)."""
from flask import Blueprint

bp = Blueprint("fiscal", __name__)

from . import routes  # noqa: E402,F401
