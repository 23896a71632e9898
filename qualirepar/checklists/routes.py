import base64

from flask import abort, render_template, request
from flask_babel import gettext as _
from weasyprint import HTML

from ..core.clock import utcnow
from ..events import CHECKLIST_CHANGED
from ..extensions import db
from ..files.models import StoredFile
from ..files.storage import get_storage
from ..permissions import ANY_ROLE, allow
from ..rendering import pdf_response, render
from ..repairs import handback
from ..repairs import signatures as sig
from ..repairs.models import RepairOrder
from ..shops.models import User
from ..shops.services import current_shop
from . import bp, safety, services
from .models import PHASES, ControlPoint


def _order_and_phase(order_id: int, phase: str) -> RepairOrder:
    if phase not in PHASES:
        abort(404)
    return db.get_or_404(RepairOrder, order_id)


def _data_uri(file_id: int) -> str | None:
    """A signature inline in the PDF (WeasyPrint never calls back into the app)."""
    stored = db.session.get(StoredFile, file_id)
    if stored is None:
        return None
    return f"data:{stored.content_type};base64," + base64.b64encode(get_storage().read(stored.storage_key)).decode()


def _unsafe(order: RepairOrder, phase: str) -> list:
    """The check-out's safety measures out of limits (the check-out is not complete with one)."""
    return safety.failures(order) if phase == "checkout" else []


@bp.get("/<int:order_id>/controles/<phase>")
@allow(*ANY_ROLE)
def run(order_id: int, phase: str):
    """The control points of one phase, each saved as soon as it is answered."""
    order = _order_and_phase(order_id, phase)
    return render("checklists/run.html", order=order, phase=phase, phase_label=PHASES[phase], rows=services.rows(order, phase),
                  missing=services.missing(order, phase), unsafe=_unsafe(order, phase))


@bp.post("/<int:order_id>/controles/<phase>/<int:point_id>")
@allow(*ANY_ROLE)
def save(order_id: int, phase: str, point_id: int):
    """Save one answer; htmx gets the point back with its state, a plain form the whole page."""
    order = _order_and_phase(order_id, phase)
    point = db.get_or_404(ControlPoint, point_id)
    if point.id not in {r.point.id for r in services.rows(order, phase)}:
        abort(404)  # a point of another fiche or phase does not belong to this order's checklist
    error = None
    try:
        services.answer(order, point, request.form.get("value"), request.files.get("photo"))
    except services.AnswerRefused as exc:
        error = str(exc)
    rows = services.rows(order, phase)
    row = next(r for r in rows if r.point.id == point.id)
    missing = services.missing(order, phase)
    return render("checklists/run.html", "checklists/_point.html", order=order, phase=phase, phase_label=PHASES[phase],
                  rows=rows, row=row, error=error, missing=missing, unsafe=_unsafe(order, phase), status=422 if error else 200,
                  trigger=None if error else CHECKLIST_CHANGED)


@bp.get("/<int:order_id>/controles/<phase>/manquants")
@allow(*ANY_ROLE)
def missing_panel(order_id: int, phase: str):
    """The list of mandatory points still unanswered (refreshed after each answer)."""
    order = _order_and_phase(order_id, phase)
    return render("checklists/_missing.html", order=order, phase=phase, missing=services.missing(order, phase),
                  unsafe=_unsafe(order, phase))


@bp.get("/<int:order_id>/controles/rapport.pdf")
@allow(*ANY_ROLE)
def report(order_id: int):
    """The verification report: every point of both phases, its answer, who and when."""
    order = db.get_or_404(RepairOrder, order_id)
    phases = [(PHASES[p], services.rows(order, p)) for p in PHASES]
    # Who answered: every name in one query, not one per answer.
    user_ids = {r.answer.answered_by_id for _label, rows in phases for r in rows if r.answer and r.answer.answered_by_id}
    names = {u.id: u.display_name for u in db.session.execute(db.select(User).where(User.id.in_(user_ids))).scalars()} if user_ids else {}
    signed = sig.of(order)
    signatures = [(label, signed[role], _data_uri(signed[role].file_id)) for role, label in
                  (("customer", _("Le client, à la prise en charge")), (sig.HANDBACK, _("Le client, à la restitution")))
                  if role in signed]
    html = render_template("checklists/report.html", order=order, phases=phases, shop=current_shop(), now=utcnow(), names=names,
                           unsafe=safety.failures(order), handed=handback.of(order), signatures=signatures)
    return pdf_response(HTML(string=html, base_url=request.host_url).write_pdf(), f"controles-{order.number}.pdf")
