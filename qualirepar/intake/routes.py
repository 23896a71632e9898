"""Intake pages: the bon being filled in (saved field by field), customer pick-up, the PDF and its
mailing; the owner's settings of the bon."""
from __future__ import annotations

import uuid

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from ..catalog import services as catalog
from ..audit import utcnow
from ..extensions import db
from ..permissions import ANY_ROLE, allow
from ..rendering import fragment_or_json, pdf_response, redirect_to, render
from ..repairs import services as repairs
from ..repairs.models import BUSINESS, PRIVATE, Customer, RepairOrder
from ..shops.models import RepairSite
from . import appliance_routes, bon, bp, services
from . import bon_fields as F
from .forms import CustomFieldForm, SendBonForm, TermsForm
from .models import IntakeCustomField


def _form(formdata=None, **data):
    """This shop's intake form, bound to the request (POST), to `formdata`, or to `data`."""
    cls = services.form_class()
    form = cls(formdata=formdata, **data) if formdata is not None or data else cls()
    form.product_type.choices = catalog.grouped_product_choices(_("Autres"))
    sites = db.session.execute(db.select(RepairSite).where(RepairSite.active.is_(True)).order_by(RepairSite.name)).scalars().all()
    form.site.choices = [(s.id, s.name) for s in sites]
    return form


def _settings_page(form, states, errors, field_form, status=200):
    return render("intake/settings.html", form=form, states=states, errors=errors, customs=services.custom_fields(),
                  field_form=field_form, label_fields=F.LABEL_OPTIONAL, extra_fields=F.EXTRA, state_labels=F.STATES,
                  kind_labels=F.KINDS, terms_paragraphs=bon.paragraphs(form.terms.data or ""), status=status)


def _field_names(form) -> set[str]:
    return {f.name for f in form if f.name != "csrf_token"}


def _picked_customer(form) -> Customer | None:
    try:
        return db.session.get(Customer, int(form.customer_id.data)) if form.customer_id.data else None
    except ValueError:
        return None


@bp.route("/dossiers/nouveau", methods=["GET", "POST"])
@allow(*ANY_ROLE)
def new():
    """The bon de prise en charge: saved field by field into a draft; on submit the order is created
    (customer, appliance, number) and a warranty return is detected."""
    if request.method == "GET":
        key = request.args.get("brouillon") or str(uuid.uuid4())
        try:
            draft = services.draft(key, current_user.id)
        except services.DraftRefused:
            abort(404)
        form = _form(MultiDict(draft.data)) if draft else _form(draft_key=key)
        form.draft_key.data = key
        return render("intake/new.html", form=form, key=key, customer=_picked_customer(form))
    form = _form()
    key = form.draft_key.data or ""
    if not services.DRAFT_KEY.match(key):
        key = form.draft_key.data = str(uuid.uuid4())
    if form.validate_on_submit() and not appliance_routes.symptom_refused(form):
        brand = catalog.brand_by_name(form.brand.data)
        customer = _picked_customer(form)
        data = repairs.IntakeData(
            title=form.title.data or "", last_name=form.last_name.data, first_name=form.first_name.data, street=form.street.data,
            postcode=form.postcode.data, city=form.city.data, phone=form.phone.data, email=form.email.data or None,
            product_type_id=form.product_type.data, brand_id=brand.id if brand else None, brand_name=brand.name if brand else form.brand.data,
            commercial_reference=form.commercial_reference.data or None, serial_number=form.serial_number.data,
            purchase_date=form.purchase_date.data, service_requested=form.service_requested.data,
            fault_description=form.fault_description.data, symptom_code=form.symptom_code.data or None,
            parts_info=form.parts_info.data or None, accessories=form.accessories.data or None,
            visible_condition=form.visible_condition.data or None, kind=form.kind.data, site_id=form.site.data or None,
            technician_id=current_user.id, customer_id=customer.id if customer else None, extra=services.extra_values(form),
            **_business_fields(form))
        order = repairs.create_intake(data)
        try:
            services.discard_draft(key, current_user.id)
        except services.DraftRefused:
            pass
        if order.warranty_of_id:
            flash(_("Dossier %(n)s créé. Retour sous garantie : cet appareil a été réparé il y a moins de 3 mois (dossier %(o)s).",
                    n=order.number, o=order.warranty_of.number), "warning")
        else:
            flash(_("Dossier %(n)s créé.", n=order.number), "success")
        return redirect_to("repairs.show", order_id=order.id, fin=key)
    try:  # what was typed is kept even when the bon is refused
        services.save_draft(key, current_user.id, {k: request.form.get(k, "") for k in _field_names(form)})
    except services.DraftRefused:
        pass
    return render("intake/new.html", form=form, key=key, customer=_picked_customer(form), status=422)


