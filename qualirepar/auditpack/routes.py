"""The audit pack page: a period, then one zip to download (owner and support)."""
from __future__ import annotations

import tempfile

from flask import Response
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField
from wtforms.validators import DataRequired

from ..audit import note
from ..extensions import db
from ..permissions import allow
from ..rendering import render
from ..shops.models import Shop
from ..tenancy import current_shop_id
from . import bp, services

READERS = ("owner", "support")
CHUNK = 64 * 1024
SPOOL_IN_MEMORY = 8 * 1024 * 1024  # a bigger zip goes to a temporary file on disk


class PeriodForm(FlaskForm):
    date_from = DateField(_l("Du"), validators=[DataRequired(_l("Indiquez la date de début de la période."))])
    date_to = DateField(_l("Au"), validators=[DataRequired(_l("Indiquez la date de fin de la période."))])
    bons = BooleanField(_l("Inclure les bons en PDF"))


def _page(form: PeriodForm, status: int = 200):
    return render("auditpack/index.html", form=form, status=status, max_days=services.MAX_DAYS,
                  bons_days=services.BONS_BY_DEFAULT_DAYS, max_bons=services.MAX_RENDERED_BONS)


@bp.get("/")
@allow(*READERS)
def index():
    period_from, period_to = services.previous_quarter()
    form = PeriodForm(date_from=period_from, date_to=period_to, bons=services.bons_by_default(period_from, period_to))
    return _page(form)


def _stream(spool, chunk: int = CHUNK):
    try:
        spool.seek(0)
        while True:
            data = spool.read(chunk)
            if not data:
                break
            yield data
    finally:
        spool.close()


@bp.post("/telecharger")
@allow(*READERS)
def download():
    """Build the zip into a temporary file (memory first, disk beyond a few MB) and send it in chunks."""
    form = PeriodForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    period_from, period_to = form.date_from.data, form.date_to.data
    try:
        services.check_period(period_from, period_to)
    except services.PeriodError as exc:
        form.date_to.errors = [*form.date_to.errors, str(exc)]
        return _page(form, 422)
    if form.bons.data:
        to_render = services.count_bons_to_render(period_from, period_to)
        if to_render > services.MAX_RENDERED_BONS:
            form.bons.errors = [_("%(n)s bons à produire pour cette période : c'est trop pour un téléchargement immédiat "
                                  "(%(max)s au plus). Choisissez une période plus courte, ou décochez « inclure les bons en PDF ».",
                                  n=to_render, max=services.MAX_RENDERED_BONS)]
            return _page(form, 422)
    shop = db.session.get(Shop, current_shop_id())
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY, suffix=".zip")
    try:
        summary = services.build(period_from, period_to, spool, include_bons=bool(form.bons.data),
                                 generated_by=f"{current_user.display_name} ({current_user.email})")
        size = spool.tell()
    except Exception:
        spool.close()
        raise
    note(shop, "audit_pack_downloaded", {
        "period": (None, f"{period_from.isoformat()} / {period_to.isoformat()}"),
        "files": (None, {part.name: part.rows for part in summary.parts}),
        "bons": (None, summary.bons_copied + summary.bons_rendered if summary.bons_included else None),
    })
    db.session.commit()
    name = services.filename(shop, period_from, period_to)
    resp = Response(_stream(spool), mimetype="application/zip", direct_passthrough=True)
    resp.headers["Content-Length"] = str(size)
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    resp.headers["Cache-Control"] = "private, no-store"
    resp.call_on_close(spool.close)
    return resp
