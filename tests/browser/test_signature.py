"""A signature drawn with pointer events on the tablet is kept and shown."""
import pytest

from .. import factories
from .conftest import shot
from .helpers import draw, login

pytestmark = pytest.mark.browser


@pytest.fixture
def order(app, shop):
    return factories.make_order(app, shop.id)


def test_customer_signs_with_a_finger(page, live_server, shop, order):
    login(page, live_server, shop.emails["technician"])
    page.goto(f"{live_server}/dossiers/{order}/signatures")
    draw(page, page.get_by_test_id("pad-customer"))
    form = page.locator("form[data-signature-form]").first
    with page.expect_navigation():
        form.get_by_role("button", name="Valider la signature").click()
    assert page.get_by_text("Signature enregistrée.").is_visible()
    assert page.get_by_test_id("signed-customer").locator("img").is_visible()
    shot(page, "signature")
