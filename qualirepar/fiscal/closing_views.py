"""The owner's closings page (Paramètres → Clôtures et archives): the closings done, «Clôturer la
journée», each closing's Z report, the fiscal year's last day, the archives and «Archiver»."""
from __future__ import annotations

from flask import Blueprint, request
from flask_babel import gettext as _
from flask_login import current_user

from ..core.clock import paris_today
from ..extensions import db
from ..files.models import StoredFile
from ..files.storage import get_storage
from ..permissions import allow
from ..rendering import pdf_response, redirect_to, refusals, render
from ..tenancy import current_shop_id
from . import archive, closings, kinds, settings
from .closing_models import FiscalArchive, FiscalClosing
from .journal import closed_until
from .zreport import render_zreport

bp = Blueprint("closings", __name__, url_prefix="/parametres/clotures")


@bp.get("")
@allow("owner")
def index():
    """The closings (days, months, years), the archives, the fiscal year's end."""
    shop_id = current_shop_id()
    rows = {kind: closings.listing(shop_id, kind, limit=31 if kind == kinds.CLOSING_DAY else 24) for kind in kinds.CLOSINGS}
    closed, today = closed_until(shop_id), paris_today()
    archived = {(a.period_start, a.period_end) for a in archive.listing(shop_id)}
    return render("fiscal/closings.html", rows=rows, closed=closed, today=today, today_closed=closed is not None and closed >= today,
                  labels=kinds.LABELS, kinds=kinds, year_end=settings.settings_of(shop_id), month_names=settings.MONTH_NAMES,
                  archives=archive.listing(shop_id), archived=archived,
                  to_archive=[c for c in rows[kinds.CLOSING_YEAR] + rows[kinds.CLOSING_MONTH]
                              if (c.period_start, c.period_end) not in archived])


@bp.post("/journee")
@allow("owner")
def close_day():
    """«Clôturer la journée»: today (and the days before not closed yet); nothing can be recorded today afterwards."""
    with refusals("closings.index"):
        made = closings.close_today(current_shop_id(), current_user.id)
    if not made:
        return redirect_to("closings.index", message=_("La journée est déjà clôturée."), category="info")
    day = next(c for c in made if c.kind == kinds.CLOSING_DAY and c.period_end == max(m.period_end for m in made))
    return redirect_to("closings.index", message=_("Journée du %(d)s clôturée : %(n)s clôture(s) faite(s).",
                                                   d=day.period_end.strftime("%d/%m/%Y"), n=len(made)), category="success")


@bp.get("/<int:closing_id>/rapport-z.pdf")
@allow("owner")
def zreport(closing_id: int):
    closing = db.get_or_404(FiscalClosing, closing_id)
    return pdf_response(render_zreport(closing), f"rapport-z-{closing.period_end:%Y%m%d}.pdf")


@bp.post("/exercice")
@allow("owner")
def year_end():
    """The fiscal year's last day (day and month)."""
    with refusals("closings.index"):
        settings.save(current_shop_id(), request.form.get("month", type=int) or 0, request.form.get("day", type=int) or 0)
    return redirect_to("closings.index", message=_("Fin d'exercice enregistrée."), category="success")


@bp.post("/archives")
@allow("owner")
def make_archive():
    """Archive a closed month or fiscal year (the closing named by the form)."""
    closing = db.get_or_404(FiscalClosing, request.form.get("closing", type=int) or 0)
    if closing.kind == kinds.CLOSING_DAY:
        return redirect_to("closings.index", message=_("On archive un mois ou un exercice clos."), category="warning")
    with refusals("closings.index"):
        made = archive.build_archive(current_shop_id(), closing.period_start, closing.period_end,
                                     archive.YEAR if closing.kind == kinds.CLOSING_YEAR else archive.MONTH, current_user.id)
    return redirect_to("closings.index", message=_("Archive du %(a)s au %(b)s signée et conservée.",
                                                   a=made.period_start.strftime("%d/%m/%Y"), b=made.period_end.strftime("%d/%m/%Y")),
                       category="success")


@bp.get("/archives/<int:archive_id>.zip")
@allow("owner")
def download_archive(archive_id: int):
    row = db.get_or_404(FiscalArchive, archive_id)
    stored = db.get_or_404(StoredFile, row.file_id)
    resp = pdf_response(get_storage().read(stored.storage_key), stored.original_name, download=True)
    resp.headers["Content-Type"] = "application/zip"
    return resp

