"""Per-shop credentials for each eco-organism, encrypted at rest."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, CheckConstraint, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..audit import Audited, utcnow
from ..crypto import decrypt, encrypt
from ..extensions import db
from ..tenancy import TenantScoped

ORGANISMS = {"ecosystem": "ecosystem", "ecologic": "Ecologic"}
ENVIRONMENTS = {"sandbox": "Bac à sable (local)", "preprod": "Pré-production", "production": "Production"}


class EcoAccount(TenantScoped, Audited, db.Model):
    """How the shop logs in to one organism's API: ecosystem login/password or Ecologic API key."""

    __tablename__ = "eco_account"
    __audit_redact__ = frozenset({"secret_encrypted"})

    id: Mapped[int] = mapped_column(primary_key=True)
    organism: Mapped[str] = mapped_column(String(20))  # key of ORGANISMS
    environment: Mapped[str] = mapped_column(String(20), default="sandbox")  # key of ENVIRONMENTS
    base_url: Mapped[str | None] = mapped_column(String(300))  # overrides the environment's URL
    login: Mapped[str | None] = mapped_column(String(200))  # ecosystem only
    secret_encrypted: Mapped[str | None] = mapped_column(Text)  # password (ecosystem) or API key (Ecologic)
    repairer_id: Mapped[str | None] = mapped_column(String(60))  # RepairerId / Ecologic repairer code
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    __table_args__ = (
        UniqueConstraint("shop_id", "organism"),
        CheckConstraint("organism IN ('ecosystem', 'ecologic')", name="organism"),
        CheckConstraint("environment IN ('sandbox', 'preprod', 'production')", name="environment"),
    )

    @property
    def secret(self) -> str | None:
        return decrypt(self.secret_encrypted) if self.secret_encrypted else None

    @secret.setter
    def secret(self, value: str | None) -> None:
        self.secret_encrypted = encrypt(value) if value else None

    @property
    def organism_label(self) -> str:
        return ORGANISMS[self.organism]


class EcoExchange(TenantScoped, db.Model):
    """One HTTP exchange with an organism, personal data redacted: the claim's timeline shows them."""

    __tablename__ = "eco_exchange"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    organism: Mapped[str] = mapped_column(String(20))
    claim_id: Mapped[int | None] = mapped_column(Integer, index=True)  # our claim, when the call was for one
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(300))
    status: Mapped[int | None] = mapped_column(Integer)  # None: no answer (timeout, refused)
    duration_ms: Mapped[int] = mapped_column(Integer)
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    request_body: Mapped[dict | list | str | None] = mapped_column(JSON)
    response_body: Mapped[dict | list | str | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(String(300))
