"""Automatic reading (OCR) of invoices and nameplates: documents read as RQ jobs, forms pre-filled,
claims cross-checked against their invoice before sending."""
from flask import Blueprint

bp = Blueprint("ocr", __name__, url_prefix="/lecture")

from . import routes  # noqa: E402,F401
