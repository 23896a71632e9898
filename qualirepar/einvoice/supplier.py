"""Suppliers' e-invoices received by the shop (parts bought from a distributor): a Factur-X PDF, a
CII or a UBL file, read exactly by the one e-invoice reader (`einvoice.reader`, no OCR), stored with
its values and lines, listed; a line can become a part line of a repair order's draft quote.

A file that is not a valid e-invoice (no XML, XML that its XSD refuses, no number or no supplier) is
refused with a French message, and nothing is stored (one transaction)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import Date, DateTime, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from ..audit import Audited, note, utcnow
from ..billing import quotes, states as quote_states
from ..billing.models import Money, Quote, QuoteLine
from ..core.money import cents
from ..core.refusal import Refusal
from ..extensions import db
from ..files.models import StoredFile
from ..files.services import store_checked
from ..repairs.models import RepairOrder
from ..tenancy import TenantScoped
from .reader import is_pdf, read

MAX_BYTES = 20 * 1024 * 1024


class SupplierInvoiceRefused(Refusal):
    """The file is not a supplier e-invoice the shop can keep (the message says why, in French)."""


class SupplierInvoice(TenantScoped, Audited, db.Model):
    """A supplier's e-invoice as its XML says it (EN 16931 business terms)."""

    __tablename__ = "supplier_invoice"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    syntax: Mapped[str] = mapped_column(String(4))  # CII or UBL
    profile: Mapped[str | None] = mapped_column(String(200))  # BT-24
    supplier_name: Mapped[str] = mapped_column(String(200))  # BT-27
    supplier_siret: Mapped[str | None] = mapped_column(String(14))  # BT-30
    supplier_vat: Mapped[str | None] = mapped_column(String(20))  # BT-31
    number: Mapped[str] = mapped_column(String(80))  # BT-1
    issue_date: Mapped[dt.date | None] = mapped_column(Date)  # BT-2
    type_code: Mapped[str | None] = mapped_column(String(3))  # BT-3
    currency: Mapped[str | None] = mapped_column(String(3))  # BT-5
    total_ht: Mapped[Decimal | None] = mapped_column(Money)  # BT-109
    total_vat: Mapped[Decimal | None] = mapped_column(Money)  # BT-110
    total_ttc: Mapped[Decimal | None] = mapped_column(Money)  # BT-112
    amount_due: Mapped[Decimal | None] = mapped_column(Money)  # BT-115
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    lines: Mapped[list["SupplierInvoiceLine"]] = relationship(order_by="SupplierInvoiceLine.position",
                                                              cascade="all, delete-orphan")
    file: Mapped[StoredFile] = relationship()

    # The same supplier's invoice number once per shop: a file uploaded twice is one invoice.
    __table_args__ = (UniqueConstraint("shop_id", "supplier_name", "number"),)


class SupplierInvoiceLine(TenantScoped, db.Model):
    __tablename__ = "supplier_invoice_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("supplier_invoice.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str | None] = mapped_column(String(80))  # BT-155, the supplier's part reference
    label: Mapped[str] = mapped_column(String(200))  # BT-153
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(12, 3))  # BT-129
    unit_price: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))  # BT-146, excl. VAT
    net: Mapped[Decimal | None] = mapped_column(Money)  # BT-131
    vat_rate: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))  # BT-152
    # Where the line went: the part line of a repair order's quote (None: not attached yet).
    order_id: Mapped[int | None] = mapped_column(ForeignKey("repair_order.id", ondelete="SET NULL"), index=True)
    quote_line_id: Mapped[int | None] = mapped_column(ForeignKey("quote_line.id", ondelete="SET NULL"))

    invoice: Mapped[SupplierInvoice] = relationship(back_populates="lines")


