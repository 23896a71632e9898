"""What the claims pages read: the list with its filters, a claim's page, the claims a payment may be
linked to. The views only pick the template."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy.orm import Bundle

from ..billing.models import Invoice
from ..core.money import MAX_AMOUNT, french_decimal
from ..eco.models import EcoExchange
from ..extensions import db
from ..files.models import StoredFile
from ..repairs.models import RepairOrder
from ..shops.models import RepairSite
from . import states
from .models import Claim, ClaimEvent, ClaimPayment

TO_FIX_FILTER = "a_traiter"  # the list's status filter for the claims to fix (states.TO_FIX)
LIST_SIZE = 200  # the newest claims the list shows


def euros_filter(raw: str | None) -> Decimal | None:
    """A bound of the amount filter as typed ('12,50', '12.5 €'): None when it is not an amount."""
    value = french_decimal(raw)
    return value if value is not None and abs(value) < MAX_AMOUNT else None


def day_filter(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw or "")
    except ValueError:
        return None


@dataclass
class ListFilters:
    """The list's filters, as the form sends them (`status` "a_traiter": the claims to fix)."""
    organism: str = ""
    status: str = ""
    site: int | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    since: dt.date | None = None
    until: dt.date | None = None


def claim_rows(f: ListFilters) -> list:
    """The newest claims matching the filters: (claim bundle of id, organism, bonus_amount, status;
    invoice number; order number)."""
    # The 200 claims are chosen first, from the claim table alone unless a filter needs the order or
    # the invoice (the index on shop and id, read backwards, then stops at 200: PostgreSQL would
    # otherwise join every claim of the shop and sort them); their rows are read after.
    chosen = db.select(Claim.id).order_by(Claim.id.desc()).limit(LIST_SIZE)
    if f.organism:
        chosen = chosen.where(Claim.organism == f.organism)
    if f.status == TO_FIX_FILTER:
        chosen = chosen.where(Claim.status.in_(sorted(states.TO_FIX)))
    elif f.status:
        chosen = chosen.where(Claim.status == f.status)
    if f.site:
        chosen = chosen.join(RepairOrder, Claim.order_id == RepairOrder.id).where(RepairOrder.site_id == f.site)
    if f.low is not None:
        chosen = chosen.where(Claim.bonus_amount >= f.low)
    if f.high is not None:
        chosen = chosen.where(Claim.bonus_amount <= f.high)
    if f.since or f.until:
        chosen = chosen.join(Invoice, Claim.invoice_id == Invoice.id)
        chosen = chosen.where(Invoice.issued_on >= f.since) if f.since else chosen
        chosen = chosen.where(Invoice.issued_on <= f.until) if f.until else chosen
    # The rows show four of the claim's columns: read those only (no JSON to decode, no ORM object).
    shown = Bundle("claim", Claim.id, Claim.organism, Claim.bonus_amount, Claim.status)
    query = db.select(shown, Invoice.number, RepairOrder.number).join(Invoice, Claim.invoice_id == Invoice.id) \
        .join(RepairOrder, Claim.order_id == RepairOrder.id).where(Claim.id.in_(chosen.scalar_subquery())).order_by(Claim.id.desc())
    return db.session.execute(query).all()


def sites() -> list[RepairSite]:
    return db.session.execute(db.select(RepairSite).order_by(RepairSite.name)).scalars().all()


@dataclass
class ClaimPage:
    """What a claim's page shows besides the claim: its invoice, timeline, exchanges, files, payments."""
    invoice: Invoice | None
    events: list
    exchanges: list
    files: dict
    payments: list


def claim_page(claim: Claim) -> ClaimPage:
    by_id = lambda model, column: db.session.execute(  # noqa: E731
        db.select(model).where(column == claim.id).order_by(model.id)).scalars().all()
    return ClaimPage(
        invoice=db.session.get(Invoice, claim.invoice_id),
        events=by_id(ClaimEvent, ClaimEvent.claim_id),
        exchanges=by_id(EcoExchange, EcoExchange.claim_id),
        files={kind: db.session.get(StoredFile, file_id) for kind, file_id in claim.attachments.items()},
        payments=db.session.execute(db.select(ClaimPayment).where(ClaimPayment.claim_id == claim.id)
                                    .order_by(ClaimPayment.paid_on)).scalars().all(),
    )


def open_claims() -> list:
    """The claims a payment line may be linked to by hand, with what the choice shows (the page asks
    only when a line is waiting): thousands in a shop of some years, so columns, not ORM objects."""
    shown = Bundle("claim", Claim.id, Claim.organism, Claim.external_id)
    return db.session.execute(db.select(shown, Invoice.number).join(Invoice, Claim.invoice_id == Invoice.id)
                              .where(Claim.status.in_(sorted(states.RECEIVED))).order_by(Invoice.number)).all()
