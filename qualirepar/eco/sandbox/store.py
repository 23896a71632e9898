"""The sandbox's own database (a SQLite file by default): nothing is shared with the app."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, DateTime, ForeignKey, Integer, Numeric, String, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, scoped_session, sessionmaker


def now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Product(Base):
    __tablename__ = "product"
    id: Mapped[int] = mapped_column(primary_key=True)
    eco_id: Mapped[str] = mapped_column(String(20), unique=True)  # ecosystem ProductID
    ecl_id: Mapped[str] = mapped_column(String(20), unique=True)  # Ecologic ProductId
    name: Mapped[str] = mapped_column(String(120))
    family: Mapped[str] = mapped_column(String(120))
    sheet_type: Mapped[str] = mapped_column(String(30))
    eligible_from: Mapped[dt.date] = mapped_column(Date)
    eligible_until: Mapped[dt.date | None] = mapped_column(Date)
    is_phone: Mapped[bool] = mapped_column(Boolean, default=False)
    tariffs: Mapped[list["Tariff"]] = relationship(order_by="Tariff.valid_from", lazy="selectin")
    codes: Mapped[list["ProductCode"]] = relationship(lazy="selectin")


class Tariff(Base):
    __tablename__ = "tariff"
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    amount: Mapped[Decimal] = mapped_column(Numeric(8, 2))
    threshold: Mapped[Decimal | None] = mapped_column(Numeric(8, 2))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)


class ProductCode(Base):
    __tablename__ = "product_code"
    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id"))
    organism: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(10))  # repair or symptom
    code: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(200))


class Brand(Base):
    __tablename__ = "brand"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    eco_id: Mapped[str] = mapped_column(String(20), unique=True)  # ecosystem BrandID
    ecl_id: Mapped[str | None] = mapped_column(String(20))  # Ecologic BrandId (its brands only)
    organism: Mapped[str] = mapped_column(String(10))  # who pays: ecosystem or ecologic


class Repairer(Base):
    __tablename__ = "repairer"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    repairer_id: Mapped[str] = mapped_column(String(20), unique=True)  # ecosystem RepairerID (2xxxxxx)
    username: Mapped[str] = mapped_column(String(60), unique=True)  # ecosystem API user
    password: Mapped[str] = mapped_column(String(120))
    api_key: Mapped[str] = mapped_column(String(60), unique=True)  # Ecologic GUID key
    sites: Mapped[list["Site"]] = relationship(lazy="selectin")
    sheets: Mapped[list["Sheet"]] = relationship(lazy="selectin")


class Site(Base):
    __tablename__ = "site"
    id: Mapped[int] = mapped_column(primary_key=True)
    repairer_pk: Mapped[int] = mapped_column(ForeignKey("repairer.id"))
    eco_place_id: Mapped[str] = mapped_column(String(20))  # RepairPlaceID
    ecl_site_id: Mapped[str] = mapped_column(String(40))  # SiteId (GUID)
    name: Mapped[str] = mapped_column(String(200))
    zip: Mapped[str] = mapped_column(String(10))
    city: Mapped[str] = mapped_column(String(100))
    is_deposit: Mapped[bool] = mapped_column(Boolean, default=True)


class Sheet(Base):
    __tablename__ = "sheet"
    id: Mapped[int] = mapped_column(primary_key=True)
    repairer_pk: Mapped[int] = mapped_column(ForeignKey("repairer.id"))
    type: Mapped[str] = mapped_column(String(30))
    number: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date] = mapped_column(Date)


class Token(Base):
    __tablename__ = "token"
    token: Mapped[str] = mapped_column(String(80), primary_key=True)
    repairer_pk: Mapped[int] = mapped_column(ForeignKey("repairer.id"))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Claim(Base):
    __tablename__ = "claim"
    id: Mapped[int] = mapped_column(primary_key=True)  # Ecologic ClaimId
    organism: Mapped[str] = mapped_column(String(10))
    external_id: Mapped[str] = mapped_column(String(40), unique=True)  # ecosystem ReimbursementClaimID / str(ClaimId)
    repairer_pk: Mapped[int] = mapped_column(ForeignKey("repairer.id"))
    reference: Mapped[str] = mapped_column(String(60), index=True)  # invoice number
    serial: Mapped[str | None] = mapped_column(String(60))
    body: Mapped[dict] = mapped_column(JSON)  # as received
    params: Mapped[dict] = mapped_column(JSON, default=dict)  # Ecologic query parameters
    status: Mapped[str] = mapped_column(String(60))
    reject_reason: Mapped[str | None] = mapped_column(String(300))
    service_order: Mapped[str | None] = mapped_column(String(20))
    amount: Mapped[Decimal] = mapped_column(Numeric(8, 2))  # bonus asked
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=now)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    payment_ref: Mapped[str | None] = mapped_column(String(40))
    files: Mapped[list["File"]] = relationship(lazy="selectin", order_by="File.id")
    repairer: Mapped[Repairer] = relationship(lazy="joined")


class File(Base):
    __tablename__ = "file"
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_pk: Mapped[int] = mapped_column(ForeignKey("claim.id"))
    file_type: Mapped[str] = mapped_column(String(30))  # invoice, serial_tag, ... / INVOICE, NAMEPLATE, ...
    file_name: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer, default=0)
    uploaded: Mapped[bool] = mapped_column(Boolean, default=False)  # ecosystem: true after the PUT
    upload_token: Mapped[str | None] = mapped_column(String(60), unique=True)


class Payment(Base):
    __tablename__ = "payment"
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    organism: Mapped[str] = mapped_column(String(10))
    paid_on: Mapped[dt.date] = mapped_column(Date)
    total: Mapped[Decimal] = mapped_column(Numeric(10, 2))


def make_session(url: str):
    engine = create_engine(url, connect_args={"check_same_thread": False} if url.startswith("sqlite") else {})
    Base.metadata.create_all(engine)
    return scoped_session(sessionmaker(engine, expire_on_commit=False))
