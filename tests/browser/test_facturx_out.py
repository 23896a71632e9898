"""At the counter (tablet and desktop): the invoice of a business customer's home repair is issued
from its quote, its PDF downloaded from the invoice page, and that PDF is a Factur-X: it carries
factur-x.xml (EN 16931), read by the factur-x package and by our reader with the invoice's number
and amounts; its page shows the new mentions (CGI ann. II art. 242 nonies A)."""

import facturx
import pypdfium2 as pdfium
import pytest

from qualirepar.audit import utcnow
from qualirepar.billing import quotes
from qualirepar.billing.models import Invoice
from qualirepar.einvoice import read
from qualirepar.extensions import db
from qualirepar.repairs.models import Customer, RepairOrder
from qualirepar.tenancy import as_shop

from .. import pdf
from ..billing.helpers import STANDARD, quote_with, washing_machine_order
from .conftest import SCREENSHOTS, shot
from .helpers import login, press as _press

pytestmark = pytest.mark.browser


def _ready_quote(app, shop) -> int:
    """A business customer's home repair: the quote validated, accepted, the repair done."""
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        order.kind, order.po_reference = "onsite", "BC-2026-117"
        customer = db.session.get(Customer, order.customer_id)
        customer.kind, customer.company, customer.siren, customer.vat_number = "business", "Laverie du Parc SARL", "552100554", "FR96552100554"
        customer.billing_street, customer.billing_postcode, customer.billing_city = "10 avenue des Comptes", "75008", "Paris"
        db.session.commit()
        quote = quote_with(order, *STANDARD, ("travel", "Déplacement", "1", "30.00", "20"))
        quotes.validate(quote, None)
        quotes.decide(quote, True, "signature", "127.0.0.1", "Léa Martin")
        order.repaired_at = utcnow()
        db.session.commit()
        return quote.id


def test_the_issued_invoice_pdf_carries_its_factur_x(page, live_server, shop, app):
    quote_id = _ready_quote(app, shop)
    login(page, live_server, shop.emails["owner"])
    page.goto(f"{live_server}/devis/{quote_id}")
    _press(page, page.get_by_role("button", name="Émettre la facture", exact=True))
    page.get_by_text("Facture F").first.wait_for()
    shot(page, "facturx-invoice-page")
    link = page.get_by_role("link", name="PDF")
    with page.expect_popup() as popup:  # the PDF opens in a new tab
        link.tap() if page.device == "tablet" else link.click()
    opened = popup.value
    opened.wait_for_load_state()
    assert opened.url == live_server + link.get_attribute("href")
    response = page.request.get(opened.url)  # what the tab shows, as the browser's session downloads it
    assert response.ok and response.headers["content-type"].startswith("application/pdf")
    data = response.body()

    name, xml = facturx.get_xml_from_pdf(data, check_xsd=True)
    assert name == "factur-x.xml" and b"urn:cen.eu:en16931:2017" in xml
    with app.app_context(), as_shop(shop.id):
        invoice = db.session.execute(db.select(Invoice)).scalar_one()
        number, ttc, due = invoice.number, invoice.total_ttc, invoice.amount_due
    e = read(data).invoice
    assert (e.number, e.total_ttc, e.amount_due, e.buyer.siren) == (number, ttc, due, "552100554")
    text = " ".join(pdf.text(data).split())
    for shown in ("Laverie du Parc SARL", "SIREN du client : 552100554", "Lieu de l'intervention",
                  "Opérations constituées de livraisons de biens et de prestations de services", "Indemnité forfaitaire"):
        assert shown in text, shown
    SCREENSHOTS.mkdir(exist_ok=True)
    image = pdfium.PdfDocument(data)[0].render(scale=1.4).to_pil()
    image.save(SCREENSHOTS / f"facturx-invoice-pdf-{page.device}.png")
