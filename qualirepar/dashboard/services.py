"""The figures of each role's home page, each from a handful of grouped queries (no query per row
or per chart point)."""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import Integer, Numeric, case, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Bundle
from sqlalchemy.sql.functions import FunctionElement

from ..billing.models import Invoice
from ..catalog.models import ProductType
from ..checklists.models import ControlAnswer, ControlPoint
from ..checklists.services import template_for
from ..claims import payments
from ..claims import states as claim_states
from ..claims.models import Claim, ClaimEvent, ClaimPayment
from ..complaints.models import Complaint
from ..core.clock import paris_today
from ..extensions import db
from ..repairs import states
from ..repairs.models import Appliance, Customer, RepairOrder
from ..shops.models import RepairSite, User

ZERO = Decimal("0.00")
ACTIVE = (states.INTAKE, states.DIAGNOSIS, states.QUOTE, states.REPAIR, states.READY)


@dataclass
class Bar:
    label: str
    value: Decimal | int
    share: float = 0.0  # of the largest bar, 0..1, for the drawing


@dataclass
class Chart:
    title: str
    unit: str  # "€" or "" (a count)
    bars: list[Bar] = field(default_factory=list)

    def scaled(self) -> "Chart":
        top = max((float(b.value) for b in self.bars), default=0.0)
        for b in self.bars:
            b.share = float(b.value) / top if top else 0.0
        return self


def _months(today: dt.date, n: int = 6) -> list[str]:
    out, year, month = [], today.year, today.month
    for _i in range(n):
        out.append(f"{year:04d}-{month:02d}")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return list(reversed(out))


class _days_between(FunctionElement):  # noqa: N801 - used like a SQL function
    """Whole days from a date to a later one, in SQL (SQLite has no date arithmetic)."""

    name = "days_between"
    type = Integer()
    inherit_cache = True


@compiles(_days_between)
def _days_default(element, compiler, **kw) -> str:
    later, earlier = element.clauses
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


@compiles(_days_between, "sqlite")
def _days_sqlite(element, compiler, **kw) -> str:
    later, earlier = element.clauses
    return f"CAST(julianday({compiler.process(later, **kw)}) - julianday({compiler.process(earlier, **kw)}) AS INTEGER)"


def _money(expr):
    """SUM of an amount as a Decimal with cents (0.00 when there is no row), on every database."""
    return type_coerce(db.func.coalesce(db.func.sum(expr), 0), Numeric(12, 2))


