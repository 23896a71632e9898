"""The owner's FEC page: the chart of accounts, a period, what it holds, and the download."""
from __future__ import annotations

from flask import Response, flash, request, stream_with_context
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..permissions import allow
from ..rendering import redirect_to, refusals, render
from ..shops.models import Shop
from ..tenancy import current_shop_id
from . import accounts, bp, export, services
from .forms import ChartForm, PeriodForm


def _page(chart_form: ChartForm | None = None, value: str | None = None, status: int = 200):
    shop_id = current_shop_id()
    form = PeriodForm(formdata=None)
    form.period.choices = services.choices(shop_id)
    form.period.data = value if value in dict(form.period.choices) else services.default_period(shop_id)
    start, end = services.bounds(shop_id, form.period.data)
    shop = db.session.get(Shop, shop_id)
    return render("fec/index.html", form=form, chart_form=chart_form or ChartForm.filled(accounts.chart(shop_id)),
                  summary=export.summary(shop_id, start, end), start=start, end=end, siren=services.siren(shop),
                  columns=export.COLUMNS, status=status)


@bp.get("/fec")
@allow("owner")
def index():
    """The chart of accounts and the period to export (a month or a fiscal year)."""
    return _page(value=request.args.get("period"))


@bp.post("/fec/plan-comptable")
@allow("owner")
def save_chart():
    """Save the chart: every account checked, none saved if one is refused."""
    form = ChartForm.filled(accounts.chart(current_shop_id()), formdata=request.form)
    if not form.validate():
        return _page(form, request.form.get("period"), status=422)
    changed = accounts.save(form.values())
    flash(_("Plan comptable enregistré (%(n)s compte(s) modifié(s)).", n=changed) if changed
          else _("Plan comptable inchangé."), "success")
    return redirect_to("fec.index", period=request.form.get("period") or None)


@bp.post("/fec/telecharger")
@allow("owner")
def download():
    """The FEC of the period, streamed (a year of a large shop never sits in memory)."""
    with refusals("fec.index"):  # no SIRET, or a period not offered: said on the page, nothing journaled
        prepared = services.prepare(current_shop_id(), request.form.get("period"), current_user.id)
    response = Response(stream_with_context(prepared.stream()), content_type=export.MIME)
    response.headers["Content-Disposition"] = f'attachment; filename="{prepared.filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
