from flask import flash, request
from flask_babel import gettext as _
from flask_login import current_user

from ..catalog import services as catalog
from ..extensions import db
from ..permissions import ANY_ROLE, allow
from ..rendering import redirect_to, render
from ..shops.models import RepairSite
from . import bp, services, states
from .forms import IntakeForm, UnlinkForm
from .models import RepairOrder


@bp.get("/")
@allow(*ANY_ROLE)
def index():
    """Orders, newest first; search by customer name, phone, e-mail, serial number or order number."""
    q = request.args.get("q", "")
    return render("repairs/index.html", "repairs/_rows.html", orders=services.search_orders(q), q=q)


def _intake_form() -> IntakeForm:
    form = IntakeForm()
    form.product_type.choices = catalog.grouped_product_choices(_("Autres"))
    sites = db.session.execute(db.select(RepairSite).where(RepairSite.active.is_(True)).order_by(RepairSite.name)).scalars().all()
    form.site.choices = [(s.id, s.name) for s in sites]
    return form


@bp.route("/nouveau", methods=["GET", "POST"])
@allow(*ANY_ROLE)
def new():
    """The bon de prise en charge: customer, appliance, fault; a warranty return is detected on save."""
    form = _intake_form()
    if form.validate_on_submit():
        brand = catalog.brand_by_name(form.brand.data)
        data = services.IntakeData(
            title=form.title.data or "", last_name=form.last_name.data, first_name=form.first_name.data, street=form.street.data,
            postcode=form.postcode.data, city=form.city.data, phone=form.phone.data, email=form.email.data or None,
            product_type_id=form.product_type.data, brand_id=brand.id if brand else None, brand_name=brand.name if brand else form.brand.data,
            commercial_reference=form.commercial_reference.data or None, serial_number=form.serial_number.data,
            purchase_date=form.purchase_date.data, service_requested=form.service_requested.data,
            fault_description=form.fault_description.data, symptom_code=form.symptom_code.data or None,
            parts_info=form.parts_info.data or None, accessories=form.accessories.data or None,
            visible_condition=form.visible_condition.data or None, kind=form.kind.data, site_id=form.site.data or None,
            technician_id=current_user.id)
        order = services.create_intake(data)
        if order.warranty_of_id:
            flash(_("Dossier %(n)s créé. Retour sous garantie : cet appareil a été réparé il y a moins de 3 mois (dossier %(o)s).",
                    n=order.number, o=order.warranty_of.number), "warning")
        else:
            flash(_("Dossier %(n)s créé.", n=order.number), "success")
        return redirect_to("repairs.show", order_id=order.id)
    return render("repairs/new.html", form=form, status=422 if form.errors else 200)


@bp.get("/<int:order_id>")
@allow(*ANY_ROLE)
def show(order_id: int):
    """One order: customer, appliance, fault, status and what can be done next."""
    from ..checklists.services import missing

    order = db.get_or_404(RepairOrder, order_id)
    checks = {phase: missing(order, phase) for phase in ("checkin", "checkout")}
    return render("repairs/show.html", order=order, actions=states.actions_from(order.status), action_labels=states.ACTION_LABELS,
                  warranty_end=services.warranty_end_of(order), unlink_form=UnlinkForm(), checks=checks)


@bp.post("/<int:order_id>/<action>")
@allow(*ANY_ROLE)
def act(order_id: int, action: str):
    """Move the order on (the transition table decides what is allowed)."""
    from ..checklists.services import guard

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
