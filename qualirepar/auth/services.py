"""Authentication rules: no user enumeration, single-use expiring reset tokens."""
from __future__ import annotations

import hashlib
import secrets

from flask import current_app, url_for
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from .. import mail
from ..audit import note, utcnow
from ..extensions import db
from ..shops.models import User
from .models import LoginSession

_DUMMY_HASH = generate_password_hash("not-a-real-password")
_RESET_SALT = "qualirepar-password-reset"


class ResetTokenExpired(Exception):
    """The link is genuine but too old."""


class ResetTokenInvalid(Exception):
    """The link was altered, already used, or belongs to a deactivated user."""


def find_user_by_email(email: str) -> User | None:
    """A user of any shop (login happens before a shop is current)."""
    return db.session.execute(
        db.select(User).where(User.email == email.strip().lower()), execution_options={"all_shops": True}
    ).scalar_one_or_none()


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None; takes as long whether the e-mail exists or not."""
    user = find_user_by_email(email)
    if user is None or not user.password_hash:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


def open_session(user: User) -> None:
    """A server-side row for this login; its token goes into the cookies through `user.get_id()`."""
    user.session_token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(user_id=user.id, token=user.session_token))
    db.session.commit()


def close_session(user: User) -> None:
    """Logout: this device's login ends on the server (a copied cookie no longer opens the app)."""
    token = getattr(user, "session_token", None)
    if token:
        db.session.execute(db.delete(LoginSession).where(LoginSession.user_id == user.id, LoginSession.token == token))
        db.session.commit()


def end_other_sessions(user: User) -> None:
    """After a password change: every login of the user but this one ends."""
    db.session.execute(db.delete(LoginSession).where(LoginSession.user_id == user.id,
                                                     LoginSession.token != (getattr(user, "session_token", None) or "")))


def end_all_sessions(user: User) -> None:
    """A deactivated user: every login ends (a reactivation does not bring them back)."""
    db.session.execute(db.delete(LoginSession).where(LoginSession.user_id == user.id))


def load_session_user(cookie_id: str) -> User | None:
    """The user of a session or remember-me cookie: `id:epoch:token`, whose login row still exists
    and whose epoch (bumped by a password change) is the current one; None otherwise."""
    user_id, epoch, token = (cookie_id.split(":") + ["", ""])[:3]
    if not user_id.isdigit() or not token:
        return None
    user = db.session.execute(
        db.select(User).join(LoginSession, (LoginSession.user_id == User.id) & (LoginSession.token == token))
        .where(User.id == int(user_id)), execution_options={"all_shops": True}
    ).scalar_one_or_none()
    if user is None or str(user.session_epoch or 0) != (epoch or "0"):
        return None
    user.session_token = token
    return user


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_RESET_SALT)


def _fingerprint(user: User) -> str:
    # Changes with the password: a used link cannot be used again.
    return hashlib.sha256(f"{user.password_hash}:{user.session_epoch}".encode()).hexdigest()[:16]


def make_reset_token(user: User, invitation: bool = False) -> str:
    return _serializer().dumps({"u": user.id, "f": _fingerprint(user), "i": invitation})


def user_for_reset_token(token: str) -> User:
    try:
        data, signed_at = _serializer().loads(token, return_timestamp=True)
    except BadSignature as exc:
        raise ResetTokenInvalid from exc
    max_age = current_app.config["INVITATION_MAX_AGE" if data.get("i") else "PASSWORD_RESET_MAX_AGE"]
    if (utcnow() - signed_at).total_seconds() > max_age:
        raise ResetTokenExpired
    user = db.session.execute(
        db.select(User).where(User.id == data.get("u")), execution_options={"all_shops": True}
    ).scalar_one_or_none()
    if user is None or not user.active or data.get("f") != _fingerprint(user):
        raise ResetTokenInvalid
    return user


def send_reset_link(email: str, invitation: bool = False) -> None:
    """Mail a reset link if the e-mail belongs to an active user; say nothing either way."""
    user = find_user_by_email(email)
    if user is None or not user.active:
        current_app.logger.info("password reset asked for an unknown or inactive address")
        return
    link = url_for("auth.reset_password", token=make_reset_token(user, invitation), _external=True)
    hours = current_app.config["INVITATION_MAX_AGE" if invitation else "PASSWORD_RESET_MAX_AGE"] // 3600 or 1
    if invitation:
        subject = _("Votre accès à qualirepar")
        intro = _("Un compte qualirepar a été créé pour vous. Choisissez votre mot de passe :")
    else:
        subject = _("Réinitialisation de votre mot de passe qualirepar")
        intro = _("Pour choisir un nouveau mot de passe, ouvrez ce lien :")
    body = "\n\n".join([
        _("Bonjour %(name)s,", name=user.first_name), intro, link,
        _("Ce lien est valable %(hours)s h et ne sert qu'une fois. Si vous n'êtes pas à l'origine de cette demande, ignorez ce message.", hours=hours),
    ])
    try:
        mail.send(user.email, subject, body)
    except Exception:  # noqa: BLE001 - SMTP down: the answer to the visitor must not differ
        current_app.logger.exception("could not send the password e-mail")


def reset_password(user: User, password: str) -> None:
    user.set_password(password)
    note(user, "password_reset")
    db.session.commit()
