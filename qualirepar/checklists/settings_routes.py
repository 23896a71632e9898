"""The owner's editing of the control point templates: one per fiche métier and phase."""
from __future__ import annotations

from flask import abort, flash, request
from flask_babel import gettext as _

from ..core.clock import paris_today
from ..extensions import db
from ..permissions import allow
from ..rendering import redirect_to, render
from ..shops.models import FICHES_METIER, FicheMetier
from . import services, settings_bp
from .forms import KIND_LABELS, PointForm
from .models import PHASES, ChecklistTemplate, ControlPoint

GENERIC = "GENERIC"  # products without a fiche métier (see services.template_for)


def fiche_label(code: str) -> str:
    return _("Autres produits (sans fiche métier)") if code == GENERIC else FICHES_METIER.get(code, code)


def _template(fiche_code: str, phase: str) -> ChecklistTemplate:
    if phase not in PHASES or (fiche_code != GENERIC and fiche_code not in FICHES_METIER):
        abort(404)
    return services.template_for(fiche_code, phase)


def _point(template: ChecklistTemplate, point_id: int) -> ControlPoint:
    """An active point of this template (another shop's point is not even found)."""
    point = db.get_or_404(ControlPoint, point_id)
    if point.template_id != template.id or not point.active:
        abort(404)
    return point


def _page(template: ChecklistTemplate, form: PointForm | None = None, editing: ControlPoint | None = None,
          fragment: str | None = None, status: int = 200):
    return render("checklists/settings_template.html", fragment, status=status, fiche_code=template.fiche_code,
                  phase=template.phase, fiche_label=fiche_label(template.fiche_code), phase_label=PHASES[template.phase],
                  points=services.active_points(template), form=form or PointForm(), editing=editing,
                  kind_labels=KIND_LABELS)


@settings_bp.get("")
@allow("owner")
def index():
    """Every template the shop uses or may use: its fiches métier valid today, and the generic one."""
    today = paris_today()
    codes = {f.code for f in db.session.execute(db.select(FicheMetier)).scalars() if f.is_valid_on(today)}
    codes |= set(db.session.execute(db.select(ChecklistTemplate.fiche_code)).scalars())  # already adapted
    ordered = [c for c in FICHES_METIER if c in codes] + [GENERIC]
    fiches = [dict(code=code, label=fiche_label(code),
                   phases=[(phase, label, *services.counts(code, phase)) for phase, label in PHASES.items()])
              for code in ordered]
    return render("checklists/settings_index.html", fiches=fiches)


@settings_bp.route("/<fiche_code>/<phase>", methods=["GET", "POST"])
@allow("owner")
def edit_template(fiche_code: str, phase: str):
    """The ordered points of one template; POST adds a point at the end."""
    template = _template(fiche_code, phase)
    form = PointForm()
    if request.method == "POST":
        if form.validate_on_submit():
            point = services.add_point(template, form.values())
            flash(_("Point ajouté."), "success")
            return redirect_to("checklist_settings.edit_template", fiche_code=fiche_code, phase=phase, _anchor=f"point-{point.id}")
        return _page(template, form, status=422)
    return _page(template, form)


@settings_bp.route("/<fiche_code>/<phase>/<int:point_id>", methods=["GET", "POST"])
@allow("owner")
def edit_point(fiche_code: str, phase: str, point_id: int):
    """Change one point, its form shown in place in the list."""
    template = _template(fiche_code, phase)
    point = _point(template, point_id)
    form = PointForm.for_point(point)
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                services.update_point(point, form.values())
            except services.PointLocked as exc:
                db.session.rollback()
                form.kind.errors = [*form.kind.errors, str(exc)]
            else:
                flash(_("Point modifié."), "success")
                return redirect_to("checklist_settings.edit_template", fiche_code=fiche_code, phase=phase,
                                   _anchor=f"point-{point.id}")
        return _page(template, form, editing=point, status=422)
    return _page(template, form, editing=point)


def _move(fiche_code: str, phase: str, point_id: int, step: int):
    template = _template(fiche_code, phase)
    services.move_point(_point(template, point_id), step)
    return redirect_to("checklist_settings.edit_template", fiche_code=fiche_code, phase=phase, _anchor=f"point-{point_id}",
                       htmx=lambda: _page(template, fragment="checklists/_settings_points.html"))


@settings_bp.post("/<fiche_code>/<phase>/<int:point_id>/monter")
@allow("owner")
def move_up(fiche_code: str, phase: str, point_id: int):
    """One place earlier in the checklist."""
    return _move(fiche_code, phase, point_id, -1)


@settings_bp.post("/<fiche_code>/<phase>/<int:point_id>/descendre")
@allow("owner")
def move_down(fiche_code: str, phase: str, point_id: int):
    """One place later in the checklist."""
    return _move(fiche_code, phase, point_id, +1)


@settings_bp.post("/<fiche_code>/<phase>/<int:point_id>/retirer")
@allow("owner")
def retire(fiche_code: str, phase: str, point_id: int):
    """Take a point off the template; the orders that already answered it keep it."""
    template = _template(fiche_code, phase)
    point = _point(template, point_id)
    label = point.label
    if services.retire_point(point):
        flash(_("« %(label)s » est retiré : il reste sur les dossiers qui l'ont déjà renseigné.", label=label), "success")
    else:
        flash(_("« %(label)s » est supprimé.", label=label), "success")
    return redirect_to("checklist_settings.edit_template", fiche_code=fiche_code, phase=phase)
