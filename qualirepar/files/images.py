"""Photos from a tablet camera: orientation fixed from EXIF, resized, re-encoded as JPEG."""
from __future__ import annotations

import io

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageOps, UnidentifiedImageError

from .services import MAX_PIXELS, UploadRejected

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
