from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..audit import Audited, utcnow
from ..extensions import db
from ..tenancy import TenantScoped

CHANNELS = {"email": _l("e-mail"), "letter": _l("courrier"), "counter": _l("au comptoir (écrit)"), "form": _l("formulaire en ligne")}


class Complaint(TenantScoped, Audited, db.Model):
    __tablename__ = "complaint"

    id: Mapped[int] = mapped_column(primary_key=True)
    received_on: Mapped[dt.date] = mapped_column(Date, index=True)
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)  # 8 working days later
    channel: Mapped[str] = mapped_column(String(10))
    customer_name: Mapped[str] = mapped_column(String(200))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("repair_order.id", ondelete="SET NULL"), index=True)
    text: Mapped[str] = mapped_column(Text)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_on: Mapped[dt.date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    def overdue(self, today: dt.date) -> bool:
        return self.answered_on is None and today > self.due_on

    def late_answer(self) -> bool:
        return self.answered_on is not None and self.answered_on > self.due_on
