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


def test_login_is_rate_limited(auth, shop):
    limiter.enabled = True
    statuses = [auth.login(shop.emails["owner"], f"faux-{i}-xx").status_code for i in range(12)]
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
