"""Accepting a file: type from its bytes, size and pixel limits, then storage and a row."""
from __future__ import annotations

import hashlib
import io

from flask_babel import lazy_gettext as _l
from flask_login import current_user
from PIL import Image, UnidentifiedImageError
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..core.refusal import Refusal
from ..extensions import db
from .models import StoredFile
from .storage import get_storage

SIGNATURES = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}
SUFFIX = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
MAX_PIXELS = 40_000_000  # a 40 Mpx photo is plenty; more is a decompression bomb


@event.listens_for(Session, "after_commit")
def _keep_new_files(session: Session) -> None:
    session.info.pop("new_files", None)


@event.listens_for(Session, "after_soft_rollback")
def _remove_new_files(session: Session, previous_transaction) -> None:
    """Bytes written for rows that were rolled back (a failed invoice, a refused batch) leave the disk."""
    if previous_transaction.parent is None and not previous_transaction.nested:
        for key in session.info.pop("new_files", []):
            get_storage().delete(key)


class UploadRejected(Refusal, ValueError):
    """The file cannot be accepted; the message is for the user, in French."""


def sniff(data: bytes) -> str | None:
    for magic, content_type in SIGNATURES.items():
        if data.startswith(magic):
            return content_type
    return None


def _check_image(data: bytes) -> None:
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > MAX_PIXELS:
                raise UploadRejected(_l("Image trop grande (%(mp)s mégapixels au plus).", mp=MAX_PIXELS // 1_000_000))
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise UploadRejected(_l("Cette image est illisible ou endommagée.")) from exc


def store_bytes(data: bytes, original_name: str, purpose: str, allowed: set[str], max_bytes: int) -> StoredFile:
    """Check and store `data`; returns the (unflushed) StoredFile row."""
    if not data:
        raise UploadRejected(_l("Le fichier est vide."))
    if len(data) > max_bytes:
        raise UploadRejected(_l("Fichier trop lourd : %(max)s Mo au plus.", max=round(max_bytes / 1024 / 1024, 1)))
    content_type = sniff(data)
    if content_type not in allowed:
        kinds = ", ".join(sorted(SUFFIX[t][1:].upper() for t in allowed))
        raise UploadRejected(_l("Type de fichier refusé : formats acceptés %(kinds)s.", kinds=kinds))
    if content_type.startswith("image/"):
        _check_image(data)
    return store_checked(data, original_name, purpose, content_type, SUFFIX[content_type])


def store_checked(data: bytes, original_name: str, purpose: str, content_type: str, suffix: str,
                  created_by_id: int | None = None) -> StoredFile:
    """Store bytes whose type the caller has established (an office document sniffed by its own
    rules, a zip the app built); the bytes leave the disk again if this transaction rolls back.
    Returns the (unflushed) StoredFile row."""
    key = get_storage().save(data, suffix)
    db.session.info.setdefault("new_files", []).append(key)
    if created_by_id is None and current_user and current_user.is_authenticated:
        created_by_id = current_user.id
    row = StoredFile(storage_key=key, original_name=(original_name or "fichier")[-255:], content_type=content_type,
                     size=len(data), sha256=hashlib.sha256(data).hexdigest(), purpose=purpose, created_by_id=created_by_id)
    db.session.add(row)
    return row


def store_upload(upload, purpose: str, allowed: set[str], max_bytes: int) -> StoredFile:
    """Same as store_bytes, from a werkzeug FileStorage."""
    return store_bytes(upload.read(max_bytes + 1), upload.filename or "", purpose, allowed, max_bytes)
