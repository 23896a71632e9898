from flask import abort, flash, request
from flask_babel import gettext as _
from flask_login import current_user

from ..billing.forms import METHOD_LABELS
from ..billing.models import Payment, Quote
from ..billing.queries import invoice_of
from ..billing.quotes import status_label as quote_label
from ..checklists import safety
from ..checklists.services import guard as checklist_guard
from ..checklists.services import missing
from ..core.refusal import Refusal
from ..extensions import db
from ..intake.services import drafts_of
from ..permissions import ANY_ROLE, allow
from ..rendering import redirect_to, refusals, render
from . import bp, services, states
from . import handback as hb
from . import photos as ph
from . import signatures as sig
from .forms import UnlinkForm
from .models import RepairOrder


@bp.get("/")
@allow(*ANY_ROLE)
def index():
    """Orders, newest first; search by customer name, phone, e-mail, serial number or order number."""
    q = request.args.get("q", "")
    return render("repairs/index.html", "repairs/_rows.html", orders=services.search_orders(q), q=q, drafts=drafts_of(current_user.id))


def _blocked(order: RepairOrder, actions: list[str]) -> dict[str, str]:
    """Why an action offered by the table would be refused now (the button says it)."""
    reasons = {}
    for action in actions:
        try:
            checklist_guard(order, action)
            safety.guard(order, action)
        except states.RepairOrderError as exc:
            reasons[action] = str(exc)
    return reasons


@bp.get("/<int:order_id>")
@allow(*ANY_ROLE)
def show(order_id: int):
    """One order: customer, appliance, fault, status and what can be done next."""
    order = db.get_or_404(RepairOrder, order_id)
    checks = {phase: missing(order, phase) for phase in ("checkin", "checkout")}
    quotes = db.session.execute(db.select(Quote).where(Quote.order_id == order.id).order_by(Quote.id)).scalars().all()
    actions = states.actions_from(order.status)
    handed = hb.of(order)
    return render("repairs/show.html", order=order, actions=actions, action_labels=states.ACTION_LABELS,
                  warranty_end=services.warranty_end_of(order), unlink_form=UnlinkForm(), checks=checks, quotes=quotes,
                  quote_label=quote_label, invoice=invoice_of(order), blocked=_blocked(order, actions),
                  unsafe=safety.failures(order), hand_back_actions=states.HAND_BACK_ACTIONS, handed=handed,
                  signed=sig.of(order), handed_payment=db.session.get(Payment, handed.payment_id) if handed and handed.payment_id else None,
                  methods=METHOD_LABELS)


@bp.post("/<int:order_id>/<action>")
@allow(*ANY_ROLE)
def act(order_id: int, action: str):
    """Move the order on (the transition table decides what is allowed); handing back is done on
    its own page, where the customer signs."""
    def guard(o, a):
        checklist_guard(o, a)
        services.hand_back_guard(o, a)

    order = db.get_or_404(RepairOrder, order_id)
    if action in states.HAND_BACK_ACTIONS:
        with refusals("repairs.show", order_id=order.id):
            states.next_state(order.status, action)  # refused here, in French, when it cannot be done now
        return redirect_to("repairs.hand_back", order_id=order.id, hors_service=1 if action != "hand_back" else None)
    with refusals("repairs.show", order_id=order.id):
        services.transition(order, action, guard=guard)
    return redirect_to("repairs.show", order_id=order.id, message=_("Statut : %(s)s.", s=order.status_label))


def _hand_back_page(order: RepairOrder, out_of_service: bool, status: int = 200, error: str | None = None, form=None):
    form = form or {}
    return render("repairs/handback.html", status=status, order=order, out_of_service=out_of_service, error=error,
                  due=hb.due(order), methods=METHOD_LABELS, unsafe=safety.failures(order),
                  warning=form.get("warning") if "warning" in form else hb.default_warning(order),
                  method=form.get("method", ""), reference=form.get("reference", ""),
                  signer_name=form.get("signer_name") or f"{order.customer.first_name} {order.customer.last_name}",
                  action=states.ACTION_LABELS["hand_back_out_of_service" if out_of_service else "hand_back"])


