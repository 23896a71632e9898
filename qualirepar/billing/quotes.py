"""Quotes: lines and totals, the repair code, the bonus frozen at validation, sending, and the
customer's decision (which moves the repair order on). Called by views, jobs and tests alike."""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_

from ..audit import note, utcnow
from ..catalog import eligibility, pickers
from ..catalog.models import Brand, Code, ProductType
from ..core.clock import paris_today
from ..core.money import CENT, cents, line_total
from ..eco.errors import EcoError, NotSupported
from ..eco.models import ORGANISMS
from ..eco.registry import ExchangeLog, client_for, provider
from ..eco.services import account
from ..extensions import db
from ..numbering import next_number
from ..repairs import services as repairs
from ..repairs import states as order_states
from ..repairs.models import Appliance, Customer, RepairOrder
from . import states
from .models import Invoice, Quote, QuoteLine
from .states import BillingError

KINDS = ("diagnosis", "labour", "part", "travel")
VAT_RATES = (Decimal("20.00"), Decimal("10.00"), Decimal("5.50"), Decimal("0.00"))
QUOTE_VALIDITY_DAYS = 30
VALIDATED_LABEL = _l("Validé")  # a draft with its bonus frozen, ready to send or sign


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
        vat = cents(base * rate / 100)
        t.breakdown.append({"rate": rate, "base": base, "vat": vat})
        t.ht += base
        t.vat += vat
    t.ttc = t.ht + t.vat
    return t


def reused_part(lines) -> bool:
    return any(line.kind == "part" and line.part_origin == "reused" for line in lines)


def status_label(quote: Quote) -> str:
    """The quote's state as read: a draft whose bonus is frozen reads «Validé»."""
    if quote.status == states.DRAFT and quote.validated_at is not None:
        return str(VALIDATED_LABEL)
    return str(states.LABELS.get(quote.status, quote.status))


def organism_label(code: str | None) -> str | None:
    return ORGANISMS.get(code) if code else None


def create_quote(order: RepairOrder) -> Quote:
    if order.status in order_states.CLOSED:
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
                     unit_price=cents(unit_price), vat_rate=vat_rate, part_reference=part_reference if kind == "part" else None,
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
    appliance = db.session.get(Appliance, order.appliance_id)
    return list(db.session.execute(db.select(Code).where(Code.kind == "repair", or_(
        Code.product_type_id == appliance.product_type_id, Code.product_type_id.is_(None))).order_by(Code.code)).scalars())


def _repair_choices(quote: Quote, organism: str | None = None) -> list:
    """The repair codes the quote can carry: the paying organism's list for the appliance."""
    order = db.session.get(RepairOrder, quote.order_id)
    appliance = db.session.get(Appliance, order.appliance_id)
    if organism is None and appliance.brand_id:
        brand = db.session.get(Brand, appliance.brand_id)
        organism = brand.organism if brand else None
    return pickers.repair_code_choices(appliance.product_type_id, organism)


def set_repair_code(quote: Quote, code: str) -> None:
    code = (code or "").strip().upper()
    if len(code) > 20:
        raise BillingError(_("Code de réparation trop long (20 caractères au plus)."))
    if db.session.execute(db.select(Invoice.id).where(Invoice.quote_id == quote.id)).first():
        raise BillingError(_("Ce devis est facturé : le code de réparation ne change plus."))
    if code and code not in {c.code for c in _repair_choices(quote)} and _repair_choices(quote):
        raise BillingError(_("Choisissez le code de réparation dans la liste de cet appareil."))
    quote.repair_code = code or None
    db.session.commit()