def _business_fields(form) -> dict:
    """The customer's kind, company and identifiers (already checked by the form), billing address, PO."""
    if form.customer_kind.data != BUSINESS:
        return {"customer_kind": PRIVATE}
    names = ("company", "siren", "siret", "vat_number", "billing_street", "billing_postcode", "billing_city", "po_reference")
    return {"customer_kind": BUSINESS, **{n: form[n].data or None for n in names}}


@bp.post("/dossiers/brouillons/<key>")
@allow(*ANY_ROLE)
def save_draft(key: str):
    """Keep what the form holds now. htmx sends the whole form on each change with `_field`, the
    field just left, and gets that field's message back; the offline queue sends what it kept and
    gets JSON."""
    form = _form(request.form)
    names = _field_names(form)
    # Only what the browser says changed is written: a slower, older request must not put back a
    # value the user has typed over since.
    changed = [request.form["_field"]] if "_field" in request.form else request.form.getlist("_fields") or list(request.form)
    try:
        services.save_draft(key, current_user.id, {k: request.form.get(k, "") for k in changed if k in names})
    except services.DraftRefused as exc:
        message = str(exc)
        return fragment_or_json(lambda: message, lambda: {"error": message}, status=404)

    def errors(fields) -> dict:
        return {name: form[name].errors for name in fields if name in names and not form[name].validate(form)}

    field = request.form.get("_field", "")
    return fragment_or_json(lambda: render("intake/_feedback.html", errors=errors([field]).get(field, []), saved_at=utcnow()),
                            lambda: {"saved": True, "errors": errors(changed)})


@bp.post("/dossiers/brouillons/<key>/supprimer")
@allow(*ANY_ROLE)
def discard_draft(key: str):
    try:
        services.discard_draft(key, current_user.id)
    except services.DraftRefused:
        abort(404)
    flash(_("Brouillon supprimé."), "success")
    return redirect_to("repairs.index")


@bp.get("/dossiers/nouveau/clients")
@allow(*ANY_ROLE)
def customers():
    """Existing customers matching the text typed (name, phone, e-mail), to pick one."""
    q = request.args.get("q", "")
    return render("intake/_customers.html", customers=repairs.search_customers(q), q=q)


@bp.get("/dossiers/nouveau/client/<int:customer_id>")
@allow(*ANY_ROLE)
def pick_customer(customer_id: int):
    """The customer block filled with a customer's details (and their id, so the order is theirs)."""
    customer = db.get_or_404(Customer, customer_id)
    form = _form(title=customer.title, last_name=customer.last_name, first_name=customer.first_name, street=customer.street,
                 postcode=customer.postcode, city=customer.city, phone=customer.phone, email=customer.email or "",
                 customer_id=str(customer.id), customer_kind=customer.kind, company=customer.company or "",
                 siren=customer.siren or "", siret=customer.siret or "", vat_number=customer.vat_number or "",
                 billing_street=customer.billing_street or "", billing_postcode=customer.billing_postcode or "",
                 billing_city=customer.billing_city or "")
    return render("intake/_customer.html", form=form, key=_draft_key_arg(), customer=customer)


@bp.get("/dossiers/nouveau/nouveau-client")
@allow(*ANY_ROLE)
def clear_customer():
    """Back to an empty customer block (a new customer)."""
    return render("intake/_customer.html", form=_form(customer_id=""), key=_draft_key_arg(), customer=None)


def _draft_key_arg() -> str:
    key = request.args.get("brouillon", "")
    if not services.DRAFT_KEY.match(key):
        abort(404)
    return key


# --- the PDF --------------------------------------------------------------------------------


@bp.get("/dossiers/<int:order_id>/bon.pdf")
@allow(*ANY_ROLE)
def bon_pdf(order_id: int):
    """The bon de prise en charge, to open and print (or download with ?telecharger=1)."""
    order = db.get_or_404(RepairOrder, order_id)
    return pdf_response(bon.render_pdf(order), bon.filename(order), bool(request.args.get("telecharger")))


@bp.route("/dossiers/<int:order_id>/bon/envoyer", methods=["GET", "POST"])
@allow(*ANY_ROLE)
def send_bon(order_id: int):
    """Mail the bon to the customer (their address, or another one typed here)."""
    order = db.get_or_404(RepairOrder, order_id)
    form = SendBonForm(email=order.customer.email)
    if form.validate_on_submit():
        try:
            bon.send(order, form.email.data.strip())
        except bon.SendRefused as exc:
            flash(str(exc), "danger")
        else:
            flash(_("Bon envoyé à %(e)s.", e=form.email.data.strip()), "success")
            return redirect_to("repairs.show", order_id=order.id)
    return render("intake/send.html", order=order, form=form, status=422 if form.errors else 200)


