"""Quotes, the bonus frozen at validation, invoices issued once with numbers without gaps, credit
notes, payments at the counter; issuing an invoice with a bonus creates its claim in the same
transaction. Called by views, jobs and tests alike."""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from flask import render_template
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..core.refusal import Refusal
from ..audit import note, utcnow
from ..catalog import eligibility
from ..claims.models import Claim
from ..extensions import db
from ..files.services import store_bytes
from ..numbering import next_number
from ..repairs.models import Appliance, Customer, RepairOrder
from ..shops.models import Shop
from . import states
from .models import Invoice, InvoiceLine, Payment, Quote, QuoteLine

CENT = Decimal("0.01")
KINDS = ("diagnosis", "labour", "part", "travel")
VAT_RATES = (Decimal("20.00"), Decimal("10.00"), Decimal("5.50"), Decimal("0.00"))
QUOTE_VALIDITY_DAYS = 30
PDF_MAX_BYTES = 10 * 1024 * 1024


class BillingError(Refusal):
    """Refused; the message is for the user, in French."""


def paris_today() -> dt.date:
    from zoneinfo import ZoneInfo

    return dt.datetime.now(ZoneInfo("Europe/Paris")).date()


# --- amounts --------------------------------------------------------------------------------


def money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def line_total(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """Half up to the cent, as the totals (the templates show this, never Jinja's round)."""
    return money(Decimal(quantity) * Decimal(unit_price))


@dataclass
class Totals:
    ht: Decimal = Decimal("0.00")
    vat: Decimal = Decimal("0.00")
    ttc: Decimal = Decimal("0.00")
    breakdown: list[dict] = field(default_factory=list)  # per rate: base HT and VAT


def totals(lines) -> Totals:
    """Line totals rounded to the cent; VAT computed per rate on the sum of that rate's lines."""
    by_rate: dict[Decimal, Decimal] = {}
    for line in lines:
        rate = Decimal(line.vat_rate).quantize(CENT)
        by_rate[rate] = by_rate.get(rate, Decimal("0.00")) + line_total(line.quantity, line.unit_price)
    t = Totals()
    for rate in sorted(by_rate, reverse=True):
        base = by_rate[rate]
        vat = money(base * rate / 100)
        t.breakdown.append({"rate": rate, "base": base, "vat": vat})
        t.ht += base
        t.vat += vat
    t.ttc = t.ht + t.vat
    return t


def reused_part(lines) -> bool:
    return any(line.kind == "part" and line.part_origin == "reused" for line in lines)


# --- quotes ---------------------------------------------------------------------------------


def create_quote(order: RepairOrder) -> Quote:
    if order.status in ("handed_back", "abandoned", "refused"):
        raise BillingError(_("Ce dossier est clos : pas de nouveau devis."))
    day = paris_today()
    quote = Quote(order_id=order.id, number=f"DV-{day.year}-{next_number(f'quote:{day.year}'):05d}", status=states.DRAFT,
                  valid_until=day + dt.timedelta(days=QUOTE_VALIDITY_DAYS), bonus_reasons=[])
    db.session.add(quote)
    db.session.commit()
    return quote


def _editable(quote: Quote) -> None:
    if quote.status != states.DRAFT:
        raise BillingError(_("Ce devis n'est plus un brouillon : il ne peut plus être modifié."))
    if quote.validated_at is not None:
        raise BillingError(_("Ce devis est validé : rouvrez-le pour le modifier (le bonus sera recalculé)."))


def add_line(quote: Quote, kind: str, label: str, quantity: Decimal, unit_price: Decimal, vat_rate: Decimal,
             part_reference: str | None = None, part_origin: str | None = None, supplier: str | None = None) -> QuoteLine:
    _editable(quote)
    if kind not in KINDS:
        raise BillingError(_("Type de ligne inconnu."))
    line = QuoteLine(quote_id=quote.id, position=len(quote.lines), kind=kind, label=label.strip(), quantity=quantity,
                     unit_price=money(unit_price), vat_rate=vat_rate, part_reference=part_reference if kind == "part" else None,
                     part_origin=(part_origin or "new") if kind == "part" else None, supplier=supplier if kind == "part" else None)
    quote.lines.append(line)
    db.session.commit()
    return line


def remove_line(quote: Quote, line_id: int) -> None:
    _editable(quote)
    line = next((ln for ln in quote.lines if ln.id == line_id), None)
    if line is None:
        raise BillingError(_("Ligne introuvable."))
    quote.lines.remove(line)
    for i, ln in enumerate(quote.lines):
        ln.position = i
    db.session.commit()


def repair_codes(order: RepairOrder) -> list:
    """The repair codes the organisms list for the appliance's product (and for every product)."""
    from sqlalchemy import or_

    from ..catalog.models import Code

    appliance = db.session.get(Appliance, order.appliance_id)
    return list(db.session.execute(db.select(Code).where(Code.kind == "repair", or_(
        Code.product_type_id == appliance.product_type_id, Code.product_type_id.is_(None))).order_by(Code.code)).scalars())


def set_repair_code(quote: Quote, code: str) -> None:
    code = (code or "").strip().upper()
    if len(code) > 20:
        raise BillingError(_("Code de réparation trop long (20 caractères au plus)."))
    if db.session.execute(db.select(Invoice.id).where(Invoice.quote_id == quote.id)).first():
        raise BillingError(_("Ce devis est facturé : le code de réparation ne change plus."))
    quote.repair_code = code or None
    db.session.commit()


def bonus_verdict(quote: Quote, day: dt.date | None = None) -> eligibility.Verdict:
    """What the rules say now for this quote: the catalog's verdict; a warranty return never has one."""
    order = db.session.get(RepairOrder, quote.order_id)
    appliance = db.session.get(Appliance, order.appliance_id)
    t = totals(quote.lines)
    verdict = eligibility.check(appliance.product_type_id, appliance.brand_id, day or paris_today(), t.ttc,
                                reused_part=reused_part(quote.lines), shop_id=order.shop_id)
    if order.warranty_of_id:
        warranty = db.session.get(RepairOrder, order.warranty_of_id)
        verdict.eligible, verdict.amount = False, None
        verdict.reasons.insert(0, _("Retour sous garantie de la réparation %(n)s : pas de bonus sur une reprise sous garantie.",
                                    n=warranty.number))
    if not quote.lines:
        verdict.eligible, verdict.amount = False, None
        verdict.reasons.insert(0, _("Le devis n'a encore aucune ligne."))
    return verdict


def organism_verdict(quote: Quote, verdict: eligibility.Verdict) -> str | None:
    """The organism's own calculation, where its API offers one; a disagreement is said in French."""
    from ..catalog.models import Brand, ProductType
    from ..eco.errors import EcoError, NotSupported
    from ..eco.registry import ExchangeLog, client_for
    from ..eco.services import account

    if not verdict.organism:
        return None
    acc = account(verdict.organism)
    if acc is None or not acc.secret_encrypted:
        return _("Pas d'identifiants %(o)s : seul le barème du catalogue a été consulté.", o=_organism_label(verdict.organism))
    order = db.session.get(RepairOrder, quote.order_id)
    appliance = db.session.get(Appliance, order.appliance_id)
    product = db.session.get(ProductType, appliance.product_type_id)
    brand = db.session.get(Brand, appliance.brand_id) if appliance.brand_id else None
    ext = "ecosystem_id" if verdict.organism == "ecosystem" else "ecologic_id"
    log = ExchangeLog(order.shop_id)
    try:
        answer = client_for(acc, log).eligibility(getattr(product, ext) or "", getattr(brand, ext, None) or "", paris_today(),
                                                  totals(quote.lines).ttc, quote.repair_code, order.symptom_code)
    except NotSupported as exc:
        return str(exc)
    except EcoError as exc:
        return _("L'organisme n'a pas répondu (%(e)s) : seul le barème du catalogue a été consulté.", e=exc.message)
    finally:
        log.save()
    if answer.eligible != verdict.eligible or (answer.amount or 0) != (verdict.amount or 0):
        return _("Désaccord : l'organisme calcule %(a)s, le catalogue %(c)s.",
                 a=eligibility.euros(answer.amount or Decimal(0)) if answer.eligible else _("non éligible"),
                 c=eligibility.euros(verdict.amount or Decimal(0)) if verdict.eligible else _("non éligible"))
    return _("L'organisme confirme le calcul.")


def validate(quote: Quote, user_id: int | None) -> eligibility.Verdict:
    """The quote report is validated: the bonus is fixed now, with the tariff row and organism."""
    _editable(quote)
    if not quote.lines:
        raise BillingError(_("Ajoutez au moins une ligne avant de valider le devis."))
    day = paris_today()
    verdict = bonus_verdict(quote, day)
    quote.validated_at, quote.validated_by_id, quote.bonus_date = utcnow(), user_id, day
    quote.bonus_eligible = verdict.eligible
    quote.bonus_amount = verdict.amount if verdict.eligible else Decimal("0.00")
    quote.bonus_organism = verdict.organism if verdict.eligible else None
    quote.bonus_tariff_id = verdict.tariff_id if verdict.eligible else None
    quote.bonus_reasons = list(verdict.reasons)
    note(quote, "validated", {"bonus_amount": (None, str(quote.bonus_amount))})
    db.session.commit()
    return verdict


def reopen(quote: Quote) -> None:
    """Back to editing: the frozen bonus is dropped and fixed again at the next validation."""
    if quote.status != states.DRAFT or quote.validated_at is None:
        raise BillingError(_("Seul un devis validé, ni envoyé ni accepté, peut être rouvert."))
    quote.validated_at = quote.validated_by_id = quote.bonus_eligible = quote.bonus_amount = None
    quote.bonus_organism = quote.bonus_tariff_id = quote.bonus_date = None
    quote.bonus_reasons = []
    note(quote, "reopened")
    db.session.commit()


def _move_order(order: RepairOrder, action: str) -> None:
    from ..repairs import services as repairs
    from ..repairs import states as order_states

    try:
        order_states.next_state(order.status, action)
    except order_states.RepairOrderError:
        return  # the order is elsewhere in its life (a second quote, a simple job): leave it there
    repairs.transition(order, action)


def _transition(quote: Quote, action: str) -> None:
    if action in ("send", "accept") and quote.validated_at is None:
        raise states.QuoteNotValidated()
    target = states.next_state(quote.status, action)
    before, quote.status = quote.status, target
    note(quote, action, {"status": (before, target)})


def mark_sent(quote: Quote) -> str:
    """The quote goes to the customer: a new link nonce (older links stop working)."""
    _transition(quote, "send")
    quote.sent_at, quote.link_nonce = utcnow(), secrets.token_hex(16)
    db.session.commit()
    order = db.session.get(RepairOrder, quote.order_id)
    _move_order(order, "send_quote")
    return quote.link_nonce


def decide(quote: Quote, accept: bool, via: str, ip: str | None, signer_name: str | None = None,
           signature_file_id: int | None = None) -> None:
    """The customer accepts or refuses (signature on the tablet, or the e-mailed link)."""
    if quote.status == states.SENT and quote.valid_until < paris_today():
        _transition(quote, "expire")
        quote.link_nonce = None
        db.session.commit()
        raise BillingError(_("Ce devis a expiré le %(d)s.", d=quote.valid_until.strftime("%d/%m/%Y")))
    _transition(quote, "accept" if accept else "refuse")
    quote.decided_at, quote.decided_via, quote.decision_ip = utcnow(), via, ip
    quote.signer_name, quote.signature_file_id = signer_name, signature_file_id
    quote.link_nonce = None  # a decided quote's link is spent
    db.session.commit()
    order = db.session.get(RepairOrder, quote.order_id)
    if order.status == "diagnosis":
        _move_order(order, "send_quote")
    _move_order(order, "accept_quote" if accept else "refuse_quote")


# --- invoices -------------------------------------------------------------------------------


def invoice_of(order: RepairOrder) -> Invoice | None:
    """The order's current invoice: the latest one no credit note cancels."""
    invoices = db.session.execute(db.select(Invoice).where(Invoice.order_id == order.id, Invoice.kind == "invoice")
                                  .order_by(Invoice.id.desc())).scalars().all()
    credited = set(db.session.execute(db.select(Invoice.credits_id).where(Invoice.order_id == order.id,
                                                                          Invoice.credits_id.isnot(None))).scalars())
    return next((i for i in invoices if i.id not in credited), None)


def _number(shop: Shop, day: dt.date) -> str:
    prefix = (shop.invoice_prefix or "F{AAAA}-").replace("{AAAA}", str(day.year))
    return f"{prefix}{next_number(f'invoice:{prefix}'):05d}"


def _snapshots(order: RepairOrder, shop: Shop) -> tuple[dict, dict, dict]:
    from ..catalog.models import ProductType

    customer = db.session.get(Customer, order.customer_id)
    appliance = db.session.get(Appliance, order.appliance_id)
    product = db.session.get(ProductType, appliance.product_type_id) if appliance.product_type_id else None
    seller = {"name": shop.name, "siret": shop.siret, "vat_number": shop.vat_number, "label_number": shop.label_number,
              "address": shop.address_lines, "phone": shop.phone, "email": shop.email}
    buyer = {"title": customer.title, "last_name": customer.last_name, "first_name": customer.first_name,
             "street": customer.street, "postcode": customer.postcode, "city": customer.city, "email": customer.email,
             "phone": customer.phone}
    device = {"product": product.name if product else None, "brand": appliance.brand_name, "model": appliance.commercial_reference,
              "serial": appliance.serial_number, "order": order.number}
    return seller, buyer, device


def render_invoice_pdf(invoice: Invoice, lines: list[InvoiceLine], credited: Invoice | None = None) -> bytes:
    from weasyprint import HTML

    html = render_template("billing/invoice_pdf.html", invoice=invoice, lines=lines, credited=credited,
                           organism_label=_organism_label(invoice.bonus_organism))
    return HTML(string=html).write_pdf()


def _organism_label(code: str | None) -> str | None:
    from ..eco.models import ORGANISMS

    return ORGANISMS.get(code) if code else None


def claim_attachments(order: RepairOrder, invoice_file_id: int | None, with_bon: bool = True) -> dict:
    """What the claim sends: the invoice, the nameplate photo, the consumer's signed bon."""
    from ..checklists.models import ControlAnswer, ControlPoint
    from ..repairs.models import OrderPhoto, Signature

    attachments = {"invoice": invoice_file_id} if invoice_file_id else {}
    plate = db.session.execute(db.select(ControlAnswer.file_id).join(ControlPoint, ControlAnswer.point_id == ControlPoint.id)
                               .where(ControlAnswer.order_id == order.id, ControlAnswer.file_id.isnot(None),
                                      ControlPoint.kind == "photo").order_by(ControlAnswer.id)).scalars().first()
    if plate is None:
        plate = db.session.execute(db.select(OrderPhoto.file_id).where(OrderPhoto.order_id == order.id)
                                   .order_by(OrderPhoto.id)).scalars().first()
    if plate is not None:
        attachments["nameplate"] = plate
    signed = db.session.execute(db.select(Signature).where(Signature.order_id == order.id, Signature.role == "customer")).scalar_one_or_none()
    if signed is not None and with_bon:
        from ..intake import bon

        stored = store_bytes(bon.render_pdf(order), bon.filename(order), "consumer_validation", {"application/pdf"}, PDF_MAX_BYTES)
        db.session.flush()
        attachments["consumer_validation"] = stored.id
    return attachments


def _by_issue_key(issue_key: str) -> Invoice | None:
    return db.session.execute(db.select(Invoice).where(Invoice.issue_key == issue_key)).scalar_one_or_none()


def invoice_bonus(order: RepairOrder, quote: Quote) -> Decimal:
    """The bonus the invoice deducts: the quote's, unless it is not eligible or the order is a warranty return."""
    return (quote.bonus_amount if quote.bonus_eligible and not order.warranty_of_id else None) or Decimal("0.00")


def _check_invoiceable(order: RepairOrder, quote: Quote) -> None:
    """What both invoices (ours and one from another program) require of the order and its quote."""
    current = invoice_of(order)
    if current is not None:
        raise BillingError(_("Ce dossier a déjà la facture %(n)s. Pour la corriger, faites un avoir.", n=current.number))
    if quote.order_id != order.id:
        raise BillingError(_("Ce devis n'est pas celui de ce dossier."))
    if quote.validated_at is None:
        raise states.QuoteNotValidated()
    if quote.status not in (states.ACCEPTED, states.DRAFT, states.SENT):
        raise BillingError(_("Un devis refusé ou expiré ne se facture pas."))


def _accept_by_invoice(quote: Quote) -> None:
    """A simple job invoiced at the counter: the invoice is the customer's agreement."""
    if quote.status != states.ACCEPTED:
        _transition(quote, "accept")
        quote.decided_at, quote.decided_via, quote.link_nonce = utcnow(), "invoice", None


def issue_invoice(order: RepairOrder, quote: Quote, issue_key: str, user_id: int | None) -> Invoice:
    """Issue the invoice of an accepted (or validated, for a simple job) quote; once per `issue_key`.

    In one transaction: the number (no gap: a rollback gives it back), the PDF stored as a file,
    the invoice and its lines, and the claim when there is a bonus.
    """
    existing = _by_issue_key(issue_key)
    if existing is not None:
        return existing  # a double click or a retried request: the same invoice
    _check_invoiceable(order, quote)
    _accept_by_invoice(quote)
    shop = db.session.get(Shop, order.shop_id)
    day = paris_today()
    t = totals(quote.lines)
    bonus = min(invoice_bonus(order, quote), t.ttc)
    seller, buyer, device = _snapshots(order, shop)
    generation = db.session.execute(db.select(db.func.count(Invoice.id)).where(
        Invoice.order_id == order.id, Invoice.kind == "credit_note")).scalar_one()
    invoice = Invoice(number=_number(shop, day), kind="invoice", order_id=order.id, quote_id=quote.id, issue_key=issue_key,
                      generation=generation,
                      issued_at=utcnow(), issued_on=day, issued_by_id=user_id, seller=seller, buyer=buyer, appliance=device,
                      vat_breakdown=[{k: str(v) for k, v in row.items()} for row in t.breakdown], total_ht=t.ht, total_vat=t.vat,
                      total_ttc=t.ttc, bonus_amount=bonus, bonus_organism=quote.bonus_organism if bonus else None,
                      amount_due=t.ttc - bonus)
    lines = [InvoiceLine(position=i, kind=ln.kind, label=ln.label, quantity=ln.quantity, unit_price=ln.unit_price,
                         vat_rate=ln.vat_rate, total_ht=line_total(ln.quantity, ln.unit_price), part_reference=ln.part_reference,
                         part_origin=ln.part_origin) for i, ln in enumerate(quote.lines)]
    pdf = render_invoice_pdf(invoice, lines)
    stored = store_bytes(pdf, f"facture-{invoice.number}.pdf", "invoice", {"application/pdf"}, PDF_MAX_BYTES)
    db.session.flush()
    invoice.file_id = stored.id
    invoice.lines = lines
    db.session.add(invoice)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()  # another request issued first: the same click (same key) or another one
        existing = _by_issue_key(issue_key)
        if existing is None:
            raise BillingError(_("Ce dossier vient d'être facturé depuis un autre poste : ouvrez sa facture.")) from None
        return existing
    claim = None
    if bonus > 0:
        claim = Claim(order_id=order.id, invoice_id=invoice.id, organism=invoice.bonus_organism, status="ready",
                      bonus_amount=bonus, attachments=claim_attachments(order, stored.id), attached=[])
        db.session.add(claim)
    note(order, "invoiced", {"invoice": (None, invoice.number)})
    db.session.commit()  # the claim is a row before it is a job
    if claim is not None:
        _queue(claim)
    return invoice


def record_external_invoice(order: RepairOrder, quote: Quote, values: dict, stored, issue_key: str, user_id: int | None) -> Invoice:
    """An invoice made in another program, for a validated quote: its number, date and totals as
    read from the uploaded file and confirmed by the user; the file itself is what the claim sends.

    values: number (str), issued_on (date), total_ht, total_ttc, bonus (Decimal). The bonus must be
    the one frozen on the quote: the organism pays the tariff, whatever the other program printed.
    """
    existing = _by_issue_key(issue_key)
    if existing is not None:
        return existing
    _check_invoiceable(order, quote)
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
                             "le montant du barème.", b=eligibility.euros(bonus), e=eligibility.euros(expected)))
    if bonus > ttc:
        raise BillingError(_("Le bonus ne peut pas dépasser le total TTC."))
    _accept_by_invoice(quote)
    shop = db.session.get(Shop, order.shop_id)
    seller, buyer, device = _snapshots(order, shop)
    generation = db.session.execute(db.select(db.func.count(Invoice.id)).where(
        Invoice.order_id == order.id, Invoice.kind == "credit_note")).scalar_one()
    invoice = Invoice(number=number, kind="invoice", external=True, order_id=order.id, quote_id=quote.id, issue_key=issue_key,
                      generation=generation, issued_at=utcnow(), issued_on=day, issued_by_id=user_id, seller=seller, buyer=buyer,
                      appliance=device, vat_breakdown=[], total_ht=ht, total_vat=ttc - ht, total_ttc=ttc, bonus_amount=bonus,
                      bonus_organism=quote.bonus_organism if bonus else None, amount_due=ttc - bonus, file_id=stored.id)
    # The quote's lines stand for the detail the organism asks (labour, parts): what was agreed.
    invoice.lines = [InvoiceLine(position=i, kind=ln.kind, label=ln.label, quantity=ln.quantity, unit_price=ln.unit_price,
                                 vat_rate=ln.vat_rate, total_ht=line_total(ln.quantity, ln.unit_price),
                                 part_reference=ln.part_reference, part_origin=ln.part_origin) for i, ln in enumerate(quote.lines)]
    db.session.add(invoice)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise BillingError(_("Ce dossier vient d'être facturé depuis un autre poste : ouvrez sa facture.")) from None
    claim = None
    if bonus > 0:
        claim = Claim(order_id=order.id, invoice_id=invoice.id, organism=invoice.bonus_organism, status="ready",
                      bonus_amount=bonus, attachments=claim_attachments(order, stored.id), attached=[])
        db.session.add(claim)
    note(order, "invoiced", {"invoice": (None, number), "external": (None, True)})
    db.session.commit()
    if claim is not None:
        _queue(claim)
    return invoice


