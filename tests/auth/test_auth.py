"""Logging in, rate limits, password reset by e-mail, sessions."""
import datetime as dt
import re

import pytest
import time_machine

from qualirepar.extensions import db, limiter
from qualirepar.shops.models import User

from .. import factories
from ..conftest import last_mail

WRONG = "Adresse e-mail ou mot de passe incorrect."


def test_login_with_good_password_opens_the_dashboard(client, auth, shop):
    resp = auth.login(shop.emails["owner"])
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    assert "Mise en route de la boutique" in client.get("/").get_data(as_text=True)


def test_wrong_password_gives_one_message_and_keeps_the_email(auth, shop):
    resp = auth.login(shop.emails["owner"], "pas-le-bon-1")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert WRONG in html
    assert f'value="{shop.emails["owner"]}"' in html


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(auth, shop):
    unknown = auth.login("personne@exemple.fr", "pas-le-bon-1")
    wrong = auth.login(shop.emails["owner"], "pas-le-bon-1")
    assert unknown.status_code == wrong.status_code == 422
    assert WRONG in unknown.get_data(as_text=True)


def test_email_is_matched_without_case(auth, shop):
    assert auth.login(shop.emails["owner"].upper()).status_code == 302


def test_deactivated_user_cannot_log_in(app, auth, shop):
    user = factories.make_user(app, shop.id, "technician", active=False)
    resp = auth.login(user.email)
    assert resp.status_code == 422 and WRONG in resp.get_data(as_text=True)


def test_invalid_email_format_is_explained_beside_the_field(auth):
    html = auth.login("pas-une-adresse", "x").get_data(as_text=True)
    assert "Adresse e-mail invalide." in html


@pytest.mark.parametrize("target", ["//evil.example/", "/%5Cevil.example", "/%09/evil.example", "https://evil.example/"])
def test_open_redirect_after_login_is_ignored(client, shop, target):
    resp = client.post(f"/connexion?next={target}", data={"email": shop.emails["owner"], "password": factories.PASSWORD})
    assert resp.headers["Location"] == "/"


def test_a_local_next_page_is_honoured(client, shop):
    resp = client.post("/connexion?next=/parametres/lieux", data={"email": shop.emails["owner"], "password": factories.PASSWORD})
    assert resp.headers["Location"] == "/parametres/lieux"


def test_logout_ends_the_session(client, auth, shop):
    auth.login(shop.emails["owner"])
    auth.logout()
    assert client.get("/").status_code == 302


def test_login_is_rate_limited_per_address(auth, shop):
    """LOGIN_RATE_LIMIT (10 a minute) per client address, whatever the accounts tried."""
    limiter.enabled = True
    statuses = [auth.login(f"personne-{i}@exemple.fr", f"faux-{i}-xx").status_code for i in range(12)]
    assert statuses[:10] == [422] * 10
    assert statuses[10] == 429
    assert "Trop de tentatives" in auth.login(shop.emails["owner"]).get_data(as_text=True)


def test_csrf_token_is_required_on_posts(app, client, shop):
    app.config["WTF_CSRF_ENABLED"] = True
    resp = client.post("/connexion", data={"email": shop.emails["owner"], "password": factories.PASSWORD})
    assert resp.status_code != 302  # refused: no token, no login
    assert client.get("/").status_code == 302


def _reset_link() -> str:
    body = last_mail().get_content()
    return re.search(r"http://localhost(/mot-de-passe/\S+)", body).group(1)


def test_password_reset_by_email_link(client, auth, shop):
    resp = client.post("/mot-de-passe-oublie", data={"email": shop.emails["support"]}, follow_redirects=True)
    assert "Si un compte correspond" in resp.get_data(as_text=True)
    link = _reset_link()
    resp = client.post(link, data={"password": "nouveau-pass-42", "confirm": "nouveau-pass-42"})
    assert resp.status_code == 303
    assert auth.login(shop.emails["support"], "nouveau-pass-42").status_code == 302


def test_reset_link_works_only_once(client, shop):
    client.post("/mot-de-passe-oublie", data={"email": shop.emails["support"]})
    link = _reset_link()
    client.post(link, data={"password": "nouveau-pass-42", "confirm": "nouveau-pass-42"})
    resp = client.get(link)
    assert resp.status_code == 404
    assert "déjà servi" in resp.get_data(as_text=True)


def test_expired_reset_link_is_explained(client, shop):
    client.post("/mot-de-passe-oublie", data={"email": shop.emails["support"]})
    link = _reset_link()
    with time_machine.travel(dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=2)):
        resp = client.get(link)
    assert resp.status_code == 410
    assert "Ce lien a expiré" in resp.get_data(as_text=True)


def test_tampered_reset_link_is_refused(client, shop):
    client.post("/mot-de-passe-oublie", data={"email": shop.emails["support"]})
    assert client.get(_reset_link() + "x").status_code == 404


def test_reset_for_unknown_email_says_the_same_and_sends_nothing(client):
    resp = client.post("/mot-de-passe-oublie", data={"email": "inconnu@exemple.fr"}, follow_redirects=True)
    assert "Si un compte correspond" in resp.get_data(as_text=True)
    from qualirepar import mail

    assert mail.outbox == []


