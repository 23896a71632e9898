"""The reference catalog: product types, bonus tariffs, brands and codes, each dated.

Global (the same for every shop); the shop-specific part of a sync (sites, fiches) lands in the
shop's own tables. Every question is asked "as of a date": the repair date decides.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, Numeric, String, UniqueConstraint, or_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit import Audited
from ..core.clock import utcnow
from ..core.queue import JobRow
from ..extensions import db
from ..tenancy import TenantScoped


class Dated:
    """valid_from <= day <= valid_to (an open end is None)."""

    @classmethod
    def valid_on(cls, day: dt.date):
        return (cls.valid_from <= day) & or_(cls.valid_to.is_(None), cls.valid_to >= day)

    def is_valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class ProductType(Dated, db.Model):
    """An appliance category of the bonus grid, with its ids at each organism."""

    __tablename__ = "product_type"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150), unique=True)
    norm: Mapped[str] = mapped_column(String(150), index=True)  # reference.norm(name), for matching and search
    family: Mapped[str] = mapped_column(String(150))
    fiche_code: Mapped[str] = mapped_column(String(20))  # fiche métier the shop must hold
    piec_from: Mapped[dt.date | None] = mapped_column(Date)  # +20 % for a reused part from this date
    ecosystem_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    ecologic_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    valid_from: Mapped[dt.date] = mapped_column(Date)  # in the scheme from
    valid_to: Mapped[dt.date | None] = mapped_column(Date)  # in the scheme until (None: still in)
    source: Mapped[str] = mapped_column(String(20), default="csv")  # csv, ecosystem, ecologic

    tariffs: Mapped[list["BonusTariff"]] = relationship(back_populates="product_type", order_by="BonusTariff.valid_from",
                                                        cascade="all, delete-orphan")


class BonusTariff(Dated, db.Model):
    """The flat bonus (TTC) of a product type over a period, with its trigger threshold."""

    __tablename__ = "bonus_tariff"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_type_id: Mapped[int] = mapped_column(ForeignKey("product_type.id", ondelete="CASCADE"), index=True)
    amount: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    threshold: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))  # minimum repair cost TTC
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(20), default="csv")
    confidence: Mapped[str | None] = mapped_column(String(20))  # of the CSV row: high, medium, low

    product_type: Mapped[ProductType] = relationship(back_populates="tariffs")


class Brand(Dated, db.Model):
    """A brand, who pays its bonus (ecosystem's isEcosystemBrand decides), and its ids."""

    __tablename__ = "brand"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150))
    norm: Mapped[str] = mapped_column(String(150), index=True)
    organism: Mapped[str | None] = mapped_column(String(20), index=True)  # ecosystem, ecologic, None: not covered
    ecosystem_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    ecologic_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)  # set when an organism stops listing it
    source: Mapped[str] = mapped_column(String(20), default="csv")


class Code(Dated, db.Model):
    """A repair, symptom or condition code, of one organism (or IRIS), for a product type or all."""

    __tablename__ = "code"

    id: Mapped[int] = mapped_column(primary_key=True)
    organism: Mapped[str] = mapped_column(String(20))  # ecosystem, ecologic, iris
    kind: Mapped[str] = mapped_column(String(20))  # repair, symptom, condition, extended_condition
    code: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(250))
    norm: Mapped[str] = mapped_column(String(270), index=True)  # code + label, for search
    product_type_id: Mapped[int | None] = mapped_column(ForeignKey("product_type.id", ondelete="CASCADE"), index=True)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)

    __table_args__ = (UniqueConstraint("organism", "kind", "code", "product_type_id"),)


class CatalogSync(JobRow, TenantScoped, Audited, db.Model):
    """One synchronisation with an organism, started by a shop: its progress and what it changed
    (its error and job id: JobRow)."""

    __tablename__ = "catalog_sync"

    id: Mapped[int] = mapped_column(primary_key=True)
    organism: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="queued")  # queued, running, done, failed
    progress: Mapped[int] = mapped_column(Integer, default=0)  # percent
    step: Mapped[str | None] = mapped_column(String(200))  # catalog, partners, apply, done
    changes: Mapped[list] = mapped_column(JSON, default=list)  # [{kind, action, label, before, after}]
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    scheduled: Mapped[bool] = mapped_column(Boolean, default=False)  # by the daily schedule, not a person
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