def _queue(claim: Claim) -> None:
    from flask import current_app

    from ..claims.submit import enqueue_submission

    try:
        enqueue_submission(claim)
    except Exception:  # noqa: BLE001 - Redis down: the claim stays "ready" and is sent later
        db.session.rollback()
        current_app.logger.exception("claim %s not queued; it stays ready", claim.id)


def credit(invoice: Invoice, reason: str, issue_key: str, user_id: int | None) -> Invoice:
    """A credit note that cancels `invoice` in full (the invoice itself is never changed)."""
    if invoice.kind != "invoice":
        raise BillingError(_("Un avoir ne s'annule pas par un autre avoir."))
    if db.session.execute(db.select(Invoice.id).where(Invoice.credits_id == invoice.id)).first():
        raise BillingError(_("Cette facture est déjà annulée par un avoir."))
    if len((reason or "").strip()) < 5:
        raise BillingError(_("Indiquez le motif de l'avoir."))
    existing = db.session.execute(db.select(Invoice).where(Invoice.issue_key == issue_key)).scalar_one_or_none()
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
    pdf = render_invoice_pdf(note_, lines, credited=invoice)
    stored = store_bytes(pdf, f"avoir-{note_.number}.pdf", "credit_note", {"application/pdf"}, PDF_MAX_BYTES)
    db.session.flush()
    note_.file_id, note_.lines = stored.id, lines
    db.session.add(note_)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()  # another credit note for this invoice was issued at the same instant
        raise BillingError(_("Cette facture est déjà annulée par un avoir.")) from None
    claim = db.session.execute(db.select(Claim).where(Claim.invoice_id == invoice.id).with_for_update()).scalar_one_or_none()
    if claim is not None:
        from ..claims.models import AT_ORGANISM
        from ..claims.submit import set_status

        if claim.status in AT_ORGANISM or claim.status == "paid":
            claim.last_error = _("Facture annulée par l'avoir %(n)s : demandez à l'organisme d'annuler cette demande.", n=note_.number)
        elif claim.status not in ("cancelled", "rejected"):
            set_status(claim, "cancelled", _("Facture annulée par l'avoir %(n)s.", n=note_.number))  # nothing to claim any more
            claim.last_error = None
    note(invoice, "credited", {"credit_note": (None, note_.number)})
    db.session.commit()
    return note_


