from urllib.parse import urlsplit

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..extensions import db, limiter
from ..permissions import ANY_ROLE, allow, public
from ..rendering import redirect_to, render
from . import bp, services, throttle
from .forms import ChangePasswordForm, LoginForm, NewPasswordForm, ProfileForm, ResetRequestForm


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _safe_next(target: str | None) -> str | None:
    """A path of this site only: no scheme, no host, no backslash or control character tricks."""
    if not target or not target.startswith("/") or "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and not target.startswith("//") else None


@bp.route("/connexion", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def login():
    """Log in by e-mail and password; one message for every failure (no user enumeration). An account
    under attack is slowed down from unknown devices only (`throttle`), never locked."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    status = 200 if request.method == "GET" else 422
    if form.validate_on_submit():
        wait = throttle.wait_seconds(form.email.data)
        if wait:
            form.password.errors.append(_("Trop d'essais pour ce compte depuis un appareil inconnu : réessayez dans %(s)s s. "
                                          "Depuis un appareil où vous vous êtes déjà connecté, ou par « Mot de passe oublié », "
                                          "vous pouvez entrer tout de suite.", s=wait))
            status = 429
        elif (user := services.authenticate(form.email.data, form.password.data)) is None:
            throttle.failed(form.email.data)
            form.password.errors.append(_("Adresse e-mail ou mot de passe incorrect."))
        else:
            session.clear()
            services.open_session(user)
            login_user(user, remember=form.remember.data)
            session["lang"] = user.locale
            return throttle.remember_device(redirect(_safe_next(request.args.get("next")) or url_for("dashboard.index")), form.email.data)
    return render("auth/login.html", form=form, status=status if form.errors else 200)


@bp.post("/deconnexion")
@allow(*ANY_ROLE)
def logout():
    """End the session, on the server too."""
    services.close_session(current_user)
    logout_user()
    session.clear()
    flash(_("Vous êtes déconnecté."), "info")
    return redirect_to("auth.login")


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def forgot_password():
    """Ask for a reset link; the answer is the same whether the address is known or not."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.send_reset_link(form.email.data)
        flash(_("Si un compte correspond à cette adresse, un e-mail avec un lien vient d'être envoyé."), "info")
        return redirect_to("auth.login")
    return render("auth/forgot.html", form=form)


@bp.route("/mot-de-passe/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    """Choose a new password from an e-mailed link (single use, expiring)."""
    form = NewPasswordForm()
    try:
        user = services.user_for_reset_token(token)
    except services.ResetTokenExpired:
        return render("auth/reset_invalid.html", status=410,
                      message=_("Ce lien a expiré. Demandez-en un nouveau ; il sera valable une heure."))
    except services.ResetTokenInvalid:
        return render("auth/reset_invalid.html", status=404,
                      message=_("Ce lien n'est plus valable : il a déjà servi ou il est incomplet. Demandez-en un nouveau."))
    if form.validate_on_submit():
        services.reset_password(user, form.password.data)
        flash(_("Mot de passe enregistré. Vous pouvez vous connecter."), "success")
        return redirect_to("auth.login")
    return render("auth/reset.html", form=form, user=user)


@bp.route("/profil", methods=["GET", "POST"])
@allow(*ANY_ROLE)
def profile():
    """One's own language, notification choice and password."""
    profile_form = ProfileForm(obj=current_user, prefix="profile")
    password_form = ChangePasswordForm(prefix="pw")
    if request.method == "POST" and "profile-locale" in request.form and profile_form.validate():
        profile_form.populate_obj(current_user)
        session["lang"] = current_user.locale
        db.session.commit()
        flash(_("Préférences enregistrées."), "success")
        return redirect_to("auth.profile")
    if request.method == "POST" and "pw-password" in request.form and password_form.validate():
        if not current_user.check_password(password_form.current.data):
            password_form.current.errors.append(_("Mot de passe actuel incorrect."))
        else:
            current_user.set_password(password_form.password.data)
            services.end_other_sessions(current_user)
            db.session.commit()
            login_user(current_user)  # the epoch changed: keep this session, end the others
            flash(_("Mot de passe modifié. Vos autres sessions sont fermées."), "success")
            return redirect_to("auth.profile")
    return render("auth/profile.html", profile_form=profile_form, password_form=password_form)