def bonus_verdict(quote: Quote, day: dt.date | None = None) -> eligibility.Verdict:
    """What the rules say now for this quote: the catalog's verdict; a warranty return never has one."""
    order = db.session.get(RepairOrder, quote.order_id)
    appliance = db.session.get(Appliance, order.appliance_id)
    t = totals(quote.lines)
    customer = db.session.get(Customer, order.customer_id)
    verdict = eligibility.check(appliance.product_type_id, appliance.brand_id, day or paris_today(), t.ttc,
                                reused_part=reused_part(quote.lines), shop_id=order.shop_id, business_customer=customer.is_business)
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
    if not verdict.organism:
        return None
    acc = account(verdict.organism)
    if acc is None or not acc.secret_encrypted:
        return _("Pas d'identifiants %(o)s : seul le barème du catalogue a été consulté.", o=organism_label(verdict.organism))
    order = db.session.get(RepairOrder, quote.order_id)
    appliance = db.session.get(Appliance, order.appliance_id)
    product = db.session.get(ProductType, appliance.product_type_id)
    brand = db.session.get(Brand, appliance.brand_id) if appliance.brand_id else None
    ext = provider(verdict.organism).catalog_id_attr
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
    if verdict.eligible and not quote.repair_code and _repair_choices(quote, verdict.organism):
        raise BillingError(_("Choisissez le code de réparation avant de valider : l'appareil ouvre droit au bonus réparation "
                             "et la demande le transmet."))
    quote.validated_at, quote.validated_by_id, quote.bonus_date = utcnow(), user_id, day
    quote.bonus_eligible = verdict.eligible
    quote.bonus_amount = verdict.amount if verdict.eligible else Decimal("0.00")
    quote.bonus_organism = verdict.organism if verdict.eligible else None
    quote.bonus_tariff_id = verdict.tariff_id if verdict.eligible else None
    quote.bonus_reasons = list(verdict.reasons)
    note(quote, "validated", {"bonus_amount": (None, str(quote.bonus_amount))})
    db.session.commit()
    order = db.session.get(RepairOrder, quote.order_id)
    _move_order(order, "send_quote")  # the order leaves «Diagnostic»: its quote is ready
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


def invoice_gaps(order: RepairOrder, quote: Quote) -> list[str]:
    """Why invoicing now would need a stated reason: an invoice is for a quote the customer
    accepted, on a repair marked done (issue 16: quote and order agree)."""
    gaps = []
    if quote.status != states.ACCEPTED:
        gaps.append(_("le devis n'est pas accepté par le client"))
    if order.repaired_at is None:
        gaps.append(_("la réparation n'est pas marquée terminée"))
    return gaps


def check_invoice_reason(order: RepairOrder, quote: Quote, reason: str | None) -> None:
    """Refuse an invoice outside the normal path unless a reason is given (a diagnosis-only
    invoice, a job invoiced at the counter before the repair is marked done...); the reason is
    audited on the order, in the invoice's transaction."""
    gaps = invoice_gaps(order, quote)
    if not gaps:
        return
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise BillingError(_("Facture impossible sans motif : %(g)s. Faites accepter le devis et terminez la réparation, "
                             "ou indiquez le motif de cette facture (par exemple : diagnostic seul).", g=" ; ".join(gaps)))
    note(order, "invoice_reason", {"reason": (None, reason[:500]), "gaps": (None, " ; ".join(gaps))})


def _move_order(order: RepairOrder, action: str) -> None:
    if not order_states.machine.can(order.status, action):
        return  # the order is elsewhere in its life (a second quote, a simple job): leave it there
    repairs.transition(order, action)


def transition(quote: Quote, action: str) -> None:
    """Move the quote through its table (sending or accepting needs the bonus frozen first)."""
    if action in ("send", "accept") and quote.validated_at is None:
        raise states.QuoteNotValidated()
    target = states.next_state(quote.status, action)
    before, quote.status = quote.status, target
    note(quote, action, {"status": (before, target)})


def mark_sent(quote: Quote) -> str:
    """The quote goes to the customer: a new link nonce (older links stop working)."""
    transition(quote, "send")
    quote.sent_at, quote.link_nonce = utcnow(), secrets.token_hex(16)
    db.session.commit()
    order = db.session.get(RepairOrder, quote.order_id)
    _move_order(order, "send_quote")
    return quote.link_nonce


def decide(quote: Quote, accept: bool, via: str, ip: str | None, signer_name: str | None = None,
           signature_file_id: int | None = None) -> None:
    """The customer accepts or refuses (signature on the tablet, or the e-mailed link)."""
    if quote.status == states.SENT and quote.valid_until < paris_today():
        transition(quote, "expire")
        quote.link_nonce = None
        db.session.commit()
        raise BillingError(_("Ce devis a expiré le %(d)s.", d=quote.valid_until.strftime("%d/%m/%Y")))
    transition(quote, "accept" if accept else "refuse")
    quote.decided_at, quote.decided_via, quote.decision_ip = utcnow(), via, ip
    quote.signer_name, quote.signature_file_id = signer_name, signature_file_id
    quote.link_nonce = None  # a decided quote's link is spent
    db.session.commit()
    order = db.session.get(RepairOrder, quote.order_id)
    if order.status == order_states.DIAGNOSIS:
        _move_order(order, "send_quote")
    _move_order(order, "accept_quote" if accept else "refuse_quote")


def accept_by_invoice(quote: Quote) -> None:
    """A simple job invoiced at the counter: the invoice is the customer's agreement."""
    if quote.status != states.ACCEPTED:
        transition(quote, "accept")
        quote.decided_at, quote.decided_via, quote.link_nonce = utcnow(), "invoice", None
