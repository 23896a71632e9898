"""The organism's rules, applied before anything is sent (DOMAIN.md §3-4): a claim that fails stays
in the shop with each reason in French and the page where it is fixed; it is never sent to be
rejected."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import or_

from ..billing.models import Invoice, Quote
from ..catalog import eligibility
from ..catalog.models import Code
from ..eco import types as eco
from ..eco.models import ORGANISMS, EcoAccount
from ..eco.registry import provider
from ..extensions import db
from ..files.models import StoredFile
from ..repairs.customers import buyer_kind
from ..repairs.models import BUSINESS, RepairOrder
from . import payload as payloads
from .models import ATTACHMENT_LABELS, Claim

MAX_FILE_BYTES = 10 * 1024 * 1024  # per attachment (both organisms refuse larger files)
FILE_TYPES = {"application/pdf", "image/jpeg", "image/png"}
BASE_ATTACHMENTS = {"invoice", "nameplate"}


@dataclass
class Problem:
    message: str
    fix: str | None = None  # the endpoint where the user corrects it (built in the page: jobs have no request)
    args: dict = field(default_factory=dict)


def required_attachments(claim: Claim, p: eco.ClaimPayload) -> set[str]:
    """Both organisms want the invoice and the nameplate; Ecologic the consumer's signed validation
    when it is not validated automatically, ecosystem the consent when a reused part is used."""
    required = set(BASE_ATTACHMENTS)
    if provider(claim.organism).needs_consumer_validation(p):
        required.add("consumer_validation")
    return required


def _code_known(organism: str, kind: str, code: str | None, product_type_id: int | None, day) -> bool | None:
    """None when the catalog holds no code of that kind from the organism itself (synced from its API):
    the generic IRIS list is not the organism's, which accepts per product only some of them."""
    base = db.select(Code.id).where(Code.organism == organism, Code.kind == kind)
    if db.session.execute(base.limit(1)).first() is None:
        return None
    row = db.session.execute(base.where(Code.code == (code or ""), Code.valid_on(day),
                                        or_(Code.product_type_id == product_type_id, Code.product_type_id.is_(None)))).first()
    return row is not None


def _problem(message: str, where: tuple | None = None) -> Problem:
    return Problem(message, where[0], where[1]) if where else Problem(message)


def check(claim: Claim, p: eco.ClaimPayload | None = None) -> list[Problem]:
    p = p or payloads.build(claim)
    invoice = db.session.get(Invoice, claim.invoice_id)
    order = db.session.get(RepairOrder, claim.order_id)
    quote = db.session.get(Quote, invoice.quote_id) if invoice.quote_id else None
    order_url = ("repairs.show", {"order_id": order.id})
    quote_url = ("billing.quote", {"quote_id": quote.id}) if quote else order_url
    invoice_url = ("billing.invoice", {"invoice_id": invoice.id})
    problems = []
    if db.session.execute(db.select(Invoice.id).where(Invoice.credits_id == invoice.id)).first():
        problems.append(_problem(_("La facture %(n)s est annulée par un avoir : rien à demander.", n=invoice.number), invoice_url))
    for key in payloads.missing_keys(claim, p):
        where = quote_url if key == "repair_code" else ("shops.sites_list", {}) if key == "site_id" else \
            ("shops.eco_accounts", {}) if key == "repairer_id" else order_url
        problems.append(_problem(_("Il manque %(m)s.", m=str(payloads.LABELS[key])), where))
    if order.warranty_of_id:
        problems.append(_problem(_("Retour sous garantie : pas de bonus sur cette réparation."), order_url))
    appliance = order.appliance
    reused = any(ln.kind == "part" and ln.part_origin == "reused" for ln in invoice.lines)
    verdict = eligibility.check(appliance.product_type_id, appliance.brand_id, invoice.issued_on, invoice.total_ttc,
                                reused_part=reused, shop_id=order.shop_id, business_customer=buyer_kind(invoice.buyer) == BUSINESS)
    if not verdict.eligible:
        problems += [_problem(r, order_url) for r in verdict.reasons]
    else:
        if verdict.organism != claim.organism:
            problems.append(_problem(_("Cette marque relève de %(o)s, pas de %(c)s.", o=ORGANISMS.get(verdict.organism), c=ORGANISMS.get(claim.organism)), order_url))
        if verdict.amount != claim.bonus_amount:
            problems.append(_problem(_("Le bonus facturé (%(b)s) diffère du barème au jour de la facture (%(t)s) : faites un avoir "
                                      "et une nouvelle facture.", b=eligibility.euros(claim.bonus_amount),
                                      t=eligibility.euros(verdict.amount)), invoice_url))
    if claim.bonus_amount > invoice.total_ttc:
        problems.append(_problem(_("Le bonus dépasse le total TTC de la facture.")))
    for kind, code in (("repair", p.repair_code), ("symptom", p.symptom_code)):
        if code and _code_known(claim.organism, kind, code, appliance.product_type_id, invoice.issued_on) is False:
            problems.append(_problem(_("Le code %(c)s n'est pas un code %(k)s valable chez %(o)s au %(d)s.", c=code,
                                      k=_("de réparation") if kind == "repair" else _("symptôme"), o=ORGANISMS.get(claim.organism),
                                      d=invoice.issued_on.strftime("%d/%m/%Y")), quote_url if kind == "repair" else order_url))
    for kind in sorted(required_attachments(claim, p) - set(claim.attachments)):
        problems.append(_problem(_("Pièce jointe manquante : %(k)s.", k=ATTACHMENT_LABELS[kind]), order_url))
    for kind, file_id in claim.attachments.items():
        stored = db.session.get(StoredFile, file_id)
        if stored is None or stored.content_type not in FILE_TYPES or stored.size > MAX_FILE_BYTES:
            problems.append(_problem(_("La pièce jointe %(k)s n'est pas acceptée (PDF, JPEG ou PNG de 10 Mo au plus).", k=ATTACHMENT_LABELS.get(kind, kind)), order_url))
    account = db.session.execute(db.select(EcoAccount).where(EcoAccount.organism == claim.organism)).scalar_one_or_none()
    if account is None or not account.secret_encrypted:
        problems.append(_problem(_("Aucun identifiant %(o)s enregistré.", o=ORGANISMS.get(claim.organism)), ("shops.eco_accounts", {})))
    return problems


def total(problems: list[Problem]) -> str:
    return " ".join(p.message for p in problems)

