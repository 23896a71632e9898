"""controles/<fiche>.csv and controles/synthese.csv: the control points of every order taken in
during the period, one point per line, per fiche métier; then per fiche and phase, how many orders
had the phase due and how many mandatory points are missing."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func

from ...catalog.models import ProductType
from ...checklists import defaults
from ...checklists.models import PHASES, ChecklistTemplate, ControlAnswer, ControlPoint
from ...checklists.services import GENERIC, phase_due
from ...core import csvfr
from ...extensions import db
from ...repairs.handback import OUT_OF_SERVICE, HandBack
from ...repairs.models import Appliance, RepairOrder
from ...shops.models import FICHES_METIER
from ..archive import Part
from ..period import in_period
from .reading import Names, batches

KIND_LABELS = {"yes_no": _l("oui / non"), "measure": _l("mesure"), "text": _l("texte"), "choice": _l("choix"), "photo": _l("photo")}
SYNTHESIS = "controles/synthese.csv"


@dataclass
class Point:
    """A control point as the report shows it: a row of the shop's template, or a default one
    (the shop never opened that checklist, so no template was created)."""

    id: int | None
    position: int
    label: str
    kind: str
    mandatory: bool
    unit: str | None = None
    min_value: Decimal | None = None
    max_value: Decimal | None = None
    active: bool = True
    safety: bool = False  # out of its limits, the appliance is not conform (checklists.safety)


def _point(p: ControlPoint) -> Point:
    return Point(p.id, p.position, p.label, p.kind, bool(p.mandatory), p.unit, p.min_value, p.max_value, bool(p.active),
                 bool(p.safety))


def fiche_label(code: str) -> str:
    return _("Autres produits (sans fiche métier)") if code == GENERIC else FICHES_METIER.get(code, code)


def _templates(fiche: str) -> dict[str, list[Point]]:
    """Per phase, the active points of the fiche's template (the defaults if the shop has none yet)."""
    out = {}
    for phase in PHASES:
        template = db.session.execute(db.select(ChecklistTemplate).where(
            ChecklistTemplate.fiche_code == fiche, ChecklistTemplate.phase == phase)).scalar_one_or_none()
        if template is None:
            out[phase] = [Point(None, i, spec["label"], spec["kind"], bool(spec.get("mandatory")), spec.get("unit"),
                                spec.get("min_value"), spec.get("max_value"), safety=bool(spec.get("safety")))
                          for i, spec in enumerate(defaults.points(fiche, phase))]
        else:
            out[phase] = [_point(p) for p in db.session.execute(db.select(ControlPoint).where(
                ControlPoint.template_id == template.id, ControlPoint.active.is_(True))).scalars()]
    return out


def _fiche_expr():
    return func.coalesce(ProductType.fiche_code, GENERIC)


def _fiches(period_from, period_to) -> list[str]:
    codes = set(db.session.execute(db.select(_fiche_expr()).select_from(RepairOrder)
                                   .join(Appliance, RepairOrder.appliance_id == Appliance.id)
                                   .outerjoin(ProductType, Appliance.product_type_id == ProductType.id)
                                   .where(in_period(RepairOrder.intake_on, period_from, period_to)).distinct()).scalars())
    return sorted(codes, key=lambda c: (c == GENERIC, c))


def _answer_text(point: Point, answer: ControlAnswer) -> str:
    if point.kind == "measure":
        return ""  # in the measured value column
    if point.kind == "photo":
        return _("photo jointe (%(name)s)", name=answer.value) if answer.value else _("photo jointe")
    return answer.value or ""


def _limits(point: Point) -> str:
    if point.min_value is None and point.max_value is None:
        return ""
    low = csvfr.number(point.min_value) if point.min_value is not None else "…"
    high = csvfr.number(point.max_value) if point.max_value is not None else "…"
    return f"{low} – {high}"


def _answers(batch: list[RepairOrder]) -> dict[tuple[int, str], list[tuple[ControlPoint, ControlAnswer]]]:
    """The answers of a batch of orders, by (order, phase)."""
    answers: dict[tuple[int, str], list[tuple[ControlPoint, ControlAnswer]]] = {}
    for answer, point, phase in db.session.execute(
            db.select(ControlAnswer, ControlPoint, ChecklistTemplate.phase)
            .join(ControlPoint, ControlAnswer.point_id == ControlPoint.id)
            .join(ChecklistTemplate, ControlPoint.template_id == ChecklistTemplate.id)
            .where(ControlAnswer.order_id.in_([o.id for o in batch]))):
        answers.setdefault((answer.order_id, phase), []).append((point, answer))
    return answers


def _shown(template: list[Point], given: dict) -> list[tuple[Point, ControlAnswer | None]]:
    """The template's points with the order's answers, plus retired points it answered, in the template's order."""
    shown = {p.id: (p, None) for p in template if p.id is not None}
    shown.update(given)
    points = list(shown.values()) + [(p, None) for p in template if p.id is None]
    points.sort(key=lambda pa: (pa[0].position, not pa[0].active, pa[0].id or 0))
    return points


