from urllib.parse import quote

from flask import Response

from ..extensions import db
from ..permissions import ANY_ROLE, allow
from . import bp
from .models import StoredFile
from .storage import get_storage


@bp.get("/<int:file_id>")
@allow(*ANY_ROLE)
def download(file_id: int):
    """Serve a file of the current shop (another shop's id is not found: tenancy)."""
    row = db.get_or_404(StoredFile, file_id)
    resp = Response(get_storage().read(row.storage_key), mimetype=row.content_type)
    resp.headers["Content-Disposition"] = f"inline; filename*=UTF-8''{_quote(row.original_name)}"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Cache-Control"] = "private, max-age=3600"
    return resp


def _quote(name: str) -> str:
    return quote(name, safe="")
