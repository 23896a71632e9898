"""Running the control points of an order: which points apply, saving an answer, what is missing,
and the guard that blocks the order's transitions until the mandatory points are answered."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_login import current_user

from ..core.refusal import Refusal
from ..audit import utcnow
from ..catalog.models import ProductType
from ..extensions import db
from ..files.images import store_photo
from ..files.services import UploadRejected
from ..repairs import states
from ..repairs.models import Appliance, RepairOrder
from . import defaults
from .models import PHASES, ChecklistTemplate, ControlAnswer, ControlPoint

PHOTO_MAX_BYTES = 12 * 1024 * 1024
# Which phase must be complete before an action (check-in before any intervention, check-out
# before the appliance is declared ready).
REQUIRED_BEFORE = {"start_diagnosis": "checkin", "finish": "checkout"}
GENERIC = "GENERIC"  # the template of products without a fiche métier


class AnswerRefused(Refusal, ValueError):
    """The answer cannot be saved; the message is for the technician, in French."""


def fiche_of(order: RepairOrder) -> str | None:
    appliance = db.session.get(Appliance, order.appliance_id)
    product = db.session.get(ProductType, appliance.product_type_id) if appliance.product_type_id else None
    return product.fiche_code if product else None


def template_for(fiche_code: str | None, phase: str) -> ChecklistTemplate:
    """The shop's template, created from the defaults the first time it is needed."""
    fiche_code = fiche_code or GENERIC
    template = db.session.execute(db.select(ChecklistTemplate).where(
        ChecklistTemplate.fiche_code == fiche_code, ChecklistTemplate.phase == phase)).scalar_one_or_none()
    if template is None:
        template = ChecklistTemplate(fiche_code=fiche_code, phase=phase)
        template.points = [ControlPoint(position=i, **spec) for i, spec in enumerate(defaults.points(fiche_code, phase))]
        db.session.add(template)
        db.session.commit()
    return template


@dataclass
class Row:
    point: ControlPoint
    answer: ControlAnswer | None


def rows(order: RepairOrder, phase: str) -> list[Row]:
    """The template's active points, plus the retired ones this order answered before they were
    retired (its report keeps them), in the template's order."""
    template = template_for(fiche_of(order), phase)
    points = db.session.execute(db.select(ControlPoint).where(ControlPoint.template_id == template.id)).scalars().all()
    answers = {a.point_id: a for a in db.session.execute(db.select(ControlAnswer).where(
        ControlAnswer.order_id == order.id, ControlAnswer.point_id.in_([p.id for p in points]))).scalars()}
    shown = sorted((p for p in points if p.active or p.id in answers), key=lambda p: (p.position, not p.active, p.id))
    return [Row(p, answers.get(p.id)) for p in shown]


def missing(order: RepairOrder, phase: str) -> list[str]:
    """Labels of the mandatory active points not answered yet (a retired point never is missing)."""
    return [r.point.label for r in rows(order, phase) if r.point.active and r.point.mandatory and r.answer is None]


def _parse_measure(raw: str) -> Decimal:
    try:
        value = Decimal((raw or "").replace(",", ".").replace(" ", "").replace("\u00a0", ""))
        if not value.is_finite():
            raise InvalidOperation
        return value
    except InvalidOperation:
        raise AnswerRefused(_("Valeur mesurée invalide : écrivez un nombre, par exemple 0,25.")) from None


def answer(order: RepairOrder, point: ControlPoint, raw: str | None, upload=None) -> ControlAnswer:
    """Validate and save one answer (replacing the previous one)."""
    if order.status in states.FINAL:
        raise AnswerRefused(_("Ce dossier est clos : ses contrôles ne changent plus."))
    raw = (raw or "").strip()
    row = db.session.execute(db.select(ControlAnswer).where(
        ControlAnswer.order_id == order.id, ControlAnswer.point_id == point.id)).scalar_one_or_none()
    new = row or ControlAnswer(order_id=order.id, point_id=point.id)
    number, out, file_id = None, False, new.file_id
    if point.kind == "yes_no":
        if raw not in ("oui", "non"):
            raise AnswerRefused(_("Répondez oui ou non."))
        out = raw == "non"
    elif point.kind == "measure":
        number = _parse_measure(raw)
        out = (point.min_value is not None and number < point.min_value) or (point.max_value is not None and number > point.max_value)
    elif point.kind == "choice":
        if raw not in (point.choices or []):
            raise AnswerRefused(_("Choisissez une des réponses proposées."))
    elif point.kind == "text":
        if not raw:
            raise AnswerRefused(_("Écrivez une réponse."))
    elif point.kind == "photo":
        if upload is None or not getattr(upload, "filename", ""):
            raise AnswerRefused(_("Prenez ou choisissez une photo."))
        try:
            file_id = store_photo(upload, PHOTO_MAX_BYTES, "control_photo").id
        except UploadRejected as exc:
            raise AnswerRefused(str(exc)) from exc
        raw = upload.filename
    new.value, new.number, new.out_of_limits, new.file_id = raw, number, bool(out), file_id
    new.answered_by_id = current_user.id if current_user and current_user.is_authenticated else None
    new.answered_at = utcnow()
    db.session.add(new)
    db.session.commit()
    return new


