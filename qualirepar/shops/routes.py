from flask import abort, flash, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..audit import AuditEntry
from ..catalog import services as catalog
from ..eco import services as eco_services
from ..eco.models import ORGANISMS
from ..extensions import db
from ..permissions import allow
from ..rendering import redirect_to, render
from . import bp, crud, services
from .forms import EcoAccountForm, FicheForm, ShopForm, SiteForm, SubcontractorForm, UserForm
from .models import FicheMetier, RepairSite, Subcontractor, User


@bp.route("/boutique", methods=["GET", "POST"])
@allow("owner")
def shop():
    """The shop's identity: name, SIRET, VAT, label, address, logo."""
    shop = services.current_shop()
    form = ShopForm(obj=shop)
    if form.validate_on_submit():
        try:
            services.update_shop(shop, form)
        except services.SettingsError as exc:
            getattr(form, exc.field or "name").errors.append(str(exc))
        else:
            flash(_("Informations de la boutique enregistrées."), "success")
            return redirect_to("shops.shop")
    return render("shops/shop.html", form=form, shop=shop, logo=services.shop_logo(shop.id),
                  status=422 if form.errors else 200)


crud.register(bp, crud.Section(
    name="sites", slug="lieux", model=RepairSite, form=SiteForm,
    title=_l("Lieux de réparation"), new_label=_l("Ajouter un lieu"),
    columns=[("name", _l("Nom")), ("city", _l("Ville")), ("ecosystem_place_id", _l("Id ecosystem")),
             ("ecologic_site_id", _l("Id Ecologic")), ("active", _l("Actif"))],
    order_by="name", unique_field="name", duplicate_message=_l("Un lieu porte déjà ce nom."),
    readers=("owner", "technician", "support"),
    help=_l("Les lieux déclarés aux éco-organismes, où vous réparez et où les clients déposent leurs appareils."),
))
crud.register(bp, crud.Section(
    name="subcontractors", slug="sous-traitants", model=Subcontractor, form=SubcontractorForm,
    title=_l("Sous-traitants"), new_label=_l("Ajouter un sous-traitant"),
    columns=[("name", _l("Raison sociale")), ("label_number", _l("N° de label")), ("city", _l("Ville")), ("active", _l("Actif"))],
    order_by="name", unique_field="name", duplicate_message=_l("Un sous-traitant porte déjà ce nom."),
))
crud.register(bp, crud.Section(
    name="fiches", slug="fiches-metier", model=FicheMetier, form=FicheForm,
    title=_l("Fiches métier certifiées"), new_label=_l("Ajouter une fiche métier"),
    columns=[("label", _l("Fiche métier")), ("certified_on", _l("Certifiée le")), ("valid_until", _l("Valable jusqu'au"))],
    order_by="code", unique_field="code", duplicate_message=_l("Cette fiche métier est déjà enregistrée."),
    deletable=True, readers=("owner", "technician", "support"),
    help=_l("Les familles de produits pour lesquelles la boutique est labellisée : elles décident des appareils éligibles au bonus."),
))


@bp.get("/utilisateurs")
@allow("owner")
def users():
    """The shop's users and their roles."""
    rows = db.session.execute(db.select(User).order_by(User.active.desc(), User.last_name)).scalars().all()
    return render("shops/users.html", rows=rows)


@bp.route("/utilisateurs/nouveau", methods=["GET", "POST"])
@bp.route("/utilisateurs/<int:user_id>", methods=["GET", "POST"])
@allow("owner")
def user_edit(user_id: int | None = None):
    """Create a user (an invitation e-mail lets them choose a password) or change one."""
    user = db.get_or_404(User, user_id) if user_id else None
    form = UserForm(obj=user)
    if form.validate_on_submit():
        try:
            saved = services.save_user(user, form, current_user)
        except services.SettingsError as exc:
            getattr(form, exc.field or "email").errors.append(str(exc))
        else:
            if user is None:
                flash(_("Compte créé : une invitation a été envoyée à %(email)s.", email=saved.email), "success")
            else:
                flash(_("Compte enregistré."), "success")
            return redirect_to("shops.users")
    return render("shops/user_form.html", form=form, user=user, status=422 if form.errors else 200)


@bp.route("/eco-organismes", methods=["GET", "POST"])
@allow("owner")
def eco_accounts():
    """Credentials for ecosystem and Ecologic, encrypted at rest; secrets are never shown back."""
    forms = {}
    for organism in ORGANISMS:
        account = services.eco_account(organism)
        data = {k: getattr(account, k) for k in ("environment", "base_url", "login", "repairer_id")} if account else None
        posted = request.form if request.form.get("organism") == organism else None
        forms[organism] = (EcoAccountForm(prefix=organism, data=data, formdata=posted), account)
    organism = request.form.get("organism")
    if request.method == "POST" and organism in forms:
        form, _account = forms[organism]
        if form.validate_on_submit():
            try:
                services.save_eco_account(organism, form)
            except services.SettingsError as exc:
                getattr(form, exc.field).errors.append(str(exc))
            else:
                flash(_("Accès %(name)s enregistré.", name=ORGANISMS[organism]), "success")
                if catalog.set_up_reference():  # a first account: its catalogue and codes come now, not at night
                    flash(_("Synchronisation du référentiel lancée : les codes de l'organisme seront proposés à la prise en charge et sur les devis."), "info")
                return redirect_to("shops.eco_accounts")
    return render("shops/eco_accounts.html", forms=forms, organisms=ORGANISMS,
                  status=422 if any(f.errors for f, _a in forms.values()) else 200)


@bp.post("/eco-organismes/<organism>/tester")
@allow("owner")
def eco_test(organism: str):
    """Try the stored credentials against the organism's API."""
    if organism not in ORGANISMS:
        abort(404)
    ok, message = eco_services.test_connection(organism)
    flash(message, "success" if ok else "danger")
    return redirect_to("shops.eco_accounts")


@bp.get("/journal")
@allow("owner")
def audit_log():
    """The audit trail of the shop, newest first, 50 a page."""
    page = request.args.get("page", 1, type=int)
    query = db.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    entries = db.paginate(query, page=page, per_page=50, error_out=False)
    return render("shops/audit_log.html", "shops/_audit_rows.html", entries=entries)
