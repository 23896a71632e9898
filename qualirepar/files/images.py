"""Photos from a tablet camera: orientation fixed from EXIF, resized, re-encoded as JPEG."""
from __future__ import annotations

import io

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from ..extensions import db
from .models import StoredFile
from .services import MAX_PIXELS, UploadRejected, sniff, store_bytes
from .storage import get_storage

MAX_SIDE = 2000  # pixels: enough to read a nameplate, small enough to mail and attach


def normalise_photo(data: bytes, max_bytes: int) -> bytes:
    """A JPEG of at most MAX_SIDE pixels a side, upright, without EXIF (no location kept)."""
    if len(data) > max_bytes:
        raise UploadRejected(_l("Photo trop lourde : %(max)s Mo au plus.", max=max_bytes // 1024 // 1024))
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.width * img.height > MAX_PIXELS:
                raise UploadRejected(_l("Image trop grande (%(mp)s mégapixels au plus).", mp=MAX_PIXELS // 1_000_000))
            img = ImageOps.exif_transpose(img)
            img.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            img.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
            return out.getvalue()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise UploadRejected(_l("Cette image est illisible ou endommagée.")) from exc


PHOTO_MAX_BYTES = 12 * 1024 * 1024  # a photo straight from a tablet or phone camera
PHOTO_TYPES = {"image/jpeg", "image/png"}


def photo_name(upload) -> str:
    """The name the user knows the file by (no folders), for messages and downloads."""
    name = (getattr(upload, "filename", None) or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    return name or "photo.jpg"


def prepare_photo(upload, max_bytes: int = PHOTO_MAX_BYTES) -> bytes:
    """Check an uploaded photo by its content (JPEG or PNG, size, pixels) and return it upright,
    resized, as a JPEG without EXIF. Nothing is stored; raises UploadRejected (French message)."""
    data = upload.read(max_bytes + 1)
    if not data:
        raise UploadRejected(_l("Le fichier est vide."))
    if len(data) > max_bytes:
        raise UploadRejected(_l("Photo trop lourde : %(max)s Mo au plus.", max=max_bytes // 1024 // 1024))
    if sniff(data) not in PHOTO_TYPES:
        raise UploadRejected(_l("Ce fichier n'est pas une photo : formats acceptés JPG, PNG."))
    return normalise_photo(data, max_bytes)


def store_prepared_photo(data: bytes, name: str, purpose: str) -> StoredFile:
    """Store the JPEG made by `prepare_photo`; the row is flushed, so its id is known."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    row = store_bytes(data, f"{stem or 'photo'}.jpg", purpose, {"image/jpeg"}, len(data))
    try:
        db.session.flush()
    except Exception:
        get_storage().delete(row.storage_key)  # no row, no file
        raise
    return row


def store_photo(upload, max_bytes: int = PHOTO_MAX_BYTES, purpose: str = "photo") -> StoredFile:
    """An uploaded photo checked, made upright and resized, then stored (the one way photos are kept)."""
    return store_prepared_photo(prepare_photo(upload, max_bytes), photo_name(upload), purpose)