def phase_due(order: RepairOrder, phase: str, answered: bool = False) -> bool:
    """Whether the order had to have this phase done by now (`answered`: some of its points are):
    check-in before any intervention (the order left intake), check-out before it was declared repaired."""
    if phase == "checkin":
        return order.status not in (states.INTAKE, states.ABANDONED) or answered
    return order.repaired_at is not None


def guard(order: RepairOrder, action: str) -> None:
    """Refuse a transition while the mandatory points of the phase it needs are unanswered."""
    phase = REQUIRED_BEFORE.get(action)
    if phase:
        gaps = missing(order, phase)
        if gaps:
            raise states.ChecklistIncomplete(str(PHASES[phase]), gaps)


# --- The owner's editing of a template -------------------------------------------------------------

class PointLocked(Refusal, ValueError):
    """The change would alter what past orders answered; the message is for the owner, in French."""


def active_points(template: ChecklistTemplate) -> list[ControlPoint]:
    return db.session.execute(db.select(ControlPoint).where(
        ControlPoint.template_id == template.id, ControlPoint.active.is_(True)).order_by(
        ControlPoint.position, ControlPoint.id)).scalars().all()


def counts(fiche_code: str, phase: str) -> tuple[int, int]:
    """(points, mandatory points) of a template; from the defaults while the shop has not used it,
    so that looking at the list creates nothing."""
    template = db.session.execute(db.select(ChecklistTemplate).where(
        ChecklistTemplate.fiche_code == fiche_code, ChecklistTemplate.phase == phase)).scalar_one_or_none()
    specs = ([dict(mandatory=p.mandatory) for p in active_points(template)] if template is not None
             else defaults.points(fiche_code, phase))
    return len(specs), sum(1 for spec in specs if spec.get("mandatory"))


def has_answers(point: ControlPoint) -> bool:
    return db.session.execute(db.select(ControlAnswer.id).where(ControlAnswer.point_id == point.id).limit(1)).first() is not None


def _renumber(points: list[ControlPoint]) -> None:
    for position, point in enumerate(points):
        if point.position != position:
            point.position = position


def add_point(template: ChecklistTemplate, values: dict) -> ControlPoint:
    """A new point at the end of the template."""
    points = active_points(template)
    point = ControlPoint(template_id=template.id, position=len(points), active=True, **values)
    db.session.add(point)
    _renumber(points)
    db.session.commit()
    return point


def update_point(point: ControlPoint, values: dict) -> ControlPoint:
    """Change a point in place (past answers keep pointing at it); its kind is fixed once answered,
    since the answers already given would no longer make sense."""
    if values.get("kind", point.kind) != point.kind and has_answers(point):
        raise PointLocked(_("Ce point a déjà des réponses : son type ne peut plus changer. "
                            "Retirez-le et ajoutez un nouveau point."))
    # What the past answers mean (their unit, the limits they were judged by, the options offered)
    # cannot change under them: the reports already given would say something else.
    meaning = ("unit", "min_value", "max_value", "choices")
    if any(name in values and values[name] != getattr(point, name) for name in meaning) and has_answers(point):
        raise PointLocked(_("Ce point a déjà des réponses : son unité, ses limites et ses choix ne peuvent plus changer. "
                            "Retirez-le et ajoutez un nouveau point."))
    for name, value in values.items():
        setattr(point, name, value)
    db.session.commit()
    return point


def move_point(point: ControlPoint, step: int) -> None:
    """Swap the point with its neighbour among the active points (step -1: up, +1: down)."""
    template = db.session.get(ChecklistTemplate, point.template_id)
    points = active_points(template)
    index = points.index(point)
    target = index + step
    if 0 <= target < len(points):
        points[index], points[target] = points[target], points[index]
    _renumber(points)
    db.session.commit()


def retire_point(point: ControlPoint) -> bool:
    """Take the point off the template. Answered: kept, inactive, for the orders that answered it
    (True). Never answered: deleted (False). The active points stay numbered 0, 1, 2..."""
    template = db.session.get(ChecklistTemplate, point.template_id)
    kept = has_answers(point)
    if kept:
        point.active = False
    else:
        db.session.delete(point)
    db.session.flush()
    _renumber([p for p in active_points(template) if p.id != point.id])
    db.session.commit()
    return kept
