"""What the rest of the app asks about an order's invoices (read only: nothing here changes a row)."""
from __future__ import annotations

from ..extensions import db
from ..repairs.models import RepairOrder
from .models import Invoice


def invoice_of(order: RepairOrder) -> Invoice | None:
    """The order's current invoice: the latest one no credit note cancels."""
    invoices = db.session.execute(db.select(Invoice).where(Invoice.order_id == order.id, Invoice.kind == "invoice")
                                  .order_by(Invoice.id.desc())).scalars().all()
    credited = set(db.session.execute(db.select(Invoice.credits_id).where(Invoice.order_id == order.id,
                                                                          Invoice.credits_id.isnot(None))).scalars())
    return next((i for i in invoices if i.id not in credited), None)


def credited(invoice: Invoice) -> bool:
    """Whether a credit note cancels the invoice."""
    return db.session.execute(db.select(Invoice.id).where(Invoice.credits_id == invoice.id)).first() is not None


def by_issue_key(issue_key: str) -> Invoice | None:
    """The invoice or credit note already issued for this click (a double click, a retried request)."""
    return db.session.execute(db.select(Invoice).where(Invoice.issue_key == issue_key)).scalar_one_or_none()
