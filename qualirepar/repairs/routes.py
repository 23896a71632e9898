from flask import flash, request
from flask_babel import gettext as _
from flask_login import current_user

from ..extensions import db
from ..permissions import ANY_ROLE, allow
from ..rendering import redirect_to, render
from . import bp, services, states
from .forms import UnlinkForm
from .models import RepairOrder


@bp.get("/")
@allow(*ANY_ROLE)
def index():
    """Orders, newest first; search by customer name, phone, e-mail, serial number or order number."""
    from ..intake.services import drafts_of

    q = request.args.get("q", "")
    return render("repairs/index.html", "repairs/_rows.html", orders=services.search_orders(q), q=q, drafts=drafts_of(current_user.id))


@bp.get("/<int:order_id>")
@allow(*ANY_ROLE)
def show(order_id: int):
    """One order: customer, appliance, fault, status and what can be done next."""
    from ..checklists.services import missing

    from ..billing.models import Quote
    from ..billing.services import invoice_of
    from ..billing.states import LABELS as QUOTE_LABELS

    order = db.get_or_404(RepairOrder, order_id)
    checks = {phase: missing(order, phase) for phase in ("checkin", "checkout")}
    quotes = db.session.execute(db.select(Quote).where(Quote.order_id == order.id).order_by(Quote.id)).scalars().all()
    return render("repairs/show.html", order=order, actions=states.actions_from(order.status), action_labels=states.ACTION_LABELS,
                  warranty_end=services.warranty_end_of(order), unlink_form=UnlinkForm(), checks=checks, quotes=quotes,
                  quote_labels=QUOTE_LABELS, invoice=invoice_of(order))


@bp.post("/<int:order_id>/<action>")
@allow(*ANY_ROLE)
def act(order_id: int, action: str):
    """Move the order on (the transition table decides what is allowed)."""
    from ..billing.services import hand_back_guard
    from ..checklists.services import guard as checklist_guard

    def guard(o, a):
        checklist_guard(o, a)
        hand_back_guard(o, a)

    order = db.get_or_404(RepairOrder, order_id)
    try:
        services.transition(order, action, guard=guard)
    except states.RepairOrderError as exc:
        flash(str(exc), "danger")
    else:
        flash(_("Statut : %(s)s.", s=order.status_label), "success")
    return redirect_to("repairs.show", order_id=order.id)


@bp.post("/<int:order_id>/delier")
@allow("owner", "technician", "support")
def unlink(order_id: int):
    """This order is not a warranty return after all: the reason is kept and audited."""
    order = db.get_or_404(RepairOrder, order_id)
    form = UnlinkForm()
    if form.validate_on_submit():
        try:
            services.unlink_return(order, form.reason.data)
        except states.RepairOrderError as exc:
            flash(str(exc), "danger")
        else:
            flash(_("Lien de garantie retiré."), "success")
            return redirect_to("repairs.show", order_id=order.id)
    for error in form.reason.errors:
        flash(error, "danger")
    return redirect_to("repairs.show", order_id=order.id)


@bp.get("/<int:order_id>/signatures")
@allow(*ANY_ROLE)
def signatures(order_id: int):
    """The customer and the technician sign the bon de prise en charge with a finger."""
    from . import signatures as sig

    order = db.get_or_404(RepairOrder, order_id)
    return render("repairs/signatures.html", order=order, signed=sig.of(order))


@bp.post("/<int:order_id>/signatures/<role>")
@allow(*ANY_ROLE)
def sign(order_id: int, role: str):
    """Keep one drawn signature (the image, the time, the user holding the tablet, the IP)."""
    from . import signatures as sig

    order = db.get_or_404(RepairOrder, order_id)
    try:
        sig.sign(order, role, request.form.get("signature", ""), request.form.get("signer_name", ""))
    except sig.SignatureRefused as exc:
        flash(str(exc), "danger")
    else:
        flash(_("Signature enregistrée."), "success")
    return redirect_to("repairs.signatures", order_id=order.id)


def _photos_page(order: RepairOrder, status: int = 200, **context):
    from . import photos as ph

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
    from ..rendering import is_htmx
    from . import photos as ph

    order = db.get_or_404(RepairOrder, order_id)
    caption = request.form.get("caption", "")
    try:
        added = ph.add(order, request.files.getlist("photos"), caption)
    except ph.PhotoRefused as exc:
        return _photos_page(order, status=422, error=str(exc), caption=caption)
    message = _("%(n)s photo(s) enregistrée(s).", n=len(added))
    if is_htmx():
        return _photos_page(order, message=message)
    flash(message, "success")
    return redirect_to("repairs.photos", order_id=order.id)


@bp.post("/<int:order_id>/photos/<int:photo_id>/supprimer")
@allow(*ANY_ROLE)
def delete_photo(order_id: int, photo_id: int):
    """Delete one photo of the order (its file goes with it)."""
    from flask import abort

    from ..rendering import is_htmx
    from . import photos as ph

    order = db.get_or_404(RepairOrder, order_id)
    try:
        ph.remove(order, photo_id)
    except ph.PhotoNotFound:
        abort(404)
    except ph.PhotoRefused as exc:
        flash(str(exc), "danger")
        return redirect_to("repairs.photos", order_id=order.id)
    message = _("Photo supprimée.")
    if is_htmx():
        return _photos_page(order, message=message)
    flash(message, "success")
    return redirect_to("repairs.photos", order_id=order.id)


@bp.app_template_global("order_photo_count")
def order_photo_count(order: RepairOrder) -> int:
    """Number of photos of an order, for the "Photos (N)" button of the order page."""
    from . import photos as ph

    return ph.count(order)