def _state(point: Point, answer: ControlAnswer | None, due: bool) -> str:
    if answer is not None:
        return _("répondu") if point.active else _("répondu (point retiré depuis)")
    if point.mandatory and due:
        return _("manquant")
    return _("pas encore exigé") if point.mandatory else _("non renseigné (facultatif)")


def _line(order: RepairOrder, phase_label, point: Point, answer: ControlAnswer | None, state: str, names: Names) -> list:
    return [order.number, csvfr.day(order.intake_on), order.status_label, str(phase_label), point.position + 1,
            point.label, str(KIND_LABELS.get(point.kind, point.kind)), csvfr.yes(point.mandatory),
            _answer_text(point, answer) if answer else "",
            csvfr.number(answer.number) if answer else "", point.unit or "", _limits(point),
            csvfr.yes(answer.out_of_limits) if answer else "", names.user(answer.answered_by_id) if answer else "",
            csvfr.moment(answer.answered_at) if answer else "", state]


def _fiche(zf, names: Names, fiche: str, period_from, period_to) -> tuple[Part, dict]:
    """One fiche's file, and per phase its counts for the synthesis."""
    header = [_("N° dossier"), _("Date de prise en charge"), _("Statut du dossier"), _("Phase"), _("N° du point"), _("Point de contrôle"),
              _("Type"), _("Obligatoire"), _("Réponse"), _("Valeur mesurée"), _("Unité"), _("Limites"), _("Non conforme"),
              _("Répondu par"), _("Répondu le"), _("État")]
    templates = _templates(fiche)
    stats = {phase: {"orders": 0, "due": 0, "complete": 0, "incomplete": 0, "missing": 0, "unsafe": 0, "out_of_service": 0}
             for phase in PHASES}
    name = f"controles/{re.sub(r'[^A-Za-z0-9_-]', '_', fiche)}.csv"
    query = (db.select(RepairOrder).join(Appliance, RepairOrder.appliance_id == Appliance.id)
             .outerjoin(ProductType, Appliance.product_type_id == ProductType.id)
             .where(in_period(RepairOrder.intake_on, period_from, period_to), _fiche_expr() == fiche)
             .order_by(RepairOrder.intake_on, RepairOrder.id))
    with zf.csv(name, header) as out:
        for batch in batches(query, scalars=True):
            answers = _answers(batch)
            out_of_service = set(db.session.execute(db.select(HandBack.order_id).where(
                HandBack.order_id.in_([o.id for o in batch]), HandBack.outcome == OUT_OF_SERVICE)).scalars())
            for order in batch:
                for phase, phase_label in PHASES.items():
                    given = {point.id: (_point(point), answer) for point, answer in answers.get((order.id, phase), [])}
                    # a safety measure out of its limits: not conform, the phase counted (and incomplete)
                    unsafe = any(point.safety and answer.out_of_limits for point, answer in given.values())
                    due = phase_due(order, phase, bool(given)) or unsafe
                    missing = 0
                    for point, answer in _shown(templates[phase], given):
                        state = _state(point, answer, due)
                        if answer is None and point.mandatory and due:
                            missing += 1
                        out.row(_line(order, phase_label, point, answer, state, names))
                    s = stats[phase]
                    s["orders"] += 1
                    s["unsafe"] += unsafe
                    s["out_of_service"] += phase == "checkout" and order.id in out_of_service
                    if due:
                        s["due"] += 1
                        s["missing"] += missing
                        s["complete" if missing == 0 and not unsafe else "incomplete"] += 1
    part = Part(name, out.rows, _("contrôles à l'entrée et à la sortie, fiche « %(f)s » : un point par ligne", f=fiche_label(fiche)))
    return part, stats


def controls(zf, names: Names, period_from, period_to) -> list[Part]:
    parts, synthesis = [], []
    for fiche in _fiches(period_from, period_to):
        part, stats = _fiche(zf, names, fiche, period_from, period_to)
        parts.append(part)
        for phase, phase_label in PHASES.items():
            s = stats[phase]
            synthesis.append([fiche, fiche_label(fiche), str(phase_label), s["orders"], s["due"], s["complete"], s["incomplete"],
                              s["missing"], s["unsafe"], s["out_of_service"]])
    with zf.csv(SYNTHESIS, [_("Fiche métier"), _("Libellé"), _("Phase"), _("Dossiers"), _("Dossiers où la phase est exigée"),
                            _("Dossiers complets"), _("Dossiers incomplets"), _("Points obligatoires manquants"),
                            _("Non conformes (mesure de sécurité hors limites)"), _("Restitués hors service")]) as out:
        for row in synthesis:
            out.row(row)
    parts.append(Part(SYNTHESIS, out.rows, _("synthèse par fiche métier et phase : dossiers, points obligatoires manquants, "
                                             "non-conformités de sécurité, appareils restitués hors service")))
    return parts
