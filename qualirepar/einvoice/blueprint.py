"""The e-invoicing pages' blueprint (kept apart from the package's __init__, which the OCR imports
for the reader alone): settings, e-reporting, suppliers' e-invoices, transmissions."""
from flask import Blueprint

bp = Blueprint("einvoice", __name__)
