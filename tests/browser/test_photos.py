"""On the tablet (and the counter PC): from the order page, "Photos (0)", two photos from the camera input at once, the
thumbnails shown in place, a refused file explained, a photo deleted after confirmation."""
import pytest

from .. import factories
from ..checklists.helpers import jpeg
from .conftest import shot
from .helpers import login, tap_or_click as _press

pytestmark = pytest.mark.browser


@pytest.fixture
def order(app, shop):
    return factories.make_order(app, shop.id)


def test_photos_are_taken_shown_and_deleted(page, live_server, shop, order, tmp_path):
    """Run at the 820x1180 touch tablet viewport (taps) and on the counter PC (clicks)."""
    login(page, live_server, shop.emails["technician"])
    page.goto(f"{live_server}/dossiers/{order}")
    with page.expect_navigation():
        _press(page, page.get_by_role("link", name="Photos (0)"))
    take = page.get_by_test_id("take-photo")
    box = take.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300  # a big target for a finger
    assert page.get_by_test_id("no-photo").is_visible()

    first, second = tmp_path / "plaque.jpg", tmp_path / "cote.jpg"
    first.write_bytes(jpeg((1200, 900), orientation=6))
    second.write_bytes(jpeg((640, 480)))
    page.get_by_label("Légende").fill("Arrivée à l'atelier")
    take.locator("input[type=file]").set_input_files([str(first), str(second)])
    page.get_by_text("2 photo(s) enregistrée(s).").wait_for()
    thumbs = page.get_by_test_id("photo").locator("img")
    assert thumbs.count() == 2
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=photo] img')].every(i => i.complete && i.naturalWidth > 0)")
    assert thumbs.first.evaluate("i => [i.naturalWidth, i.naturalHeight]") == [900, 1200]  # stored upright
    assert page.get_by_test_id("photo").first.get_by_text("Arrivée à l'atelier").is_visible()
    assert page.get_by_test_id("photo-count").inner_text() == "2 photo(s)"
    shot(page, "order-photos")

    bad = tmp_path / "facture.pdf"
    bad.write_bytes(b"%PDF-1.4\n%fake\n")
    page.get_by_test_id("take-photo").locator("input[type=file]").set_input_files([str(second), str(bad)])
    page.get_by_test_id("photo-error").wait_for()
    assert "« facture.pdf » refusé" in page.get_by_test_id("photo-error").inner_text()
    assert page.get_by_test_id("photo").count() == 2  # nothing half-saved
    shot(page, "order-photos-refused")

    messages = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.accept()))
    _press(page, page.get_by_test_id("photo").first.get_by_role("button", name="Supprimer"))
    page.get_by_text("Photo supprimée.").wait_for()
    assert messages and "Supprimer cette photo" in messages[0]
    assert page.get_by_test_id("photo").count() == 1

    with page.expect_navigation():
        _press(page, page.get_by_role("link", name="Retour au dossier"))
    page.get_by_role("link", name="Photos (1)").wait_for()
