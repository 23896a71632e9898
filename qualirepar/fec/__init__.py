"""The FEC (fichier des écritures comptables, article A47 A-1 of the Livre des procédures fiscales):
the shop's chart of accounts, and the file of a period's entries streamed for the accountant or the
tax authority."""
from flask import Blueprint

bp = Blueprint("fec", __name__, url_prefix="/comptabilite")

from . import routes  # noqa: E402,F401
