
from flask_babel import gettext as _
from flask_login import current_user

from ..core.clock import paris_today
from ..eco.models import ORGANISMS, EcoAccount
from ..extensions import db
from ..pagecache import cached_page
from ..permissions import ANY_ROLE, allow
from ..rendering import render
from ..resources.services import expiring
from ..shops.models import FicheMetier, RepairSite, User
from ..shops.services import current_shop
from . import bp, services


def setup_steps() -> list[dict]:
    """What the owner still has to set up before the shop can file claims (two queries: the three
    counts together, the accounts of both organisms together)."""
    shop = current_shop()
    count = lambda model: db.select(db.func.count(model.id)).scalar_subquery()  # noqa: E731
    sites, fiches, users = db.session.execute(db.select(count(RepairSite), count(FicheMetier), count(User))).one()
    secrets = dict(db.session.execute(db.select(EcoAccount.organism, EcoAccount.secret_encrypted)).all())
    today = paris_today()
    steps = [
        {"label": _("Identité de la boutique (SIRET, TVA, n° de label)"), "done": bool(shop.siret and shop.vat_number and shop.label_number), "endpoint": "shops.shop"},
        {"label": _("Label QualiRépar en cours de validité"), "done": bool(shop.label_valid_until and shop.label_valid_until >= today), "endpoint": "shops.shop"},
        {"label": _("Au moins un lieu de réparation"), "done": sites > 0, "endpoint": "shops.sites_list"},
        {"label": _("Fiches métier certifiées"), "done": fiches > 0, "endpoint": "shops.fiches_list"},
        {"label": _("Un technicien et un compte support"), "done": users > 1, "endpoint": "shops.users"},
    ]
    for organism, label in ORGANISMS.items():
        steps.append({"label": _("Accès à l'API %(name)s", name=label), "done": bool(secrets.get(organism)), "endpoint": "shops.eco_accounts"})
    return steps


@bp.get("/")
@allow(*ANY_ROLE)
@cached_page
def index():
    """Home: the owner's set-up checklist; technicians and support see their shortcuts."""
    role = current_user.role
    steps = setup_steps() if role == "owner" else []
    figures = (services.owner() if role == "owner" else services.support() if role == "support"
               else services.technician(current_user.id))
    today = paris_today()
    documents = expiring(today) if role in ("owner", "support") else []
    return render("dashboard/index.html", steps=steps, shop=current_shop(), figures=figures, role=role, documents=documents,
                  today=today)
