"""Shop settings operations; views call these, so do the CLI and tests."""
from __future__ import annotations

from flask import current_app, g
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..auth import services as auth_services
from ..core.clock import paris_today
from ..core.refusal import Refusal
from ..eco.models import EcoAccount
from ..extensions import db
from ..files.models import StoredFile
from ..files.services import UploadRejected, store_upload
from ..files.storage import get_storage
from ..fiscal import journal, kinds
from .models import Shop, User

LOGO_MAX_BYTES = 2 * 1024 * 1024


class SettingsError(Refusal, ValueError):
    """A change refused for a business reason; `field` names the form field concerned."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def current_shop() -> Shop:
    return db.session.get(Shop, g.shop_id)


def shop_logo(shop_id: int) -> StoredFile | None:
    return db.session.execute(
        db.select(StoredFile).where(StoredFile.shop_id == shop_id, StoredFile.purpose == "logo")
        .order_by(StoredFile.id.desc()).limit(1)
    ).scalar_one_or_none()


def update_shop(shop: Shop, form) -> None:
    """Save the shop's identity and, if one was sent, replace its logo; all or nothing."""
    other = db.session.execute(
        db.select(Shop.id).where(Shop.siret == form.siret.data, Shop.id != shop.id)).scalar_one_or_none()
    if other is not None:
        raise SettingsError(_("Ce SIRET est déjà celui d'une autre boutique."), "siret")
    old_logo = shop_logo(shop.id)
    upload = form.logo.data
    new_logo = None
    if upload and getattr(upload, "filename", ""):
        try:
            new_logo = store_upload(upload, "logo", {"image/png", "image/jpeg"}, LOGO_MAX_BYTES)
        except UploadRejected as exc:
            raise SettingsError(str(exc), "logo") from exc
    for name in ("name", "siret", "vat_number", "label_number", "label_valid_until", "street", "postcode", "city", "phone", "email"):
        setattr(shop, name, getattr(form, name).data or None)
    shop.invoice_prefix = (form.invoice_prefix.data or "").strip() or "F{AAAA}-"
    shop.payment_late_days = form.payment_late_days.data or 60
    if new_logo and old_logo:
        db.session.delete(old_logo)
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        if new_logo:
            get_storage().delete(new_logo.storage_key)
        raise
    if new_logo and old_logo:
        get_storage().delete(old_logo.storage_key)


def active_owner_count() -> int:
    return db.session.execute(
        db.select(db.func.count(User.id)).where(User.role == "owner", User.active.is_(True))).scalar_one()


def save_user(user: User | None, form, acting: User) -> User:
    """Create (and invite by e-mail) or update a user of the current shop."""
    email = form.email.data.strip().lower()
    clash = auth_services.find_user_by_email(email)
    if clash is not None and (user is None or clash.id != user.id):
        raise SettingsError(_("Cette adresse e-mail est déjà utilisée par un autre compte."), "email")
    creating = user is None
    if creating:
        user = User(email=email, locale="fr")
        db.session.add(user)
    was_active_owner = not creating and user.role == "owner" and user.active
    rights_before = (None, None) if creating else (user.role, user.active)
    user.email = email
    user.first_name = form.first_name.data.strip()
    user.last_name = form.last_name.data.strip()
    user.role = form.role.data
    user.active = bool(form.active.data)
    if not creating and not user.active:
        auth_services.end_all_sessions(user)  # flushed with the rest, rolled back with it on a refusal
    if was_active_owner and (user.role != "owner" or not user.active):
        if user.id == acting.id:
            db.session.rollback()
            raise SettingsError(_("Vous ne pouvez pas retirer votre propre rôle de gérant ni désactiver votre compte."), "role")
        db.session.flush()
        if active_owner_count() == 0:
            db.session.rollback()
            raise SettingsError(_("La boutique doit garder au moins un gérant actif."), "role")
    if rights_before != (user.role, user.active):  # a technical event of the fiscal journal (NF525-style journal of technical events)
        db.session.flush()
        journal.record(kinds.RIGHTS_CHANGE, {"user": user.id, "email": user.email, "role": [rights_before[0], user.role],
                                             "active": [rights_before[1], user.active]},
                       shop_id=user.shop_id, occurred_on=paris_today(), user_id=acting.id)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise SettingsError(_("Cette adresse e-mail est déjà utilisée par un autre compte."), "email") from None
    if creating:
        auth_services.send_reset_link(user.email, invitation=True)
    return user


def eco_account(organism: str) -> EcoAccount | None:
    return db.session.execute(db.select(EcoAccount).where(EcoAccount.organism == organism)).scalar_one_or_none()


def save_eco_account(organism: str, form) -> EcoAccount:
    """Store the organism's credentials; an empty secret keeps the one already stored, unless the
    address, environment or login changes: the stored secret never leaves for a new destination."""

    base_url = (form.base_url.data or "").strip() or None
    if base_url and not current_app.config["ECO_ALLOW_CUSTOM_URL"]:
        raise SettingsError(_("Ce serveur n'autorise pas d'adresse d'API personnalisée : laissez le champ vide."), "base_url")
    account = eco_account(organism)
    login = (form.login.data or "").strip() or None
    if account is not None and not form.secret.data and account.secret_encrypted and (
            (account.environment, account.base_url, account.login) != (form.environment.data, base_url, login)):
        raise SettingsError(_("L'environnement, l'adresse ou l'identifiant change : ressaisissez le mot de passe ou la clé."), "secret")
    if account is None:
        account = EcoAccount(organism=organism)
        db.session.add(account)
    account.environment, account.base_url, account.login = form.environment.data, base_url, login
    account.repairer_id = (form.repairer_id.data or "").strip() or None
    if form.secret.data:
        account.secret = form.secret.data
    db.session.commit()
    return account