def receive(data: bytes, filename: str, user_id: int | None) -> SupplierInvoice:
    """Read, check and store a supplier's e-invoice; the committed row (the same row if this
    supplier's invoice number is already there)."""
    if not data:
        raise SupplierInvoiceRefused(_("Le fichier est vide."))
    if len(data) > MAX_BYTES:
        raise SupplierInvoiceRefused(_("Fichier trop lourd : %(mb)s Mo au plus.", mb=MAX_BYTES // (1024 * 1024)))
    result = read(data)
    if result.encrypted or not result.found:
        raise SupplierInvoiceRefused(" ".join(result.problems) or _(
            "Ce fichier n'est pas une facture électronique : déposez un PDF Factur-X, ou un XML CII ou UBL."))
    if not result.exact:
        raise SupplierInvoiceRefused(_("Facture électronique non valide : %(why)s", why=" ".join(result.problems) or _("XML illisible.")))
    inv = result.invoice
    supplier = (inv.seller.name or "").strip()
    if not inv.number or not supplier:
        raise SupplierInvoiceRefused(_("Facture électronique incomplète : le numéro (BT-1) ou le nom du fournisseur (BT-27) manque."))
    existing = db.session.execute(db.select(SupplierInvoice).where(
        SupplierInvoice.supplier_name == supplier[:200], SupplierInvoice.number == inv.number[:80])).scalar_one_or_none()
    if existing is not None:
        return existing
    pdf = is_pdf(data)
    stored = store_checked(data, filename, "supplier_invoice", "application/pdf" if pdf else "application/xml",
                           ".pdf" if pdf else ".xml", created_by_id=user_id)
    db.session.flush()
    row = SupplierInvoice(file_id=stored.id, syntax=inv.syntax, profile=(inv.profile or "")[:200] or None,
                          supplier_name=supplier[:200], supplier_siret=inv.seller.siret, supplier_vat=(inv.seller.vat_number or "")[:20] or None,
                          number=inv.number[:80], issue_date=inv.issue_date, type_code=(inv.type_code or "")[:3] or None,
                          currency=(inv.currency or "")[:3] or None, total_ht=inv.total_ht, total_vat=inv.total_vat,
                          total_ttc=inv.total_ttc, amount_due=inv.amount_due, received_by_id=user_id)
    row.lines = [SupplierInvoiceLine(position=i, reference=(ln.reference or "")[:80] or None,
                                     label=(ln.name or _("Ligne %(n)s", n=i + 1))[:200], quantity=ln.quantity,
                                     unit_price=ln.unit_price, net=ln.net, vat_rate=ln.vat_rate)
                 for i, ln in enumerate(inv.lines)]
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # the same file, uploaded at the same instant from another screen
        return db.session.execute(db.select(SupplierInvoice).where(
            SupplierInvoice.supplier_name == supplier[:200], SupplierInvoice.number == inv.number[:80])).scalar_one()
    return row


def listing() -> list[SupplierInvoice]:
    return list(db.session.execute(db.select(SupplierInvoice).options(selectinload(SupplierInvoice.lines)).order_by(
        SupplierInvoice.issue_date.desc(), SupplierInvoice.id.desc())).scalars())  # the lines counted on the list: one query for all


def orders_taking_parts(limit: int = 200) -> list[RepairOrder]:
    """The orders whose quote can still take a line (a draft not validated), the newest first."""
    drafts = db.select(Quote.order_id).where(Quote.status == quote_states.DRAFT, Quote.validated_at.is_(None))
    return list(db.session.execute(db.select(RepairOrder).where(RepairOrder.id.in_(drafts))
                                   .order_by(RepairOrder.id.desc()).limit(limit)).scalars())


def draft_quote(order: RepairOrder) -> Quote | None:
    """The order's quote that can still take lines (a draft not validated)."""
    return db.session.execute(db.select(Quote).where(
        Quote.order_id == order.id, Quote.status == quote_states.DRAFT, Quote.validated_at.is_(None)
    ).order_by(Quote.id.desc())).scalars().first()


def attach(line: SupplierInvoiceLine, order: RepairOrder, sale_price: Decimal | None = None) -> QuoteLine:
    """The supplier's line as a part line of the order's draft quote: reference, label, quantity, price
    excl. VAT (the supplier's unit price unless the shop sets its own sale price), supplier."""
    if line.quote_line_id is not None:
        raise SupplierInvoiceRefused(_("Cette ligne est déjà reprise sur le devis d'un dossier."))
    quote = draft_quote(order)
    if quote is None:
        raise SupplierInvoiceRefused(_("Le dossier %(n)s n'a pas de devis en brouillon : créez-en un (ou rouvrez-le) pour y ajouter la pièce.",
                                       n=order.number))
    price = sale_price if sale_price is not None else line.unit_price
    if price is None or price < 0:
        raise SupplierInvoiceRefused(_("Indiquez le prix HT de la pièce : la ligne du fournisseur n'en porte pas."))
    quantity = line.quantity if line.quantity and line.quantity > 0 else Decimal(1)
    rate = line.vat_rate if line.vat_rate is not None else Decimal("20.00")
    line.order_id = order.id  # committed with the quote line by add_line
    quote_line = quotes.add_line(quote, "part", line.label, quantity, cents(price), rate, part_reference=line.reference,
                                 part_origin="new", supplier=line.invoice.supplier_name[:120])
    line.quote_line_id = quote_line.id
    note(order, "supplier_part_added", {"supplier_invoice": (None, line.invoice.number), "line": (None, line.label)})
    db.session.commit()
    return quote_line