def _top(counts: Counter, n: int) -> list[tuple[str, int]]:
    """The n largest, the same count in the order of the names."""
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def owner(today: dt.date | None = None) -> dict:
    """Money (claimed, accepted, paid, outstanding), rejections and their reasons, the time from
    invoice to payment, and the activity per month, site and technician.

    Summed and counted by the database: a few grouped rows per query, whatever the number of claims
    and orders (the months by day, the sites and technicians by pair)."""
    today = today or paris_today()
    months = _months(today)
    since = dt.date(int(months[0][:4]), int(months[0][5:]), 1)
    paid_or_zero = db.func.coalesce(Claim.amount_paid, 0)
    counted = Claim.status.in_(claim_states.GRANTED) | Claim.amount_paid.isnot(None)
    live = db.select().select_from(Claim).join(Invoice, Claim.invoice_id == Invoice.id).where(Claim.status != claim_states.CANCELLED)
    totals = db.session.execute(live.add_columns(
        _money(Claim.bonus_amount).label("claimed"),
        _money(case((counted, db.func.coalesce(Claim.amount_accepted, Claim.bonus_amount)), else_=0)).label("accepted"),
        _money(paid_or_zero).label("paid"),
        _money(case(((Claim.status != claim_states.REJECTED) & (Claim.bonus_amount > paid_or_zero), Claim.bonus_amount - paid_or_zero),
                    else_=0)).label("outstanding"),
        db.func.count(case((Claim.status == claim_states.REJECTED, 1))).label("rejected"),
        db.func.count(case((Claim.status.in_(claim_states.DECIDED), 1))).label("decided"),
        db.func.count(Claim.paid_on).label("delays"),
        db.func.coalesce(db.func.sum(case((Claim.paid_on.isnot(None), _days_between(Claim.paid_on, Invoice.issued_on)))), 0).label("delay_days"),
    )).one()
    total = {key: getattr(totals, key) for key in ("claimed", "accepted", "paid", "outstanding")}
    rejected, decided, delays, delay_days = totals.rejected, totals.decided, totals.delays, int(totals.delay_days)
    by_month = {m: ZERO for m in months}
    paid_by_month = {m: ZERO for m in months}
    for day, amount in db.session.execute(live.add_columns(Invoice.issued_on, _money(Claim.bonus_amount))
                                          .where(Invoice.issued_on >= since).group_by(Invoice.issued_on)):
        if day.strftime("%Y-%m") in by_month:
            by_month[day.strftime("%Y-%m")] += amount
    for day, amount in db.session.execute(live.add_columns(Claim.paid_on, _money(paid_or_zero))
                                          .where(Claim.paid_on >= since).group_by(Claim.paid_on)):
        if day.strftime("%Y-%m") in paid_by_month:  # a payment dated in the future is no month's yet
            paid_by_month[day.strftime("%Y-%m")] += amount
    reasons = Counter()
    texts = db.session.execute(db.select(ClaimEvent.text).where(ClaimEvent.status_after == claim_states.REJECTED)).scalars().all()
    for text in texts:
        match = re.search(r"(\d\d) : ([^(;]+)", text or "")
        reasons[f"{match.group(1)} : {match.group(2).strip()}" if match else (text or _("sans motif"))[:80]] += 1
    recent = RepairOrder.intake_on >= since  # count(*), not of a column: PostgreSQL then reads the index alone
    orders_by_month = Counter()
    for day, n in db.session.execute(db.select(RepairOrder.intake_on, db.func.count()).where(recent)
                                     .group_by(RepairOrder.intake_on)):
        orders_by_month[day.strftime("%Y-%m")] += n
    by_site, by_tech = Counter(), Counter()
    for site, first, last, n in db.session.execute(
            db.select(RepairSite.name, User.first_name, User.last_name, db.func.count()).select_from(RepairOrder)
            .outerjoin(RepairSite, RepairOrder.site_id == RepairSite.id).outerjoin(User, RepairOrder.technician_id == User.id)
            .where(recent).group_by(RepairOrder.site_id, RepairOrder.technician_id, RepairSite.name, User.first_name, User.last_name)):
        by_site[site or _("sans lieu")] += n
        by_tech[f"{first} {last}" if first else _("non attribué")] += n

    overdue = db.session.execute(db.select(Complaint).where(Complaint.answered_on.is_(None), Complaint.due_on < today)
                                 .order_by(Complaint.due_on)).scalars().all()
    return {
        "overdue_complaints": overdue,
        **total, "rejection_rate": (rejected / decided) if decided else None, "rejected": rejected, "decided": decided,
        "reasons": reasons.most_common(5), "delay_days": round(delay_days / delays) if delays else None,
        "charts": [
            Chart(_("Bonus demandé par mois de facture"), "€", [Bar(m, by_month[m]) for m in months]).scaled(),
            Chart(_("Bonus payé par mois"), "€", [Bar(m, paid_by_month[m]) for m in months]).scaled(),
            Chart(_("Dossiers pris en charge par mois"), "", [Bar(m, orders_by_month.get(m, 0)) for m in months]).scaled(),
            Chart(_("Dossiers par lieu (6 mois)"), "", [Bar(k, v) for k, v in _top(by_site, 8)]).scaled(),
            Chart(_("Dossiers par technicien (6 mois)"), "", [Bar(k, v) for k, v in _top(by_tech, 8)]).scaled(),
        ],
    }


