"""The figures of each role's home page, each from a handful of grouped queries (no query per row
or per chart point)."""
from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _

from ..billing.models import Invoice
from ..claims.models import Claim, ClaimEvent, ClaimPayment
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


def owner(today: dt.date | None = None) -> dict:
    """Money (claimed, accepted, paid, outstanding), rejections and their reasons, the time from
    invoice to payment, and the activity per month, site and technician."""
    today = today or dt.date.today()
    rows = db.session.execute(db.select(Claim.status, Claim.bonus_amount, Claim.amount_accepted, Claim.amount_paid,
                                        Invoice.issued_on, Claim.paid_on)
                              .join(Invoice, Claim.invoice_id == Invoice.id).where(Claim.status != "cancelled")).all()
    claimed = sum((r.bonus_amount for r in rows), ZERO)
    accepted = sum(((r.amount_accepted if r.amount_accepted is not None else r.bonus_amount) for r in rows
                    if r.status in ("accepted", "paid") or r.amount_paid is not None), ZERO)
    paid = sum((r.amount_paid or ZERO for r in rows), ZERO)
    rejected = [r for r in rows if r.status == "rejected"]
    decided = [r for r in rows if r.status in ("accepted", "paid", "rejected")]
    outstanding = sum((max(r.bonus_amount - (r.amount_paid or ZERO), ZERO) for r in rows if r.status != "rejected"), ZERO)
    delays = [(r.paid_on - r.issued_on).days for r in rows if r.paid_on]
    months = _months(today)
    by_month = {m: ZERO for m in months}
    paid_by_month = {m: ZERO for m in months}
    for r in rows:
        key = r.issued_on.strftime("%Y-%m")
        if key in by_month:
            by_month[key] += r.bonus_amount
        if r.paid_on and r.paid_on.strftime("%Y-%m") in paid_by_month:
            paid_by_month[r.paid_on.strftime("%Y-%m")] += r.amount_paid or ZERO
    reasons = Counter()
    texts = db.session.execute(db.select(ClaimEvent.text).where(ClaimEvent.status_after == "rejected")).scalars().all()
    for text in texts:
        match = re.search(r"(\d\d) : ([^(;]+)", text or "")
        reasons[f"{match.group(1)} : {match.group(2).strip()}" if match else (text or _("sans motif"))[:80]] += 1
    since = dt.date(int(months[0][:4]), int(months[0][5:]), 1)
    orders = db.session.execute(db.select(RepairOrder.intake_on, RepairSite.name, User.first_name, User.last_name)
                                .outerjoin(RepairSite, RepairOrder.site_id == RepairSite.id)
                                .outerjoin(User, RepairOrder.technician_id == User.id)
                                .where(RepairOrder.intake_on >= since)).all()
    orders_by_month = Counter(o.intake_on.strftime("%Y-%m") for o in orders)
    by_site = Counter(o.name or _("sans lieu") for o in orders)
    by_tech = Counter(f"{o.first_name} {o.last_name}" if o.first_name else _("non attribué") for o in orders)
    from ..complaints.models import Complaint

    overdue = db.session.execute(db.select(Complaint).where(Complaint.answered_on.is_(None), Complaint.due_on < today)
                                 .order_by(Complaint.due_on)).scalars().all()
    return {
        "overdue_complaints": overdue,
        "claimed": claimed, "accepted": accepted, "paid": paid, "outstanding": outstanding,
        "rejection_rate": (len(rejected) / len(decided)) if decided else None, "rejected": len(rejected), "decided": len(decided),
        "reasons": reasons.most_common(5),
        "delay_days": round(sum(delays) / len(delays)) if delays else None,
        "charts": [
            Chart(_("Bonus demandé par mois de facture"), "€", [Bar(m, by_month[m]) for m in months]).scaled(),
            Chart(_("Bonus payé par mois"), "€", [Bar(m, paid_by_month[m]) for m in months]).scaled(),
            Chart(_("Dossiers pris en charge par mois"), "", [Bar(m, orders_by_month.get(m, 0)) for m in months]).scaled(),
            Chart(_("Dossiers par lieu (6 mois)"), "", [Bar(k, v) for k, v in by_site.most_common(8)]).scaled(),
            Chart(_("Dossiers par technicien (6 mois)"), "", [Bar(k, v) for k, v in by_tech.most_common(8)]).scaled(),
        ],
    }


def support(today: dt.date | None = None) -> dict:
    """Claims to correct, refusals to handle, payments late or unmatched."""
    from ..claims import payments

    to_fix = db.session.execute(db.select(Claim, Invoice.number).join(Invoice, Claim.invoice_id == Invoice.id)
                                .where(Claim.status.in_(("needs_attention", "incomplete", "rejected")))
                                .order_by(Claim.step_at).limit(50)).all()
    control = payments.control(today)
    late = [r for r in control if r.category == "late"]
    unmatched = db.session.execute(db.select(db.func.count(ClaimPayment.id)).where(ClaimPayment.claim_id.is_(None))).scalar_one()
    return {"attention": [(c, n) for c, n in to_fix if c.status != "rejected"], "rejected": [(c, n) for c, n in to_fix if c.status == "rejected"],
            "late": late, "late_amount": sum((r.claim.bonus_amount for r in late), ZERO), "unmatched": unmatched,
            "ageing": payments.ageing(control)}


def technician(user_id: int, today: dt.date | None = None) -> dict:
    """Today's orders, the ones whose checklist is not finished, the returns assigned."""
    from ..checklists import services as checklists

    today = today or dt.date.today()
    mine = db.select(RepairOrder, Customer.last_name, Appliance.brand_name).join(Customer, RepairOrder.customer_id == Customer.id) \
        .join(Appliance, RepairOrder.appliance_id == Appliance.id) \
        .where(RepairOrder.status.in_(ACTIVE), (RepairOrder.technician_id == user_id) | RepairOrder.technician_id.is_(None))
    active = db.session.execute(mine.order_by(RepairOrder.intake_on, RepairOrder.id).limit(100)).all()
    today_rows = [row for row in active if row[0].intake_on == today]
    unfinished = []
    for row in active:
        order = row[0]
        phase = "checkout" if order.status in (states.REPAIR, states.READY) else "checkin"
        left = checklists.missing(order, phase)
        if left:
            unfinished.append((row, phase, len(left)))
    returns = [row for row in active if row[0].warranty_of_id]
    return {"today": today_rows, "unfinished": unfinished[:20], "returns": returns}