# --- payments -------------------------------------------------------------------------------

PAYMENT_METHODS = ("cash", "card", "cheque", "transfer")


def _credited(invoice: Invoice) -> bool:
    return db.session.execute(db.select(Invoice.id).where(Invoice.credits_id == invoice.id)).first() is not None


def paid(invoice: Invoice) -> Decimal:
    """What the customer paid for this invoice, with what was paid on the order's cancelled invoices
    before it (the money stays the customer's: it goes to the invoice that replaces them)."""
    earlier = db.select(Invoice.id).where(Invoice.order_id == invoice.order_id, Invoice.kind == "invoice",
                                          Invoice.generation < invoice.generation)
    total = db.session.execute(db.select(db.func.sum(Payment.amount)).where(
        (Payment.invoice_id == invoice.id) | Payment.invoice_id.in_(earlier))).scalar()
    return money(total or 0)


def balance(invoice: Invoice) -> Decimal:
    return invoice.amount_due - paid(invoice)


def record_payment(invoice: Invoice, method: str, amount: Decimal, user_id: int | None, reference: str | None = None) -> Payment:
    if invoice.kind != "invoice":
        raise BillingError(_("On n'encaisse pas un avoir."))
    if _credited(invoice):
        raise BillingError(_("Cette facture est annulée par un avoir : encaissez la facture qui la remplace."))
    # one payment at a time per invoice (PostgreSQL row lock; SQLite writes one at a time anyway)
    db.session.execute(db.select(Invoice.id).where(Invoice.id == invoice.id).with_for_update())
    if method not in PAYMENT_METHODS:
        raise BillingError(_("Moyen de paiement inconnu."))
    amount = money(amount)
    if amount <= 0:
        raise BillingError(_("Le montant doit être positif."))
    if amount > balance(invoice):
        raise BillingError(_("Le montant dépasse le reste à payer (%(r)s).", r=eligibility.euros(balance(invoice))))
    payment = Payment(invoice_id=invoice.id, method=method, amount=amount, reference=(reference or "").strip() or None,
                      received_on=paris_today(), received_by_id=user_id)
    db.session.add(payment)
    db.session.commit()
    return payment


def hand_back_guard(order: RepairOrder, action: str) -> None:
    """An invoiced appliance goes back once the invoice is paid."""
    if action != "hand_back":
        return
    invoice = invoice_of(order)
    if invoice is not None and balance(invoice) > 0:
        from ..repairs.states import RepairOrderError

        raise RepairOrderError(_("La facture %(n)s n'est pas réglée : reste %(r)s à encaisser avant de rendre l'appareil.",
                                 n=invoice.number, r=eligibility.euros(balance(invoice))))
