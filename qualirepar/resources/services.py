"""The documents library: accept a file, file it under a category, follow its expiry date.

Views, the dashboard and tests call these. Each operation is all or nothing: a file that cannot be
stored leaves no row, and a row that cannot be saved leaves no file on disk.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile

from flask import current_app
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..core.refusal import Refusal
from ..audit import note as audit_note
from ..core.clock import paris_today  # noqa: F401 - the views call it from here
from ..extensions import db
from ..files.models import StoredFile
from ..files.services import UploadRejected, sniff, store_bytes, store_checked
from ..files.storage import get_storage
from ..shops.models import Shop
from ..tenancy import current_shop_id
from .models import CATEGORIES, ShopDocument, ShopDocumentVersion

PURPOSE = "shop_document"
MAX_MB = 20
MAX_BYTES = MAX_MB * 1024 * 1024
EXPIRING_DAYS = 30  # a document is "to renew" this many days before it expires
PLAIN_TYPES = {"application/pdf", "image/jpeg", "image/png"}
OFFICE_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/vnd.oasis.opendocument.spreadsheet": ".ods",
}
ACCEPTED_KINDS = "PDF, JPEG, PNG, Word (DOCX), Excel (XLSX), OpenDocument (ODT, ODS)"
_OOXML_MAIN_PART = {"word/document.xml": ".docx", "xl/workbook.xml": ".xlsx"}
_MAX_ZIP_ENTRIES = 5000


class DocumentError(Refusal, ValueError):
    """An input refused; the message is for the user, in French; `field` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def _user_id() -> int | None:
    return current_user.id if current_user and current_user.is_authenticated else None


# --- expiry -------------------------------------------------------------------------------------

def status(doc: ShopDocument, today: dt.date, within_days: int = EXPIRING_DAYS) -> str:
    """"expired" (the day after `expires_on`), "expiring" (within the window, today included),
    "valid", or "no_expiry"."""
    if doc.expires_on is None:
        return "no_expiry"
    if doc.expires_on < today:
        return "expired"
    if doc.expires_on <= today + dt.timedelta(days=within_days):
        return "expiring"
    return "valid"


def expiring(today: dt.date, within_days: int = EXPIRING_DAYS) -> list[ShopDocument]:
    """Documents of the current shop expired, or expiring within `within_days`; soonest first."""
    limit = today + dt.timedelta(days=within_days)
    return list(db.session.execute(
        db.select(ShopDocument).where(ShopDocument.expires_on.is_not(None), ShopDocument.expires_on <= limit)
        .order_by(ShopDocument.expires_on, ShopDocument.title)).scalars())


def listing(category: str | None = None) -> list[ShopDocument]:
    """The library (one category, or all), by category then title, files loaded."""
    query = db.select(ShopDocument).options(selectinload(ShopDocument.file)).order_by(ShopDocument.title, ShopDocument.id)
    if category:
        query = query.where(ShopDocument.category == category)
    return list(db.session.execute(query).scalars())


# --- files --------------------------------------------------------------------------------------

def _office_type(data: bytes) -> str | None:
    """The type of an OOXML / OpenDocument file, from its zip directory (nothing is decompressed
    but ODF's few-byte `mimetype` entry); files carrying macros are refused."""
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            names = {e.filename for e in entries}
            if not entries or len(entries) > _MAX_ZIP_ENTRIES:
                return None
            if any(n.lower().endswith("vbaproject.bin") or n.startswith(("Basic/", "Scripts/")) for n in names):
                raise UploadRejected(_("Les documents contenant des macros sont refusés : enregistrez-le sans macros ou en PDF."))
            if "[Content_Types].xml" in names:
                suffix = next((s for part, s in _OOXML_MAIN_PART.items() if part in names), None)
                return next((t for t, s in OFFICE_TYPES.items() if s == suffix), None)
            first = entries[0]
            if first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED and first.file_size <= 100:
                declared = archive.read(first).decode("ascii", "replace").strip()
                return declared if declared in OFFICE_TYPES else None
    except UploadRejected:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError):
        return None  # not a readable archive
    return None


