"""The tenant (shop) and what belongs to it: repair sites, subcontractors, fiches métier, users."""
from __future__ import annotations

import datetime as dt

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit import Audited, utcnow
from ..extensions import db
from ..tenancy import TenantScoped

ROLES = ("owner", "technician", "support")

# The ten EEE families of the scheme (numerama 2022); that the label's ten fiches métier map one to
# one onto them is an inference (DOMAIN.md §5.2). Codes are ours; labels are the families' names.
FICHES_METIER = {
    "GEM": "Gros électroménager",
    "FROID": "Appareils de froid",
    "PEM": "Petit électroménager",
    "ECRANS": "Écrans et téléviseurs",
    "EGP": "Électronique grand public",
    "PHOTO": "Appareils photo à objectif séparé",
    "INFO_TEL": "Informatique et télécoms",
    "GROS_OUTILLAGE": "Gros outillage",
    "PETIT_OUTILLAGE": "Petit outillage",
    "LOISIRS": "Jouets, loisirs, sport et mobilité",
}


class Shop(Audited, db.Model):
    """The tenant: a legal entity with its SIRET and QualiRépar label."""

    __tablename__ = "shop"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    siret: Mapped[str] = mapped_column(String(14), unique=True)  # 14 digits, Luhn-checked
    vat_number: Mapped[str | None] = mapped_column(String(20))  # FRkk + SIREN
    label_number: Mapped[str | None] = mapped_column(String(40))  # QualiRépar label number
    label_valid_until: Mapped[dt.date | None] = mapped_column(Date)
    street: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(10))
    city: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(254))
    # Invoice numbers: this prefix ({AAAA} is the year) then a counter without gaps per prefix.
    invoice_prefix: Mapped[str] = mapped_column(String(20), default="F{AAAA}-", server_default="F{AAAA}-")
    # A claim accepted and not paid after this many days since it was sent is late.
    payment_late_days: Mapped[int] = mapped_column(Integer, default=60, server_default="60")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def siren(self) -> str:
        return self.siret[:9]

    @property
    def address_lines(self) -> list[str]:
        return [line for line in (self.street, " ".join(filter(None, (self.postcode, self.city)))) if line]


class RepairSite(TenantScoped, Audited, db.Model):
    """A lieu de réparation (workshop or counter) declared to the eco-organisms."""

    __tablename__ = "repair_site"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    street: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(10))
    city: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(30))
    is_deposit_site: Mapped[bool] = mapped_column(Boolean, default=True)  # customers may drop off here
    ecosystem_place_id: Mapped[str | None] = mapped_column(String(40))  # RepairPlaceID at ecosystem
    ecologic_site_id: Mapped[str | None] = mapped_column(String(40))  # site id at Ecologic
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (UniqueConstraint("shop_id", "name"),)


class Subcontractor(TenantScoped, Audited, db.Model):
    """A labelled subcontractor the shop may hand a repair to."""

    __tablename__ = "subcontractor"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    siret: Mapped[str | None] = mapped_column(String(14))
    label_number: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))
    city: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    __table_args__ = (UniqueConstraint("shop_id", "name"),)


class FicheMetier(TenantScoped, Audited, db.Model):
    """A trade sheet the shop is certified for; it decides which products it may claim for."""

    __tablename__ = "fiche_metier"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20))  # key of FICHES_METIER
    certified_on: Mapped[dt.date | None] = mapped_column(Date)
    valid_until: Mapped[dt.date | None] = mapped_column(Date)

    __table_args__ = (UniqueConstraint("shop_id", "code"),)

    @property
    def label(self) -> str:
        return FICHES_METIER.get(self.code, self.code)

    def is_valid_on(self, day: dt.date) -> bool:
        return (self.certified_on is None or self.certified_on <= day) and (
            self.valid_until is None or day <= self.valid_until)


class User(TenantScoped, Audited, UserMixin, db.Model):
    """A person working for one shop, with one role."""

    __tablename__ = "user"
    __audit_redact__ = frozenset({"password_hash", "session_epoch"})

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str | None] = mapped_column(String(255))  # None until set by invitation
    # Bumped when the password changes: every other session of the user ends.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    notify_by_email: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (CheckConstraint("role IN ('owner', 'technician', 'support')", name="role"),)

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return bool(self.active)

    def get_id(self) -> str:
        """What the session and remember-me cookies carry: the user, the password's epoch and the
        token of this login's row (auth.models.LoginSession), set at login or when loaded."""
        return f"{self.id}:{self.session_epoch or 0}:{getattr(self, 'session_token', '')}"

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.session_epoch = (self.session_epoch or 0) + 1

    def check_password(self, password: str) -> bool:
        return bool(self.password_hash) and check_password_hash(self.password_hash, password)
