"""Invoices, issued once with numbers without gaps (ours) or recorded from another program, and
credit notes that cancel them in full. An invoice with a bonus opens its claim in the same
transaction (`claims.services`); a credit note cancels it, or flags it when the organism has it."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import facturx
from flask import render_template
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from weasyprint import HTML

from ..audit import note, utcnow
from ..catalog.eligibility import euros
from ..catalog.models import ProductType
from ..claims import services as claims
from ..core.clock import paris_date, paris_today
from ..core.money import line_total
from ..einvoice import transmissions as einvoice_transmissions
from ..einvoice import mentions as legal_mentions
from ..einvoice import writer
from ..einvoice.settings import FRANCHISE, settings_for
from ..einvoice.validate import InvalidEInvoice, ensure_valid
from ..extensions import db
from ..files.services import store_bytes
from ..fiscal.records import journal_invoice
from ..numbering import next_number
from ..repairs.customers import buyer_snapshot
from ..repairs.models import Appliance, Customer, RepairOrder
from ..shops.models import Shop
from ..tenancy import current_shop_id
from . import states
from .deposits import deposited
from .models import Invoice, InvoiceLine, Quote
from .queries import by_issue_key, credited, invoice_of
from .quotes import accept_by_invoice, check_invoice_reason, organism_label, totals
from .states import BillingError

PDF_MAX_BYTES = 10 * 1024 * 1024


def _number(shop: Shop, day: dt.date) -> str:
    prefix = (shop.invoice_prefix or "F{AAAA}-").replace("{AAAA}", str(day.year))
    return f"{prefix}{next_number(f'invoice:{prefix}'):05d}"


def _snapshots(order: RepairOrder, shop: Shop) -> tuple[dict, dict, dict]:
    customer = db.session.get(Customer, order.customer_id)
    appliance = db.session.get(Appliance, order.appliance_id)
    product = db.session.get(ProductType, appliance.product_type_id) if appliance.product_type_id else None
    seller = {"name": shop.name, "siret": shop.siret, "vat_number": shop.vat_number, "label_number": shop.label_number,
              "address": shop.address_lines, "phone": shop.phone, "email": shop.email}
    buyer = {"title": customer.title, "last_name": customer.last_name, "first_name": customer.first_name,
             "street": customer.street, "postcode": customer.postcode, "city": customer.city, "email": customer.email,
             "phone": customer.phone, **buyer_snapshot(customer, order.po_reference)}
    device = {"product": product.name if product else None, "brand": appliance.brand_name, "model": appliance.commercial_reference,
              "serial": appliance.serial_number, "order": order.number, "onsite": order.kind == "onsite",
              "repaired_on": (paris_date(order.repaired_at) or paris_today()).isoformat()}
    return seller, buyer, device


def facturx_context(invoice: Invoice, lines: list[InvoiceLine], credited: Invoice | None = None) -> writer.Context:
    """What the Factur-X and the four mentions need beyond the invoice row: the shop's option for
    the debits and VAT regime, the deposits paid on the order, the repair's date."""
    shop_id = getattr(invoice, "shop_id", None) or current_shop_id()
    settings = settings_for(shop_id) if shop_id else None
    order_id = getattr(invoice, "order_id", None)
    order = db.session.get(RepairOrder, order_id) if order_id else None
    deposits = deposited(order) if order is not None and invoice.kind == "invoice" else Decimal("0.00")
    repaired = (invoice.appliance or {}).get("repaired_on")
    found = legal_mentions.for_invoice(invoice.buyer or {}, invoice.appliance or {}, lines,
                                       bool(getattr(settings, "option_debits", False)))
    return writer.Context(mentions=found, organism=organism_label(invoice.bonus_organism), deposits=Decimal(deposits or 0),
                          delivered_on=dt.date.fromisoformat(repaired) if repaired else invoice.issued_on,
                          credited=(credited.number, credited.issued_on) if credited is not None else None,
                          franchise=getattr(settings, "vat_regime", None) == FRANCHISE)


