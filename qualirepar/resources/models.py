"""The shop's documents library: label certificate, insurance, price lists, the organisms' kit."""
from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit import Audited, utcnow
from ..extensions import db
from ..files.models import StoredFile
from ..tenancy import TenantScoped

CATEGORIES = {"label": _l("certificat de labellisation QualiRépar"), "insurance": _l("attestation d'assurance"),
              "price_list": _l("grille tarifaire"), "kit": _l("kit de communication des éco-organismes"),
              "fiche": _l("certificat de fiche métier"), "other": _l("autre document")}


class ShopDocument(TenantScoped, Audited, db.Model):
    __tablename__ = "shop_document"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    expires_on: Mapped[dt.date | None] = mapped_column(Date, index=True)  # None: does not expire
    note: Mapped[str | None] = mapped_column(Text)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    file: Mapped[StoredFile] = relationship()
    versions: Mapped[list["ShopDocumentVersion"]] = relationship(
        back_populates="document", order_by="ShopDocumentVersion.id.desc()", cascade="all, delete-orphan")

    @property
    def category_label(self) -> str:
        return str(CATEGORIES.get(self.category, self.category))


class ShopDocumentVersion(TenantScoped, db.Model):
    """An earlier file of a document, with the dates it was valid: the insurance certificate in force
    at the time of a repair can still be shown after it was renewed."""
    __tablename__ = "shop_document_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("shop_document.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    valid_from: Mapped[dt.date | None] = mapped_column(Date)
    expires_on: Mapped[dt.date | None] = mapped_column(Date)
    replaced_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    replaced_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    document: Mapped[ShopDocument] = relationship(back_populates="versions")
    file: Mapped[StoredFile] = relationship()
