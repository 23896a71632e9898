"""The audit pack page: a period, then one zip to download (owner and support)."""
from __future__ import annotations

import tempfile

from flask import Response, flash, send_file
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired

from ..audit import note
from ..extensions import db
from ..core.forms import DayField
from ..permissions import allow
from ..files.models import StoredFile
from ..files.storage import get_storage
from ..rendering import redirect_to, render
from ..shops.models import Shop
from ..tenancy import current_shop_id
from . import bp, period, services
from .build import audit_changes, build, filename
from .models import AuditPack
from .parts import bons

READERS = ("owner", "support")
CHUNK = 64 * 1024
SPOOL_IN_MEMORY = 8 * 1024 * 1024  # a bigger zip goes to a temporary file on disk


class PeriodForm(FlaskForm):
    date_from = DayField(_l("Du"), validators=[DataRequired(_l("Indiquez la date de début de la période."))])
    date_to = DayField(_l("Au"), validators=[DataRequired(_l("Indiquez la date de fin de la période."))])
    bons = BooleanField(_l("Inclure les bons en PDF"))


def _page(form: PeriodForm, status: int = 200):
    packs = db.session.execute(db.select(AuditPack).order_by(AuditPack.id.desc()).limit(10)).scalars().all()
    return render("auditpack/index.html", form=form, status=status, max_days=period.MAX_DAYS,
                  bons_days=period.BONS_BY_DEFAULT_DAYS, max_bons=bons.MAX_RENDERED_BONS, packs=packs)


@bp.get("/")
@allow(*READERS)
def index():
    period_from, period_to = period.previous_quarter()
    form = PeriodForm(date_from=period_from, date_to=period_to, bons=period.bons_by_default(period_from, period_to))
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
        period.check_period(period_from, period_to)
    except period.PeriodError as exc:
        form.date_to.errors = [*form.date_to.errors, str(exc)]
        return _page(form, 422)
    if form.bons.data:
        to_render = bons.count_bons_to_render(period_from, period_to)
        if to_render > bons.MAX_RENDERED_BONS:
            # Too long to wait for in the browser: a worker builds it, its page follows it.
            pack = services.request_pack(period_from, period_to, True, current_user)
            flash(_("%(n)s bons sont à produire : le dossier est préparé en arrière-plan. Vous serez prévenu "
                    "(cloche du menu) quand il sera prêt ; vous pouvez quitter cette page.", n=to_render), "info")
            return redirect_to("auditpack.pack", pack_id=pack.id)
    shop = db.session.get(Shop, current_shop_id())
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY, suffix=".zip")
    try:
        summary = build(period_from, period_to, spool, include_bons=bool(form.bons.data),
                        generated_by=f"{current_user.display_name} ({current_user.email})")
        size = spool.tell()
    except Exception:
        spool.close()
        raise
    note(shop, "audit_pack_downloaded", audit_changes(summary, period_from, period_to))
    db.session.commit()
    name = filename(shop, period_from, period_to)
    resp = Response(_stream(spool), mimetype="application/zip", direct_passthrough=True)
    resp.headers["Content-Length"] = str(size)
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    resp.headers["Cache-Control"] = "private, no-store"
    resp.call_on_close(spool.close)
    return resp


@bp.get("/dossiers/<int:pack_id>")
@allow(*READERS)
def pack(pack_id: int):
    """A pack built by a worker: where it stands (the fragment refreshes itself), then its download."""
    item = db.get_or_404(AuditPack, pack_id)
    return render("auditpack/pack.html", "auditpack/_pack.html", pack=item, keep_days=services.PACK_KEEP_DAYS)


@bp.get("/dossiers/<int:pack_id>/fichier")
@allow(*READERS)
def pack_file(pack_id: int):
    item = db.get_or_404(AuditPack, pack_id)
    stored = db.session.get(StoredFile, item.file_id) if item.status == services.READY and item.file_id else None
    if stored is None:
        flash(_("Ce dossier n'est pas (ou plus) disponible."), "warning")
        return redirect_to("auditpack.pack", pack_id=item.id)
    try:
        handle = get_storage().open(stored.storage_key)
    except FileNotFoundError:
        flash(_("Ce dossier n'est pas (ou plus) disponible."), "warning")
        return redirect_to("auditpack.pack", pack_id=item.id)
    resp = send_file(handle, mimetype="application/zip", as_attachment=True,
                     download_name=stored.original_name, max_age=0, conditional=False)
    resp.content_length = stored.size
    resp.headers["Cache-Control"] = "private, no-store"
    return resp