def test_mismatched_new_passwords_keep_the_user_on_the_form(client, shop):
    client.post("/mot-de-passe-oublie", data={"email": shop.emails["support"]})
    resp = client.post(_reset_link(), data={"password": "nouveau-pass-42", "confirm": "autre-pass-42"})
    assert "Les deux mots de passe ne sont pas identiques." in resp.get_data(as_text=True)


@pytest.mark.parametrize("password,message", [
    ("court1", "Au moins 10 caractères."),
    ("seulementdeslettres", "Mélangez lettres et chiffres ou symboles."),
])
def test_weak_passwords_are_refused(client, shop, password, message):
    client.post("/mot-de-passe-oublie", data={"email": shop.emails["support"]})
    resp = client.post(_reset_link(), data={"password": password, "confirm": password})
    assert message in resp.get_data(as_text=True)


def test_password_change_ends_other_sessions(app, shop):
    first, second = app.test_client(), app.test_client()
    for c in (first, second):
        c.post("/connexion", data={"email": shop.emails["owner"], "password": factories.PASSWORD})
    first.post("/profil", data={"pw-current": factories.PASSWORD, "pw-password": "nouveau-pass-42", "pw-confirm": "nouveau-pass-42"})
    assert first.get("/").status_code == 200
    assert second.get("/").status_code == 302


def test_passwords_are_hashed(app, shop):
    with app.app_context():
        user = db.session.execute(db.select(User).where(User.email == shop.emails["owner"]),
                                  execution_options={"all_shops": True}).scalar_one()
        assert factories.PASSWORD not in user.password_hash
        assert user.password_hash.startswith(("scrypt:", "pbkdf2:", "argon2"))


def test_session_cookie_is_httponly_and_samesite(client, shop):
    resp = client.post("/connexion", data={"email": shop.emails["owner"], "password": factories.PASSWORD})
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


# --- sessions kept on the server (issue 17: a copied cookie must not outlive the logout) ----------

def _login(app, email, remember=False):
    client = app.test_client()
    data = {"email": email, "password": factories.PASSWORD}
    if remember:
        data["remember"] = "y"
    assert client.post("/connexion", data=data).status_code == 302
    return client


def _replay(app, **cookies):
    """Another browser holding only copies of these cookies."""
    thief = app.test_client()
    for name, value in cookies.items():
        thief.set_cookie(name, value)
    return thief


def _logout(client):
    page = client.get("/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page) or re.search(r'name="csrf-token" content="([^"]+)"', page)
    return client.post("/deconnexion", data={"csrf_token": token.group(1)} if token else {})


def test_a_session_cookie_copied_before_logout_no_longer_opens_the_app(app, shop):
    owner = _login(app, shop.emails["owner"])
    copied = owner.get_cookie("session").value
    assert _replay(app, session=copied).get("/").status_code == 200  # the copy works while the login is open
    _logout(owner)
    assert owner.get("/").status_code == 302
    assert _replay(app, session=copied).get("/").status_code == 302


def test_a_remember_me_cookie_copied_before_logout_no_longer_opens_the_app(app, shop):
    owner = _login(app, shop.emails["owner"], remember=True)
    remembered = owner.get_cookie("remember_token").value
    assert _replay(app, remember_token=remembered).get("/").status_code == 200
    _logout(owner)
    assert _replay(app, remember_token=remembered).get("/").status_code == 302


def test_logging_out_on_one_device_keeps_the_other_open(app, shop):
    counter, tablet = _login(app, shop.emails["owner"]), _login(app, shop.emails["owner"])
    _logout(counter)
    assert counter.get("/").status_code == 302 and tablet.get("/").status_code == 200


def test_a_deactivated_user_s_logins_end_and_a_reactivation_does_not_reopen_them(app, shop):
    from qualirepar.auth.models import LoginSession

    user = factories.make_user(app, shop.id, "technician")
    tech = _login(app, user.email, remember=True)
    copies = {"session": tech.get_cookie("session").value, "remember_token": tech.get_cookie("remember_token").value}
    owner = _login(app, shop.emails["owner"])
    form = {"email": user.email, "first_name": "Léa", "last_name": "Petit", "role": "technician"}
    assert owner.post(f"/parametres/utilisateurs/{user.id}", data=form).status_code == 303  # unticked: deactivated
    assert owner.post(f"/parametres/utilisateurs/{user.id}", data={**form, "active": "y"}).status_code == 303
    with app.app_context():
        assert db.session.execute(db.select(LoginSession).where(LoginSession.user_id == user.id)).first() is None
        assert db.session.get(User, user.id).active
    assert tech.get("/").status_code == 302 and _replay(app, **copies).get("/").status_code == 302


def test_logins_older_than_a_remember_me_cookie_are_purged_at_night(app, shop):
    from qualirepar.auth.models import LoginSession
    from qualirepar.auth.tasks import purge_login_sessions

    old, recent = _login(app, shop.emails["owner"]), _login(app, shop.emails["owner"])
    with app.app_context():
        first = db.session.execute(db.select(LoginSession).order_by(LoginSession.id)).scalars().first()
        first.created_at = first.created_at - dt.timedelta(days=366)
        db.session.commit()
        assert purge_login_sessions() == 1
    assert old.get("/").status_code == 302 and recent.get("/").status_code == 200