def render_invoice_page(invoice: Invoice, lines: list[InvoiceLine], credited: Invoice | None = None,
                        duplicate: int | None = None, ctx: writer.Context | None = None) -> bytes:
    """The invoice as people read it: the PDF/A-3b page alone, without its XML."""
    ctx = ctx or facturx_context(invoice, lines, credited)
    html = render_template("billing/invoice_pdf.html", invoice=invoice, lines=lines, credited=credited,
                           organism_label=ctx.organism, mentions=ctx.mentions, deposits=ctx.deposits, duplicate=duplicate,
                           business=legal_mentions.is_business(invoice.buyer or {}),
                           billing=legal_mentions.billing_address(invoice.buyer or {}))
    return HTML(string=html).write_pdf(pdf_variant="pdf/a-3b")


def render_invoice_pdf(invoice: Invoice, lines: list[InvoiceLine], credited: Invoice | None = None,
                       duplicate: int | None = None) -> bytes:
    """The invoice's Factur-X: the PDF/A-3b page, its CII XML (EN 16931) embedded with the XMP
    metadata. The XML is checked first (XSD and the EN 16931 rules): InvalidEInvoice names the rule
    refused. `duplicate`: a copy made later, printed «Duplicata n° N»."""
    ctx = facturx_context(invoice, lines, credited)
    xml = writer.build(invoice, lines, ctx)
    ensure_valid(xml)
    pdf = render_invoice_page(invoice, lines, credited, duplicate, ctx)
    kind = _("Avoir") if invoice.kind == "credit_note" else _("Facture")
    return facturx.generate_from_binary(pdf, xml, flavor="factur-x", level="en16931", check_xsd=False, lang="fr-FR",
                                        pdf_metadata={"author": (invoice.seller or {}).get("name") or "",
                                                      "keywords": "Factur-X", "title": f"{kind} {invoice.number}",
                                                      "subject": f"{kind} {invoice.number}"})


def _issued_pdf(invoice: Invoice, lines: list[InvoiceLine], credited: Invoice | None = None) -> bytes:
    """render_invoice_pdf at issue time: an XML the rules refuse stops the issue, nothing kept (the
    number goes back with the rollback)."""
    try:
        return render_invoice_pdf(invoice, lines, credited=credited)
    except InvalidEInvoice as exc:
        db.session.rollback()
        raise BillingError(str(exc)) from exc


def invoice_bonus(order: RepairOrder, quote: Quote) -> Decimal:
    """The bonus the invoice deducts: the quote's, unless it is not eligible or the order is a warranty return."""
    return (quote.bonus_amount if quote.bonus_eligible and not order.warranty_of_id else None) or Decimal("0.00")


def _check_invoiceable(order: RepairOrder, quote: Quote, reason: str | None = None) -> None:
    """What both invoices (ours and one from another program) require of the order and its quote:
    an accepted quote on a repair marked done, or a stated reason, audited (`quotes.check_invoice_reason`)."""
    current = invoice_of(order)
    if current is not None:
        raise BillingError(_("Ce dossier a déjà la facture %(n)s. Pour la corriger, faites un avoir.", n=current.number))
    if quote.order_id != order.id:
        raise BillingError(_("Ce devis n'est pas celui de ce dossier."))
    if quote.validated_at is None:
        raise states.QuoteNotValidated()
    if quote.status not in states.INVOICEABLE:
        raise BillingError(_("Un devis refusé ou expiré ne se facture pas."))
    check_invoice_reason(order, quote, reason)