@bp.route("/<int:order_id>/restitution", methods=["GET", "POST"])
@allow(*ANY_ROLE)
def hand_back(order_id: int):
    """«Restituer l'appareil»: the customer signs on the tablet (and pays what is due); out of
    service, the customer signs the written warning too."""
    order = db.get_or_404(RepairOrder, order_id)
    out_of_service = bool(request.values.get("hors_service"))
    if request.method == "POST":
        try:
            hb.hand_back(order, request.form.get("signature", ""), request.form.get("signer_name", ""), out_of_service,
                         request.form.get("warning"), request.form.get("method") or None, request.form.get("reference"))
        except Refusal as exc:
            db.session.rollback()
            return _hand_back_page(order, out_of_service, 422, str(exc), request.form)
        return redirect_to("repairs.show", order_id=order.id, message=_("Appareil restitué : %(o)s.", o=hb.of(order).outcome_label))
    return _hand_back_page(order, out_of_service)


@bp.post("/<int:order_id>/delier")
@allow("owner", "technician", "support")
def unlink(order_id: int):
    """This order is not a warranty return after all: the reason is kept and audited."""
    order = db.get_or_404(RepairOrder, order_id)
    form = UnlinkForm()
    if form.validate_on_submit():
        with refusals("repairs.show", order_id=order.id):
            services.unlink_return(order, form.reason.data)
        return redirect_to("repairs.show", order_id=order.id, message=_("Lien de garantie retiré."))
    for error in form.reason.errors:
        flash(error, "danger")
    return redirect_to("repairs.show", order_id=order.id)


@bp.get("/<int:order_id>/signatures")
@allow(*ANY_ROLE)
def signatures(order_id: int):
    """The customer and the technician sign the bon de prise en charge with a finger."""
    order = db.get_or_404(RepairOrder, order_id)
    return render("repairs/signatures.html", order=order, signed=sig.of(order))


@bp.post("/<int:order_id>/signatures/<role>")
@allow(*ANY_ROLE)
def sign(order_id: int, role: str):
    """Keep one drawn signature (the image, the time, the user holding the tablet, the IP)."""
    order = db.get_or_404(RepairOrder, order_id)
    with refusals("repairs.signatures", order_id=order.id):
        sig.sign(order, role, request.form.get("signature", ""), request.form.get("signer_name", ""))
    return redirect_to("repairs.signatures", order_id=order.id, message=_("Signature enregistrée."))


def _photos_page(order: RepairOrder, status: int = 200, **context):
    return render("repairs/photos.html", "repairs/_photos.html", status=status, order=order, photos=ph.of(order),
                  max_per_batch=ph.MAX_PER_BATCH, **context)


@bp.get("/<int:order_id>/photos")
@allow(*ANY_ROLE)
def photos(order_id: int):
    """The photos of the appliance: taken with the tablet camera, shown as a gallery."""
    return _photos_page(db.get_or_404(RepairOrder, order_id))


@bp.post("/<int:order_id>/photos")
@allow(*ANY_ROLE)
def add_photos(order_id: int):
    """Keep one or several photos at once; one refused file and none is kept (422, French message)."""
    order = db.get_or_404(RepairOrder, order_id)
    caption = request.form.get("caption", "")
    try:
        added = ph.add(order, request.files.getlist("photos"), caption)
    except ph.PhotoRefused as exc:  # the gallery again, with the message and the caption kept (a form error)
        return _photos_page(order, status=422, error=str(exc), caption=caption)
    message = _("%(n)s photo(s) enregistrée(s).", n=len(added))
    return redirect_to("repairs.photos", order_id=order.id, message=message, htmx=lambda: _photos_page(order, message=message))


@bp.post("/<int:order_id>/photos/<int:photo_id>/supprimer")
@allow(*ANY_ROLE)
def delete_photo(order_id: int, photo_id: int):
    """Delete one photo of the order (its file goes with it)."""
    order = db.get_or_404(RepairOrder, order_id)
    try:
        with refusals("repairs.photos", order_id=order.id,
                      fragment=lambda exc: _photos_page(order, status=422, error=str(exc))):
            ph.remove(order, photo_id)
    except ph.PhotoNotFound:
        abort(404)
    message = _("Photo supprimée.")
    return redirect_to("repairs.photos", order_id=order.id, message=message, htmx=lambda: _photos_page(order, message=message))


@bp.app_template_global("order_photo_count")
def order_photo_count(order: RepairOrder) -> int:
    """Number of photos of an order, for the "Photos (N)" button of the order page."""
    return ph.count(order)
