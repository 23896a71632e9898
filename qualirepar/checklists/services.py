"""Running the control points of an order: which points apply, saving an answer, what is missing,
and the guard that blocks the order's transitions until the mandatory points are answered."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_login import current_user

from ..audit import utcnow
from ..catalog.models import ProductType
from ..extensions import db
from ..files.services import UploadRejected, store_upload
from ..repairs import states
from ..repairs.models import Appliance, RepairOrder
from . import defaults
from .models import PHASES, ChecklistTemplate, ControlAnswer, ControlPoint

PHOTO_MAX_BYTES = 12 * 1024 * 1024
# Which phase must be complete before an action (check-in before any intervention, check-out
# before the appliance is declared ready).
REQUIRED_BEFORE = {"start_diagnosis": "checkin", "finish": "checkout"}


class AnswerRefused(ValueError):
    """The answer cannot be saved; the message is for the technician, in French."""


def fiche_of(order: RepairOrder) -> str | None:
    appliance = db.session.get(Appliance, order.appliance_id)
    product = db.session.get(ProductType, appliance.product_type_id) if appliance.product_type_id else None
    return product.fiche_code if product else None


def template_for(fiche_code: str | None, phase: str) -> ChecklistTemplate:
    """The shop's template, created from the defaults the first time it is needed."""
    fiche_code = fiche_code or "GENERIC"
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
    template = template_for(fiche_of(order), phase)
    answers = {a.point_id: a for a in db.session.execute(db.select(ControlAnswer).where(
        ControlAnswer.order_id == order.id, ControlAnswer.point_id.in_([p.id for p in template.points]))).scalars()}
    return [Row(p, answers.get(p.id)) for p in template.points]


def missing(order: RepairOrder, phase: str) -> list[str]:
    return [r.point.label for r in rows(order, phase) if r.point.mandatory and r.answer is None]


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
            file_id = _store_photo(upload).id
        except UploadRejected as exc:
            raise AnswerRefused(str(exc)) from exc
        raw = upload.filename
    new.value, new.number, new.out_of_limits, new.file_id = raw, number, bool(out), file_id
    new.answered_by_id = current_user.id if current_user and current_user.is_authenticated else None
    new.answered_at = utcnow()
    db.session.add(new)
    db.session.commit()
    return new


def _store_photo(upload):
    from ..files.images import normalise_photo

    data = normalise_photo(upload.read(PHOTO_MAX_BYTES + 1), PHOTO_MAX_BYTES)
    from ..files.services import store_bytes

    row = store_bytes(data, upload.filename or "photo.jpg", "control_photo", {"image/jpeg", "image/png"}, PHOTO_MAX_BYTES)
    db.session.flush()
    return row


def guard(order: RepairOrder, action: str) -> None:
    """Refuse a transition while the mandatory points of the phase it needs are unanswered."""
    phase = REQUIRED_BEFORE.get(action)
    if phase:
        gaps = missing(order, phase)
        if gaps:
            raise states.ChecklistIncomplete(str(PHASES[phase]), gaps)