def _create_invoice(order: RepairOrder, quote: Quote, issue_key: str, user_id: int | None, amounts: dict,
                    number: str | None = None, file_id: int | None = None, audit: dict | None = None) -> Invoice:
    """The one way an invoice is created, ours or another program's: the snapshots of the seller,
    buyer and appliance, the quote's lines (what was agreed: the detail the organism asks), the
    file (ours rendered here when `file_id` is None, with the next number), and the claim when there
    is a bonus, in one transaction; the claim is queued once it is a row."""
    accept_by_invoice(quote)
    shop = db.session.get(Shop, order.shop_id)
    seller, buyer, device = _snapshots(order, shop)
    generation = db.session.execute(db.select(db.func.count(Invoice.id)).where(
        Invoice.order_id == order.id, Invoice.kind == "credit_note")).scalar_one()
    bonus = amounts["bonus_amount"]
    invoice = Invoice(number=number or _number(shop, amounts["issued_on"]), kind="invoice", external=file_id is not None,
                      order_id=order.id, quote_id=quote.id, issue_key=issue_key, generation=generation, issued_at=utcnow(),
                      issued_by_id=user_id, seller=seller, buyer=buyer, appliance=device,
                      bonus_organism=quote.bonus_organism if bonus else None,
                      amount_due=amounts["total_ttc"] - bonus, **amounts)
    lines = [InvoiceLine(position=i, kind=ln.kind, label=ln.label, quantity=ln.quantity, unit_price=ln.unit_price,
                         vat_rate=ln.vat_rate, total_ht=line_total(ln.quantity, ln.unit_price), part_reference=ln.part_reference,
                         part_origin=ln.part_origin) for i, ln in enumerate(quote.lines)]
    if file_id is None:
        stored = store_bytes(_issued_pdf(invoice, lines), f"facture-{invoice.number}.pdf", "invoice",
                             {"application/pdf"}, PDF_MAX_BYTES)
        db.session.flush()
        file_id = stored.id
    invoice.file_id, invoice.lines = file_id, lines
    db.session.add(invoice)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()  # another request issued first: the same click (same key) or another one
        existing = by_issue_key(issue_key)
        if existing is None:
            raise BillingError(_("Ce dossier vient d'être facturé depuis un autre poste : ouvrez sa facture.")) from None
        return existing
    journal_invoice(invoice)  # its signed entry in the fiscal journal, same transaction
    claim = claims.open_for_invoice(order, invoice)
    note(order, "invoiced", {"invoice": (None, invoice.number), **(audit or {})})
    db.session.commit()  # the claim is a row before it is a job
    if claim is not None:
        claims.send(claim)
    einvoice_transmissions.after_issue(invoice)  # a business customer's invoice goes to the plateforme agréée
    return invoice


def issue_invoice(order: RepairOrder, quote: Quote, issue_key: str, user_id: int | None, reason: str | None = None) -> Invoice:
    """Issue the invoice of an accepted (or validated, for a simple job) quote; once per `issue_key`.

    In one transaction: the number (no gap: a rollback gives it back), the PDF stored as a file,
    the invoice and its lines, and the claim when there is a bonus.
    """
    existing = by_issue_key(issue_key)
    if existing is not None:
        return existing  # a double click or a retried request: the same invoice
    _check_invoiceable(order, quote, reason)
    t = totals(quote.lines)
    amounts = {"issued_on": paris_today(), "total_ht": t.ht, "total_vat": t.vat, "total_ttc": t.ttc,
               "bonus_amount": min(invoice_bonus(order, quote), t.ttc),
               "vat_breakdown": [{k: str(v) for k, v in row.items()} for row in t.breakdown]}
    return _create_invoice(order, quote, issue_key, user_id, amounts)


