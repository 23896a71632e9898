"""Invoices and payments written the way billing writes them (row, lines, then the journal entry in
the same transaction), without the PDF and the workflow: the journal's tests need many, fast."""
from __future__ import annotations

import uuid
from decimal import Decimal

from qualirepar.billing.models import Invoice, InvoiceLine, Payment
from qualirepar.core.clock import paris_today, utcnow
from qualirepar.extensions import db
from qualirepar.fiscal.records import journal_invoice, journal_payment
from qualirepar.repairs.models import RepairOrder
from qualirepar.shops.models import Shop

from .. import factories

D = Decimal


def order(app, shop_id: int) -> int:
    return factories.make_order(app, shop_id)


def invoice(order_id: int, generation: int = 0, ht: str = "100.00", rate: str = "20.00", kind: str = "invoice",
            credits_id: int | None = None) -> Invoice:
    """An invoice (or credit note) of one labour line, journaled; flushed, not committed."""
    shop = db.session.get(Shop, db.session.get(RepairOrder, order_id).shop_id)
    seller = {"name": shop.name, "siret": shop.siret, "vat_number": shop.vat_number, "address": shop.address_lines or ["1 rue X", "69003 Lyon"]}
    base = D(ht)
    vat = (base * D(rate) / 100).quantize(D("0.01"))
    row = Invoice(number=f"T-{uuid.uuid4().hex[:10]}", kind=kind, order_id=order_id, credits_id=credits_id,
                  issue_key=str(uuid.uuid4()), generation=generation, issued_at=utcnow(), issued_on=paris_today(),
                  seller=seller, buyer={"last_name": "Martin", "first_name": "Léa", "street": "1 rue X", "postcode": "69003", "city": "Lyon"}, appliance={"order": "X"},
                  vat_breakdown=[{"rate": rate, "base": str(base), "vat": str(vat)}], total_ht=base, total_vat=vat,
                  total_ttc=base + vat, bonus_amount=D("0.00"), amount_due=base + vat)
    row.lines = [InvoiceLine(position=0, kind="labour", label="Main d'œuvre", quantity=D(1), unit_price=base,
                             vat_rate=D(rate), total_ht=base)]
    db.session.add(row)
    db.session.flush()
    journal_invoice(row)
    return row


def payment(invoice_row: Invoice, amount: str, method: str = "cash") -> Payment:
    row = Payment(invoice_id=invoice_row.id, method=method, amount=D(amount), received_on=paris_today())
    db.session.add(row)
    db.session.flush()
    journal_payment(row)
    return row
