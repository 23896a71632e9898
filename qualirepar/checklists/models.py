"""Control point templates (per fiche métier and phase) and the answers given on an order."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit import Audited, utcnow
from ..extensions import db
from ..tenancy import TenantScoped

PHASES = {"checkin": _l("Contrôles à l'entrée"), "checkout": _l("Contrôles à la sortie")}
KINDS = ("yes_no", "measure", "text", "choice", "photo")


class ChecklistTemplate(TenantScoped, Audited, db.Model):
    __tablename__ = "checklist_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    fiche_code: Mapped[str] = mapped_column(String(20))
    phase: Mapped[str] = mapped_column(String(10))  # checkin or checkout
    points: Mapped[list["ControlPoint"]] = relationship(order_by="ControlPoint.position", cascade="all, delete-orphan")

    __table_args__ = (UniqueConstraint("shop_id", "fiche_code", "phase"),)


class ControlPoint(TenantScoped, Audited, db.Model):
    __tablename__ = "control_point"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("checklist_template.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))  # one of KINDS
    mandatory: Mapped[bool] = mapped_column(Boolean, default=False)
    unit: Mapped[str | None] = mapped_column(String(20))  # measure: Ω, MΩ, mA, °C, %
    min_value: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    max_value: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))
    choices: Mapped[list | None] = mapped_column(JSON)  # choice: the options
    help: Mapped[str | None] = mapped_column(String(300))
    # A safety point (the electrical measures, or any point the owner marks): out of its limits,
    # the appliance cannot be declared repaired (checklists.safety).
    safety: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # A point removed from a template after it was answered is retired, not deleted: past
    # orders and their verification reports keep it.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class ControlAnswer(TenantScoped, Audited, db.Model):
    """One answer to one control point on one order; saved as soon as it is given."""

    __tablename__ = "control_answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("repair_order.id", ondelete="CASCADE"), index=True)
    point_id: Mapped[int] = mapped_column(ForeignKey("control_point.id", ondelete="CASCADE"))
    value: Mapped[str | None] = mapped_column(Text)  # oui/non, the text, the choice, the measure as typed
    number: Mapped[Decimal | None] = mapped_column(Numeric(12, 4))  # the measure
    out_of_limits: Mapped[bool] = mapped_column(Boolean, default=False)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id", ondelete="SET NULL"))  # photo
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    answered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (UniqueConstraint("order_id", "point_id"),)
