"""Photos of the appliance for one order, taken with the tablet camera: each file checked by its
content, turned upright and resized; a batch is kept whole or not at all."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_login import current_user

from ..claims.models import Claim
from ..core.refusal import Refusal
from ..extensions import db
from ..files.images import PHOTO_MAX_BYTES, photo_name, prepare_photo, store_prepared_photo
from ..files.models import StoredFile
from ..files.services import UploadRejected
from ..files.storage import get_storage
from ..shops.models import User
from .models import OrderPhoto, RepairOrder

MAX_BYTES = PHOTO_MAX_BYTES  # per photo, before resizing
MAX_PER_BATCH = 5  # five full-size phone photos fit in one request (MAX_UPLOAD_MB)
CAPTION_MAX = 200
PURPOSE = "order_photo"


class PhotoRefused(Refusal, ValueError):
    """The photos cannot be kept; the message is for the user, in French."""


class PhotoNotFound(LookupError):
    """No such photo on this order (or in this shop)."""


@dataclass
class Shown:
    photo: OrderPhoto
    name: str  # the file's name as the user sent it
    taken_by: str | None


def add(order: RepairOrder, uploads, caption: str | None = None) -> list[OrderPhoto]:
    """Keep every photo of `uploads` with the same caption. Every file is checked before any is
    stored: if one is refused, nothing is saved and the message names the file."""
    uploads = [u for u in (uploads or []) if u is not None and getattr(u, "filename", "")]
    if not uploads:
        raise PhotoRefused(_("Prenez ou choisissez au moins une photo."))
    if len(uploads) > MAX_PER_BATCH:
        raise PhotoRefused(_("Envoyez %(n)s photos au plus à la fois.", n=MAX_PER_BATCH))
    caption = " ".join((caption or "").split())[:CAPTION_MAX] or None
    prepared = []
    for upload in uploads:
        name = photo_name(upload)
        try:
            prepared.append((name, prepare_photo(upload, MAX_BYTES)))
        except UploadRejected as exc:
            raise PhotoRefused(_("« %(name)s » refusé : %(reason)s Aucune photo n'a été enregistrée.", name=name,
                                 reason=exc)) from exc
    user_id = current_user.id if current_user and current_user.is_authenticated else None
    keys, rows = [], []
    try:
        for name, data in prepared:
            stored = store_prepared_photo(data, name, PURPOSE)
            keys.append(stored.storage_key)
            row = OrderPhoto(order_id=order.id, file_id=stored.id, caption=caption, taken_by_id=user_id)
            db.session.add(row)
            rows.append(row)
        db.session.commit()
    except Exception:
        db.session.rollback()
        for key in keys:  # the bytes already written have no row any more
            get_storage().delete(key)
        raise
    return rows


def remove(order: RepairOrder, photo_id: int) -> None:
    """Delete one photo of the order: its row, its file row and its bytes."""
    photo = db.session.execute(db.select(OrderPhoto).where(
        OrderPhoto.id == photo_id, OrderPhoto.order_id == order.id)).scalar_one_or_none()
    if photo is None:
        raise PhotoNotFound(photo_id)

    claims = db.session.execute(db.select(Claim.attachments).where(Claim.order_id == order.id)).scalars().all()
    if any(photo.file_id in attachments.values() for attachments in claims):
        raise PhotoRefused(_("Cette photo est une pièce jointe de la demande de bonus : elle est gardée."))
    stored = db.session.get(StoredFile, photo.file_id)
    db.session.delete(photo)
    db.session.flush()
    key = None
    if stored is not None:
        key = stored.storage_key
        db.session.delete(stored)
    db.session.commit()
    if key:
        get_storage().delete(key)


def of(order: RepairOrder) -> list[Shown]:
    """The order's photos, oldest first, with the file's name and who took them (one query)."""
    taken_by = db.aliased(User)
    result = db.session.execute(
        db.select(OrderPhoto, StoredFile.original_name, taken_by)
        .join(StoredFile, StoredFile.id == OrderPhoto.file_id)
        .outerjoin(taken_by, taken_by.id == OrderPhoto.taken_by_id)
        .where(OrderPhoto.order_id == order.id)
        .order_by(OrderPhoto.created_at, OrderPhoto.id))
    return [Shown(photo, name, user.display_name if user else None) for photo, name, user in result]


def count(order: RepairOrder) -> int:
    return db.session.execute(db.select(db.func.count(OrderPhoto.id)).where(OrderPhoto.order_id == order.id)).scalar_one()
