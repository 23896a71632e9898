"""Reference data: product types, bonus tariffs, brands, codes (dated), their sync with the
organisms, and the lookups the counter uses all day."""
from flask import Blueprint

bp = Blueprint("catalog", __name__, url_prefix="/catalogue")

from . import routes  # noqa: E402,F401
