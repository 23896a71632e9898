"""The e-reporting page: a month's B2C figures, the periods the shop's VAT regime sets with their
deadlines, their exports (CSV, JSON) and their transmission through the plateforme agréée."""
from __future__ import annotations

import datetime as dt

from flask import Response, abort, flash, request
from flask_babel import gettext as _

from ..core.clock import paris_today
from ..extensions import db
from ..files.services import store_checked
from ..permissions import allow
from ..rendering import redirect_to, render
from ..shops.models import Shop
from ..tenancy import current_shop_id
from . import ereporting, periods
from .blueprint import bp
from .pa.base import EREPORT
from .settings import settings_for
from .transmissions import Transmission, transmit_file

VIEWERS = ("owner", "support")


def _month(value: str | None, today: dt.date) -> dt.date:
    try:
        return dt.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return today.replace(day=1)


def _flows(option_debits: bool) -> tuple[str, ...]:
    # CGI art. 290 A: payment data only for services whose VAT is due on receipt (no option for the debits)
    return (periods.TRANSACTIONS,) if option_debits else (periods.TRANSACTIONS, periods.PAYMENTS)


def _period(flow: str, start: str) -> periods.Period:
    settings = settings_for(current_shop_id())
    if flow not in _flows(settings.option_debits):
        abort(404)
    try:
        day = dt.date.fromisoformat(start)
    except ValueError:
        abort(404)
    period = periods.period_of(day, settings.vat_regime, flow)
    if period.start != day:
        abort(404)
    return period


@bp.get("/facturation-electronique/e-reporting")
@allow(*VIEWERS)
def ereporting_page():
    """A month's sales to private customers by category and rate, the periods and the next deadline."""
    today = paris_today()
    month = _month(request.args.get("mois"), today)
    settings = settings_for(current_shop_id())
    flows = _flows(settings.option_debits)
    end = periods.last_day(month.year, month.month)
    whole = periods.Period(periods.TRANSACTIONS, periods.MONTH, month, end, end)
    blocks = []
    for flow in flows:
        rows = []
        for p in periods.periods_in_month(month.year, month.month, settings.vat_regime, flow):
            sent = db.session.execute(db.select(Transmission).where(Transmission.subject == f"ereport:{p.key}")).scalar_one_or_none()
            rows.append((p, ereporting.report(p), sent))
        blocks.append((flow, periods.FLOW_LABELS[flow], periods.FREQUENCY_LABELS[periods.FREQUENCIES[(settings.vat_regime, flow)]], rows))
    payments_month = ereporting.payments(periods.Period(periods.PAYMENTS, periods.MONTH, month, end, end)) if len(flows) > 1 else None
    previous = (month - dt.timedelta(days=1)).replace(day=1)
    following = (end + dt.timedelta(days=1))
    return render("einvoice/ereporting.html", month=month, settings=settings, month_report=ereporting.transactions(whole),
                  payments_month=payments_month, blocks=blocks, today=today,
                  next_period=periods.next_deadline(today, settings.vat_regime, flows),
                  previous=previous, following=following if following <= today else None,
                  categories=ereporting.CATEGORY_LABELS, flow_labels=periods.FLOW_LABELS)


@bp.get("/facturation-electronique/e-reporting/<flow>/<start>.<fmt>")
@allow(*VIEWERS)
def ereporting_export(flow: str, start: str, fmt: str):
    """One period's data as CSV (French conventions) or JSON (docs/e-reporting.md)."""
    period = _period(flow, start)
    rep = ereporting.report(period)
    name = f"e-reporting-{flow}-{period.start.isoformat()}"
    if fmt == "csv":
        body, mimetype = ereporting.as_csv(rep), "text/csv; charset=utf-8"
    elif fmt == "json":
        body, mimetype = ereporting.as_json(rep, db.session.get(Shop, current_shop_id())), "application/json"
    else:
        abort(404)
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


@bp.post("/facturation-electronique/e-reporting/<flow>/<start>/transmettre")
@allow("owner")
def ereporting_transmit(flow: str, start: str):
    """Deposit an ended period's data at the plateforme agréée (once: a period is one transmission)."""
    period = _period(flow, start)
    back = {"mois": period.end.strftime("%Y-%m")}
    if period.end >= paris_today():
        flash(_("La période %(p)s n'est pas terminée : ses données se transmettent à partir du lendemain de sa fin.",
                p=period.label), "danger")
        return redirect_to("einvoice.ereporting_page", **back)
    subject = f"ereport:{period.key}"
    if db.session.execute(db.select(Transmission.id).where(Transmission.subject == subject)).first():
        flash(_("Les données de cette période sont déjà transmises."), "warning")
        return redirect_to("einvoice.ereporting_page", **back)
    body = ereporting.as_json(ereporting.report(period), db.session.get(Shop, current_shop_id()))
    name = f"e-reporting-{flow}-{period.start.isoformat()}.json"
    stored = store_checked(body, name, "ereporting", "application/json", ".json")
    db.session.flush()
    transmit_file(EREPORT, subject, name, stored.id, current_shop_id())
    flash(_("Données de la période %(p)s confiées à la plateforme agréée.", p=period.label), "success")
    return redirect_to("einvoice.ereporting_page", **back)
