"""Signatures drawn with a finger: checked (a real PNG, not empty, not huge), stored as images with
the time, the user holding the tablet and the IP."""
from __future__ import annotations

import base64
import binascii
import io

from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from PIL import Image, UnidentifiedImageError

from ..audit import utcnow
from ..core.refusal import Refusal
from ..extensions import db
from ..files.models import StoredFile
from ..files.services import store_bytes
from ..files.storage import get_storage
from .models import RepairOrder, Signature

ROLES = ("customer", "technician")  # the bon de prise en charge
HANDBACK = "handback"  # the customer, when the appliance is handed back (repairs.handback)
MAX_BYTES = 600 * 1024
PREFIX = "data:image/png;base64,"


class SignatureRefused(Refusal, ValueError):
    """The drawing cannot be kept; the message is for the user, in French."""


def check(data_url: str) -> bytes:
    """The drawing's PNG bytes, or a refusal in French (nothing is stored)."""
    return _png(data_url)


def _png(data_url: str) -> bytes:
    if not data_url or not data_url.startswith(PREFIX):
        raise SignatureRefused(_("Signez dans le cadre avant de valider."))
    try:
        data = base64.b64decode(data_url[len(PREFIX):], validate=True)
    except (binascii.Error, ValueError):
        raise SignatureRefused(_("La signature n'a pas pu être lue : recommencez.")) from None
    if len(data) > MAX_BYTES:
        raise SignatureRefused(_("La signature est trop lourde : effacez et recommencez."))
    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format != "PNG" or img.width > 3000 or img.height > 2000:
                raise SignatureRefused(_("La signature n'a pas pu être lue : recommencez."))
            alpha = img.convert("RGBA").getchannel("A")
            inked = sum(1 for v in alpha.getdata() if v > 0)
    except (UnidentifiedImageError, OSError):
        raise SignatureRefused(_("La signature n'a pas pu être lue : recommencez.")) from None
    if inked < 30:
        raise SignatureRefused(_("Le cadre est vide : signez avec le doigt ou le stylet."))
    return data


def store_drawn(data_url: str, filename: str):
    """A signature drawn on the pad, checked and stored (the row is flushed)."""
    stored = store_bytes(_png(data_url), filename, "signature", {"image/png"}, MAX_BYTES)
    db.session.flush()
    return stored


def keep(order: RepairOrder, role: str, data_url: str, signer_name: str) -> tuple[Signature, str | None]:
    """One signature per role and order (signing again replaces it), flushed, not committed: the
    caller commits it with what it signs. Returns the row and the storage key of the replaced
    image, to delete once committed."""
    if role not in ROLES + (HANDBACK,):
        raise SignatureRefused(_("Signataire inconnu."))
    if not (signer_name or "").strip():
        raise SignatureRefused(_("Indiquez le nom du signataire."))
    stored = store_drawn(data_url, f"signature-{order.number}-{role}.png")
    row = db.session.execute(db.select(Signature).where(Signature.order_id == order.id, Signature.role == role)).scalar_one_or_none()
    old_key = None
    if row is None:
        row = Signature(order_id=order.id, role=role)
        db.session.add(row)
    else:
        old = db.session.get(StoredFile, row.file_id)
        if old is not None:
            old_key = old.storage_key
            row.file_id = stored.id
            db.session.flush()
            db.session.delete(old)
    row.signer_name, row.file_id = signer_name.strip()[:200], stored.id
    row.user_id = current_user.id if current_user and current_user.is_authenticated else None
    row.ip = request.remote_addr if request else None
    row.signed_at = utcnow()
    db.session.flush()
    return row, old_key


def sign(order: RepairOrder, role: str, data_url: str, signer_name: str) -> Signature:
    """Keep one signature of the bon de prise en charge (the customer's or the technician's)."""
    if role not in ROLES:
        raise SignatureRefused(_("Signataire inconnu."))
    row, old_key = keep(order, role, data_url, signer_name)
    db.session.commit()
    if old_key:
        get_storage().delete(old_key)
    return row


def of(order: RepairOrder) -> dict[str, Signature]:
    return {s.role: s for s in db.session.execute(db.select(Signature).where(Signature.order_id == order.id)).scalars()}
