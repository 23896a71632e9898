"""The explorer's screens: the query page (filters, columns, sort, pages), its exports, and the views
saved by a user for themself or for the whole shop."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import or_
from werkzeug.datastructures import MultiDict

from ..catalog.models import ProductType
from ..core.clock import paris_today
from ..extensions import db
from ..pagecache import cached_page
from ..permissions import allow
from ..rendering import redirect_to, render
from ..shops.models import RepairSite, User
from . import bp, export
from .datasets import DATASETS
from .models import SavedView
from .query import ORGANISMS, PER_PAGE, Spec, UnknownDataset, page, parse, raw_value

READERS = ("owner", "support")

# Built-in views: what the label's audit and the back office ask for most.
BUILT_IN = {
    "returns": {"name": _l("Retours sous 3 mois (référentiel § 6.1.5)"), "params": {"dataset": "returns"}},
    "set_aside": {"name": _l("Retours écartés (lien de garantie retiré)"),
                  "params": {"dataset": "returns", "set_aside": "1",
                             "cols": ["original", "handed_back_at", "number", "intake_on", "days", "customer", "product",
                                      "set_aside_reason"]}},
    "to_fix": {"name": _l("Demandes à traiter"),
               "params": {"dataset": "claims", "status": "to_fix", "sort": "invoice_date", "dir": "asc",
                          "cols": ["invoice", "invoice_date", "organism", "status", "bonus", "reason"]}},
    "unpaid": {"name": _l("Demandes impayées par ancienneté"),
               "params": {"dataset": "claims", "status": "unpaid", "sort": "age", "dir": "desc",
                          "cols": ["invoice", "invoice_date", "organism", "status", "bonus", "accepted", "age", "external_id"]}},
}


def _spec(args) -> Spec:
    try:
        return parse(args)
    except UnknownDataset:
        abort(404)


def _views() -> list[SavedView]:
    return db.session.execute(db.select(SavedView).where(or_(SavedView.owner_id == current_user.id, SavedView.shared))
                              .order_by(SavedView.name)).scalars().all()


def _choices() -> dict:
    return {
        "sites": db.session.execute(db.select(RepairSite.id, RepairSite.name).order_by(RepairSite.name)).all(),
        "technicians": db.session.execute(db.select(User.id, User.first_name, User.last_name).where(User.role != "support")
                                          .order_by(User.last_name, User.first_name)).all(),
        "families": db.session.execute(db.select(ProductType.family).distinct().order_by(ProductType.family)).scalars().all(),
    }


@bp.get("/")
@allow(*READERS)
@cached_page
def index():
    spec = _spec(request.args)
    rows, total = ([], 0) if spec.errors else page(spec)
    today = paris_today()
    cells = [[(c, export.text(c, raw_value(c, row, today))) for c in spec.chosen] for row in rows]
    view = None
    view_id = request.args.get("view", type=int)
    if view_id:
        view = db.session.get(SavedView, view_id)
        if view and not (view.shared or view.owner_id == current_user.id):
            view = None
    pages = -(-total // spec.per_page) if total else 1
    # htmx gets the rows only: the form around them is already on the page
    return render("explorer/index.html", "explorer/_results.html", spec=spec, rows=rows, cells=cells, total=total,
                  per_page_choices=PER_PAGE, pages=pages,
                  page_context=lambda: dict(datasets=DATASETS, built_in=BUILT_IN, views=_views(), view=view,
                                            organisms=ORGANISMS, **_choices()))


def _export(extension: str, mimetype: str, body) -> Response:
    """The view's rows as a download; bad filters go back to the page, which shows why."""
    spec = _spec(request.args)
    if spec.errors:
        for error in spec.errors:
            flash(error, "danger")
        return redirect(url_for("explorer.index", **request.args.to_dict(flat=False)), 303)
    today = paris_today()
    resp = Response(stream_with_context(body(spec, today)), mimetype=mimetype)
    resp.headers["Content-Disposition"] = f'attachment; filename="{export.filename(spec, extension, today)}"'
    resp.headers["Cache-Control"] = "private, no-store"
    return resp


@bp.get("/export.csv")
@allow(*READERS)
def export_csv():
    return _export("csv", "text/csv; charset=utf-8", export.csv_lines)


@bp.get("/export.xlsx")
@allow(*READERS)
def export_xlsx():
    return _export("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", export.xlsx_chunks)


@bp.post("/vues")
@allow(*READERS)
def save_view():
    """Save the current query under a name, for oneself or shared with the shop."""
    query = MultiDict()
    for key, value in request.form.items(multi=True):
        if key.startswith("q_"):
            query.add(key[2:], value)
    spec = _spec(query)
    params = spec.params(page=None)
    name = " ".join(request.form.get("name", "").split())
    if not name:
        flash(_("Donnez un nom à la vue pour l'enregistrer."), "danger")
    elif len(name) > 120:
        flash(_("Le nom de la vue est trop long (120 caractères au plus)."), "danger")
    elif spec.errors:
        flash(_("La vue n'est pas enregistrée : corrigez d'abord les filtres."), "danger")
    elif db.session.execute(db.select(SavedView.id).where(SavedView.owner_id == current_user.id, SavedView.name == name)).first():
        flash(_("Vous avez déjà une vue nommée « %(name)s ».", name=name), "danger")
    else:
        view = SavedView(name=name, dataset=spec.dataset.key, params=params, owner_id=current_user.id,
                         shared=request.form.get("shared") in ("1", "on"))
        db.session.add(view)
        db.session.commit()
        flash(_("Vue « %(name)s » enregistrée.", name=name) + (" " + _("Toute la boutique la voit.") if view.shared else ""), "success")
        return redirect(url_for("explorer.index", view=view.id, **params), 303)
    return redirect(url_for("explorer.index", **params), 303)


@bp.post("/vues/<int:view_id>/supprimer")
@allow(*READERS)
def delete_view(view_id: int):
    view = db.get_or_404(SavedView, view_id)
    if view.owner_id != current_user.id and current_user.role != "owner":
        if not view.shared:
            abort(404)
        flash(_("Seul son auteur ou le gérant peut supprimer une vue partagée."), "danger")
        return redirect_to("explorer.index", view=view.id, **view.params)
    name = view.name
    db.session.delete(view)
    db.session.commit()
    flash(_("Vue « %(name)s » supprimée.", name=name), "success")
    return redirect_to("explorer.index")