def support(today: dt.date | None = None) -> dict:
    """Claims to correct, refusals to handle, payments late or unmatched."""

    shown = Bundle("claim", Claim.id, Claim.status, Claim.last_error)  # what the lists show, not the whole claim
    to_fix = db.session.execute(db.select(shown, Invoice.number).join(Invoice, Claim.invoice_id == Invoice.id)
                                .where(Claim.status.in_(claim_states.TO_FIX))
                                .order_by(Claim.step_at).limit(50)).all()
    control = payments.control(today, sent_unpaid=True)  # the ageing and the late ones are among these only
    late = [r for r in control if r.category == "late"]
    unmatched = db.session.execute(db.select(db.func.count(ClaimPayment.id)).where(ClaimPayment.claim_id.is_(None))).scalar_one()
    return {"attention": [(c, n) for c, n in to_fix if c.status != claim_states.REJECTED], "rejected": [(c, n) for c, n in to_fix if c.status == claim_states.REJECTED],
            "late": late, "late_amount": sum((r.claim.bonus_amount for r in late), ZERO), "unmatched": unmatched,
            "ageing": payments.ageing(control)}


def technician(user_id: int, today: dt.date | None = None) -> dict:
    """Today's orders, the ones whose checklist is not finished, the returns assigned."""
    today = today or paris_today()
    mine = db.select(RepairOrder, Customer.last_name, Appliance.brand_name).join(Customer, RepairOrder.customer_id == Customer.id) \
        .join(Appliance, RepairOrder.appliance_id == Appliance.id) \
        .where(RepairOrder.status.in_(ACTIVE), (RepairOrder.technician_id == user_id) | RepairOrder.technician_id.is_(None))
    active = db.session.execute(mine.order_by(RepairOrder.intake_on, RepairOrder.id).limit(100)).all()
    today_rows = [row for row in active if row[0].intake_on == today]
    phases = {row[0].id: "checkout" if row[0].status in (states.REPAIR, states.READY) else "checkin" for row in active}
    left = _missing_counts([row[0] for row in active], phases)
    unfinished = [(row, phases[row[0].id], left[row[0].id]) for row in active if left[row[0].id]]
    returns = [row for row in active if row[0].warranty_of_id]
    return {"today": today_rows, "unfinished": unfinished[:20], "returns": returns}


def _missing_counts(orders: list[RepairOrder], phases: dict[int, str]) -> dict[int, int]:
    """For each order, how many points `checklists.services.missing(order, phase)` would list (the
    mandatory active points of its template not answered): three queries for all the orders, and
    one per template used (a handful), instead of four per order."""

    if not orders:
        return {}
    fiches = dict(db.session.execute(db.select(Appliance.id, ProductType.fiche_code)
                                     .outerjoin(ProductType, Appliance.product_type_id == ProductType.id)
                                     .where(Appliance.id.in_({o.appliance_id for o in orders}))).all())
    templates = {}  # (fiche, phase) -> template id; template_for creates the shop's template the first time
    for order in orders:
        key = (fiches.get(order.appliance_id), phases[order.id])
        if key not in templates:
            templates[key] = template_for(*key).id
    required = defaultdict(set)  # template id -> its mandatory active points
    for point_id, template_id in db.session.execute(db.select(ControlPoint.id, ControlPoint.template_id).where(
            ControlPoint.template_id.in_(set(templates.values())), ControlPoint.active.is_(True), ControlPoint.mandatory.is_(True))):
        required[template_id].add(point_id)
    answered = defaultdict(set)
    wanted = set().union(*required.values())
    if wanted:
        for order_id, point_id in db.session.execute(db.select(ControlAnswer.order_id, ControlAnswer.point_id).where(
                ControlAnswer.order_id.in_([o.id for o in orders]), ControlAnswer.point_id.in_(wanted))):
            answered[order_id].add(point_id)
    return {o.id: len(required[templates[(fiches.get(o.appliance_id), phases[o.id])]] - answered[o.id]) for o in orders}