def record_external_invoice(order: RepairOrder, quote: Quote, values: dict, stored, issue_key: str, user_id: int | None,
                            reason: str | None = None) -> Invoice:
    """An invoice made in another program, for a validated quote: its number, date and totals as
    read from the uploaded file and confirmed by the user; the file itself is what the claim sends.

    values: number (str), issued_on (date), total_ht, total_ttc, bonus (Decimal). The bonus must be
    the one frozen on the quote: the organism pays the tariff, whatever the other program printed.
    """
    existing = by_issue_key(issue_key)
    if existing is not None:
        return existing
    _check_invoiceable(order, quote, reason)
    number = (values.get("number") or "").strip()
    if not number or len(number) > 40:
        raise BillingError(_("Indiquez le numéro de la facture (40 caractères au plus)."))
    if db.session.execute(db.select(Invoice.id).where(Invoice.number == number)).first():
        raise BillingError(_("Le numéro %(n)s est déjà celui d'une autre facture de la boutique.", n=number))
    day, ht, ttc = values.get("issued_on"), values.get("total_ht"), values.get("total_ttc")
    bonus = values.get("bonus") or Decimal("0.00")
    if day is None or day > paris_today():
        raise BillingError(_("La date de la facture est absente ou dans le futur."))
    if ht is None or ttc is None or ht < 0 or ttc < ht:
        raise BillingError(_("Les totaux ne vont pas : le total TTC doit être au moins le total HT."))
    expected = invoice_bonus(order, quote)
    if bonus != expected:
        raise BillingError(_("Le bonus de la facture (%(b)s) n'est pas celui fixé sur le devis (%(e)s) : la facture doit porter "
                             "le montant du barème.", b=euros(bonus), e=euros(expected)))
    if bonus > ttc:
        raise BillingError(_("Le bonus ne peut pas dépasser le total TTC."))
    amounts = {"issued_on": day, "total_ht": ht, "total_vat": ttc - ht, "total_ttc": ttc, "bonus_amount": bonus,
               "vat_breakdown": []}
    return _create_invoice(order, quote, issue_key, user_id, amounts, number=number, file_id=stored.id,
                           audit={"external": (None, True)})


def credit(invoice: Invoice, reason: str, issue_key: str, user_id: int | None) -> Invoice:
    """A credit note that cancels `invoice` in full (the invoice itself is never changed)."""
    if invoice.kind != "invoice":
        raise BillingError(_("Un avoir ne s'annule pas par un autre avoir."))
    if credited(invoice):
        raise BillingError(_("Cette facture est déjà annulée par un avoir."))
    if len((reason or "").strip()) < 5:
        raise BillingError(_("Indiquez le motif de l'avoir."))
    existing = by_issue_key(issue_key)
    if existing is not None:
        return existing
    shop = db.session.get(Shop, invoice.shop_id)
    day = paris_today()
    note_ = Invoice(number=_number(shop, day), kind="credit_note", order_id=invoice.order_id, quote_id=invoice.quote_id,
                    credits_id=invoice.id, issue_key=issue_key, generation=invoice.generation, issued_at=utcnow(), issued_on=day, issued_by_id=user_id,
                    seller=invoice.seller, buyer=invoice.buyer, appliance={**invoice.appliance, "reason": reason.strip()},
                    vat_breakdown=[{"rate": r["rate"], "base": str(-Decimal(r["base"])), "vat": str(-Decimal(r["vat"]))}
                                   for r in invoice.vat_breakdown],
                    total_ht=-invoice.total_ht, total_vat=-invoice.total_vat, total_ttc=-invoice.total_ttc,
                    bonus_amount=-invoice.bonus_amount, bonus_organism=invoice.bonus_organism, amount_due=-invoice.amount_due)
    lines = [InvoiceLine(position=ln.position, kind=ln.kind, label=ln.label, quantity=-ln.quantity, unit_price=ln.unit_price,
                         vat_rate=ln.vat_rate, total_ht=-ln.total_ht, part_reference=ln.part_reference, part_origin=ln.part_origin)
             for ln in invoice.lines]
    pdf = _issued_pdf(note_, lines, credited=invoice)
    stored = store_bytes(pdf, f"avoir-{note_.number}.pdf", "credit_note", {"application/pdf"}, PDF_MAX_BYTES)
    db.session.flush()
    note_.file_id, note_.lines = stored.id, lines
    db.session.add(note_)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()  # another credit note for this invoice was issued at the same instant
        raise BillingError(_("Cette facture est déjà annulée par un avoir.")) from None
    journal_invoice(note_)  # its signed entry in the fiscal journal, same transaction
    claims.cancel_for_credit_note(invoice, note_.number)
    note(invoice, "credited", {"credit_note": (None, note_.number)})
    db.session.commit()
    einvoice_transmissions.after_issue(note_)  # so does its credit note
    return note_
