from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField
from wtforms.validators import DataRequired, Email, EqualTo, ValidationError

MIN_PASSWORD = 10


def strong_password(form, field):
    value = field.data or ""
    if len(value) < MIN_PASSWORD:
        raise ValidationError(_l("Au moins %(n)s caractères.", n=MIN_PASSWORD))
    if value.isdigit() or value.isalpha():
        raise ValidationError(_l("Mélangez lettres et chiffres ou symboles."))


class LoginForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired(_l("Saisissez votre adresse e-mail.")),
                                                          Email(_l("Adresse e-mail invalide."))])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired(_l("Saisissez votre mot de passe."))])
    remember = BooleanField(_l("Rester connecté sur cet appareil"))


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("Adresse e-mail"), validators=[DataRequired(_l("Saisissez votre adresse e-mail.")),
                                                          Email(_l("Adresse e-mail invalide."))])


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("Nouveau mot de passe"), validators=[DataRequired(_l("Choisissez un mot de passe.")), strong_password])
    confirm = PasswordField(_l("Confirmez le mot de passe"), validators=[
        DataRequired(_l("Confirmez le mot de passe.")),
        EqualTo("password", _l("Les deux mots de passe ne sont pas identiques."))])


class ProfileForm(FlaskForm):
    locale = SelectField(_l("Langue"), choices=[("fr", "Français"), ("en", "English")])
    notify_by_email = BooleanField(_l("Recevoir les notifications par e-mail"))


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(_l("Mot de passe actuel"), validators=[DataRequired(_l("Saisissez votre mot de passe actuel."))])
