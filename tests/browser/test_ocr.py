"""Automatic reading in Chromium: on the tablet, a photo of the nameplate fills the serial number
and the model of the bon de prise en charge (the technician checks them); in the back office, an
invoice made in another program is read with a progress indicator and its fields pre-filled."""
import pytest

from qualirepar.billing.models import Invoice
from qualirepar.core.clock import paris_today
from qualirepar.extensions import db
from qualirepar.tenancy import as_shop

from ..einvoice import samples
from ..ocr.test_documents import _plate, _validated_quote
from .conftest import shot
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


def test_a_factur_x_invoice_from_another_program_is_read_from_its_xml_and_recorded(page, live_server, shop, app, tmp_path):
    """Issue 18: the back office drops an invoice made by another program that carries Factur-X
    (EN 16931) XML; the card says it was read in the electronic invoice, the confirmation form is
    filled from the XML, and recording it sends the claim."""
    quote_id, ht, ttc, bonus = _validated_quote(app, shop)
    d = samples.repair()
    d.day = paris_today()
    d.total_ht, d.vat, d.total_ttc, d.bonus = ht, ttc - ht, ttc, bonus
    invoice = tmp_path / "facture-autre-logiciel.pdf"
    invoice.write_bytes(samples.facturx_pdf(samples.cii(d), d))
    login(page, live_server, shop.emails["support"])
    page.goto(f"{live_server}/devis/{quote_id}/facture-externe")
    page.get_by_label("Fichier de la facture").set_input_files(str(invoice))
    page.get_by_role("button", name="Lire la facture").click()
    card = page.get_by_test_id("ocr-document")
    card.wait_for()
    run_worker(app)  # the reading job: the XML, no OCR
    page.get_by_test_id("ocr-method").filter(has_text="lu dans la facture électronique").wait_for(timeout=15000)
    assert page.get_by_test_id("ocr-note").all_inner_texts() == []  # page and XML agree
    assert page.get_by_label("N° de facture").input_value() == d.number
    assert page.get_by_label("Date de la facture").input_value() == d.day.isoformat()
    assert page.get_by_label("Total TTC (€)").input_value() in (f"{ttc:.2f}", f"{ttc:.2f}".replace(".", ","))
    shot(page, "external-invoice-facturx")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer la facture et envoyer la demande").click()
    assert d.number in page.content()
    with app.app_context(), as_shop(shop.id):
        recorded = db.session.execute(db.select(Invoice)).scalar_one()
        assert (recorded.number, recorded.external, recorded.total_ttc, recorded.bonus_amount) == (d.number, True, ttc, bonus)
    shot(page, "external-invoice-facturx-recorded")
