"""A person logs in and finds their way, on the counter PC and on the tablet."""
import pytest

from .. import factories
from .conftest import shot
from .helpers import login, open_menu_if_collapsed

pytestmark = pytest.mark.browser


def test_owner_logs_in_and_reaches_the_shop_settings(page, live_server, shop):
    login(page, live_server, shop.emails["owner"])
    assert page.get_by_role("heading", name="Mise en route de la boutique").is_visible()
    shot(page, "dashboard-owner")
    open_menu_if_collapsed(page)
    page.get_by_role("button", name="Paramètres").or_(page.get_by_role("link", name="Paramètres")).first.click()
    page.get_by_role("link", name="Boutique").click()
    page.wait_for_url("**/parametres/boutique")
    page.get_by_label("SIRET").fill("123")
    page.get_by_role("button", name="Enregistrer").click()
    assert page.get_by_text("Un SIRET compte 14 chiffres").is_visible()
    shot(page, "shop-settings-error")


def test_technician_finds_sites_but_not_settings(page, live_server, shop, app):
    factories.make_site(app, shop.id, name="Atelier Centre")
    login(page, live_server, shop.emails["technician"])
    open_menu_if_collapsed(page)
    assert page.get_by_role("link", name="Paramètres").count() == 0
    page.get_by_role("link", name="Lieux", exact=True).click()
    page.wait_for_url("**/parametres/lieux")
    assert page.get_by_role("cell", name="Atelier Centre").is_visible()
    shot(page, "sites-technician")


def test_wrong_password_shows_the_message_beside_the_field(page, live_server, shop):
    page.goto(live_server + "/connexion")
    page.get_by_label("Adresse e-mail").fill(shop.emails["owner"])
    page.get_by_label("Mot de passe", exact=True).fill("mauvais-mot-2")
    page.get_by_role("button", name="Se connecter").click()
    assert page.get_by_text("Adresse e-mail ou mot de passe incorrect.").is_visible()
    assert page.get_by_label("Adresse e-mail").input_value() == shop.emails["owner"]
    shot(page, "login-error")


def test_touch_targets_are_finger_sized(page, live_server, shop):
    login(page, live_server, shop.emails["owner"])
    open_menu_if_collapsed(page)
    heights = page.locator(".nav-touch:visible").evaluate_all("els => els.map(e => e.getBoundingClientRect().height)")
    assert heights and min(heights) >= 44
