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

    @property
    def category_label(self) -> str:
        return str(CATEGORIES.get(self.category, self.category))