def accept_file(upload) -> StoredFile:
    """Check the upload (present, not empty, 20 MB, type from its bytes) and store it; the row is unflushed."""
    if upload is None or not getattr(upload, "filename", ""):
        raise DocumentError(_("Choisissez le fichier à enregistrer."), "upload")
    data = upload.read(MAX_BYTES + 1)
    if not data:
        raise DocumentError(_("Le fichier est vide."), "upload")
    if len(data) > MAX_BYTES:
        raise DocumentError(_("Fichier trop lourd : %(mb)s Mo au plus.", mb=MAX_MB), "upload")
    try:
        kind = sniff(data)
        if kind in PLAIN_TYPES:
            return store_bytes(data, upload.filename, PURPOSE, PLAIN_TYPES, MAX_BYTES)
        kind = _office_type(data)
        if kind is None:
            raise UploadRejected(_("Type de fichier refusé : formats acceptés %(kinds)s.", kinds=ACCEPTED_KINDS))
        return store_checked(data, upload.filename or "document", PURPOSE, kind, OFFICE_TYPES[kind])
    except UploadRejected as exc:
        raise DocumentError(str(exc), "upload") from exc
    except OSError as exc:
        current_app.logger.exception("shop document: the file could not be stored")
        raise DocumentError(_("Le fichier n'a pas pu être enregistré, et rien n'a été enregistré : réessayez."), "upload") from exc


# --- operations ---------------------------------------------------------------------------------

def _follow_label(category: str, expires_on: dt.date | None, update_label: bool) -> dt.date | None:
    """A label certificate's end date becomes the shop's `label_valid_until` when asked."""
    if not (update_label and category == "label" and expires_on):
        return None
    shop = db.session.get(Shop, current_shop_id())
    shop.label_valid_until = expires_on
    return expires_on


def _check_dates(valid_from: dt.date | None, expires_on: dt.date | None) -> None:
    if valid_from and expires_on and expires_on < valid_from:
        raise DocumentError(_("La date d'expiration ne peut pas précéder la date de début de validité."), "expires_on")


def _commit_or_undo() -> None:
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()  # the stored bytes leave the disk with the rows (files.services)
        raise


def create(*, title: str, category: str, upload, valid_from: dt.date | None = None, expires_on: dt.date | None = None,
           note: str | None = None, update_label: bool = False) -> tuple[ShopDocument, dt.date | None]:
    """File a new document; returns it and the label date set on the shop, if any."""
    if category not in CATEGORIES:
        raise DocumentError(_("Choisissez une catégorie de la liste."), "category")
    _check_dates(valid_from, expires_on)
    try:
        stored = accept_file(upload)
        doc = ShopDocument(title=title.strip(), category=category, file=stored, valid_from=valid_from, expires_on=expires_on,
                           note=(note or "").strip() or None,
                           uploaded_by_id=_user_id())
        db.session.add(doc)
        label_until = _follow_label(category, expires_on, update_label)
    except Exception:
        db.session.rollback()
        raise
    _commit_or_undo()
    return doc, label_until


def replace_file(doc: ShopDocument, upload, valid_from: dt.date | None, expires_on: dt.date | None,
                 update_label: bool = False) -> dt.date | None:
    """A new version of the document (a renewed certificate): new file and dates. The earlier file and
    its dates stay listed on the document's page, and the audit trail records the change."""
    _check_dates(valid_from, expires_on)
    try:
        old_name = doc.file.original_name
        stored = accept_file(upload)
        doc.versions.append(ShopDocumentVersion(file_id=doc.file_id, valid_from=doc.valid_from, expires_on=doc.expires_on,
                                                replaced_by_id=_user_id()))
        doc.file = stored
        doc.valid_from, doc.expires_on = valid_from, expires_on
        audit_note(doc, "file_replaced", {"file": (old_name, stored.original_name)})
        label_until = _follow_label(doc.category, expires_on, update_label)
    except Exception:
        db.session.rollback()
        raise
    _commit_or_undo()
    return label_until


def delete(doc: ShopDocument) -> None:
    """Remove the document, its earlier versions and all their files; the bytes leave the disk once
    the rows are gone."""
    files = [doc.file, *(version.file for version in doc.versions)]
    keys = [stored.storage_key for stored in files]
    db.session.delete(doc)  # and its versions
    db.session.flush()  # the rows before the files they point to
    for stored in files:
        db.session.delete(stored)
    _commit_or_undo()
    storage = get_storage()
    for key in keys:
        storage.delete(key)