# --- settings -------------------------------------------------------------------------------


@bp.route("/parametres/prise-en-charge", methods=["GET", "POST"])
@allow("owner")
def settings():
    """The shop's bon: which fields show or are required, its own fields, its terms."""
    current = services.settings()
    form = TermsForm(terms=current.terms)
    states = dict(current.field_states or {})
    errors = {}
    if request.method == "POST":
        label_keys = [lf.key for lf in F.LABEL_OPTIONAL]
        for key in label_keys + [f.key for f in F.EXTRA]:
            on_label = key in label_keys
            value = request.form.get(f"state_{key}", F.SHOWN if on_label else F.HIDDEN)
            allowed = (F.SHOWN, F.REQUIRED) if on_label else tuple(F.STATES)
            if value not in allowed:
                errors[key] = _("Les champs du label ne peuvent pas être masqués.") if value == F.HIDDEN else _("Choix invalide.")
            states[key] = value
        if form.validate_on_submit() and not errors:
            services.save_states(states, form.terms.data)
            flash(_("Bon de prise en charge enregistré."), "success")
            return redirect_to("intake.settings")
    return _settings_page(form, states, errors, CustomFieldForm(), status=422 if (errors or form.errors) else 200)


@bp.post("/parametres/prise-en-charge/apercu-conditions")
@allow("owner")
def terms_preview():
    """The terms as they will be printed (live, as the owner types)."""
    return render("intake/_terms_preview.html", terms=bon.paragraphs(request.form.get("terms", "")))


@bp.get("/parametres/prise-en-charge/apercu.pdf")
@allow("owner")
def preview_pdf():
    """The bon with an example customer and the saved settings, never stored."""
    return pdf_response(bon.render_pdf(bon.sample_order(), signed={}, preview=True), "apercu-bon.pdf", False)


@bp.route("/parametres/prise-en-charge/champs/nouveau", methods=["POST"])
@allow("owner")
def add_field():
    form = CustomFieldForm()
    if form.validate_on_submit():
        customs = services.custom_fields()
        db.session.add(IntakeCustomField(key=services.slug_key(form.label.data), label=form.label.data.strip(), kind=form.kind.data,
                                         choices=services.parse_choices(form.choices.data) if form.kind.data == "choice" else None,
                                         state=form.state.data, help=form.help.data or None,
                                         position=max([c.position for c in customs], default=-1) + 1))
        db.session.commit()
        flash(_("Champ « %(l)s » ajouté.", l=form.label.data.strip()), "success")
        return redirect_to("intake.settings")
    current = services.settings()
    return _settings_page(TermsForm(terms=current.terms), current.field_states or {}, {}, form, status=422)


@bp.route("/parametres/prise-en-charge/champs/<int:field_id>", methods=["GET", "POST"])
@allow("owner")
def edit_field(field_id: int):
    field = db.get_or_404(IntakeCustomField, field_id)
    form = CustomFieldForm(obj=field, choices="\n".join(field.choices or []))
    if form.validate_on_submit():
        field.label, field.kind, field.state, field.help = form.label.data.strip(), form.kind.data, form.state.data, form.help.data or None
        field.choices = services.parse_choices(form.choices.data) if form.kind.data == "choice" else None
        db.session.commit()
        flash(_("Champ « %(l)s » enregistré.", l=field.label), "success")
        return redirect_to("intake.settings")
    return render("intake/field_form.html", form=form, field=field, status=422 if form.errors else 200)


@bp.post("/parametres/prise-en-charge/champs/<int:field_id>/<direction>")
@allow("owner")
def move_or_delete_field(field_id: int, direction: str):
    field = db.get_or_404(IntakeCustomField, field_id)
    if direction == "supprimer":
        label = field.label
        db.session.delete(field)
        db.session.commit()
        flash(_("Champ « %(l)s » supprimé. Les dossiers déjà enregistrés le gardent.", l=label), "success")
    elif direction in ("monter", "descendre"):
        services.move_custom(field, -1 if direction == "monter" else 1)
    else:
        abort(404)
    return redirect_to("intake.settings")


@bp.app_template_filter("extra_value")
def extra_value(item: dict) -> str:
    return services.display_value(item)


@bp.app_template_global()
def intake_draft_url(key: str) -> str:
    return url_for("intake.save_draft", key=key)
