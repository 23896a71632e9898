"""Automatic reading in Chromium: on the tablet, a photo of the nameplate fills the serial number
and the model of the bon de prise en charge (the technician checks them); in the back office, an
invoice made in another program is read with a progress indicator and its fields pre-filled."""
import pytest

from ..ocr.test_documents import _plate
from .helpers import login, run_worker

pytestmark = pytest.mark.browser


def test_a_nameplate_photo_fills_the_intake_form(page, live_server, shop, app, tmp_path):
    photo = tmp_path / "plaque.jpg"
    photo.write_bytes(_plate())
    login(page, live_server, shop.emails["technician"])
    page.goto(live_server + "/dossiers/nouveau")
    page.get_by_label("Lire la plaque signalétique (photo)").set_input_files(str(photo))
    card = page.get_by_test_id("ocr-document")
    card.wait_for()
    assert card.get_attribute("data-status") == "queued" and page.get_by_role("progressbar").is_visible()  # it shows it is working
    run_worker(app)  # the reading job
    page.get_by_test_id("ocr-use").wait_for(timeout=10000)  # the card follows the job by itself
    page.get_by_test_id("ocr-use").click()
    assert page.locator("#intake-form [name=serial_number]").input_value() == "412345678901"
    assert page.locator("#intake-form [name=commercial_reference]").input_value() == "WAN28208FF"
