"""E-invoicing in the browser (tablet and desktop): the owner sets the VAT regime, opens the
e-reporting page and sees the month's totals and the next deadline; a supplier's Factur-X is
uploaded and one of its lines goes onto an order's draft quote; a business customer's invoice shows
«déposée» once the worker has deposited it at the PA sandbox."""
import io

import facturx
import pytest
from pypdf import PdfWriter

from qualirepar.billing import quotes
from qualirepar.billing.models import Invoice
from qualirepar.einvoice import settings as einvoice_settings
from qualirepar.extensions import db
from qualirepar.repairs.models import RepairOrder
from qualirepar.tenancy import as_shop

from ..billing.helpers import washing_machine_order
from ..einvoice.pa_fixtures import _pa_server, issued_invoice, pa_sandbox, use_provider  # noqa: F401 - fixtures
from ..einvoice.test_ereporting import MIXED
from ..einvoice.test_supplier import distributor_cii
from .conftest import shot
from .helpers import login, open_menu_if_collapsed, run_worker, tap_or_click as _press

pytestmark = pytest.mark.browser


def _menu(page, menu: str, item: str):
    open_menu_if_collapsed(page)
    _press(page, page.get_by_role("button", name=menu).or_(page.get_by_role("link", name=menu, exact=True)).first)
    with page.expect_navigation():
        _press(page, page.get_by_role("link", name=item, exact=True))


def test_owner_sets_the_vat_regime_and_reads_the_months_e_reporting(page, live_server, shop, app):
    invoice_id = issued_invoice(app, shop.id, business=False, lines=MIXED)
    with app.app_context(), as_shop(shop.id):
        invoice = db.session.get(Invoice, invoice_id)
        ht, ttc = invoice.total_ht, invoice.total_ttc
    login(page, live_server, shop.emails["owner"])
    _menu(page, "Paramètres", "Facturation électronique")
    _press(page, page.get_by_label("Réel normal, déclaration trimestrielle"))
    _press(page, page.get_by_label("Option pour le paiement de la TVA d'après les débits"))
    with page.expect_navigation():
        _press(page, page.get_by_role("button", name="Enregistrer"))
    page.get_by_text("Réglages de facturation électronique enregistrés.").wait_for()
    assert page.get_by_label("Réel normal, déclaration trimestrielle").is_checked()
    shot(page, "einvoice-settings")
    with app.app_context():
        row = einvoice_settings.settings_for(shop.id)
        assert (row.vat_regime, row.option_debits) == ("reel_trimestriel", True)

    _menu(page, "Registres", "E-reporting")
    assert "Prochaine échéance" in page.get_by_test_id("next-deadline").inner_text()
    month = page.get_by_test_id("month-totals")
    assert "TLB1" in month.inner_text() and "TPS1" in month.inner_text()
    euros = lambda v: f"{v:,.2f}".replace(",", "\u202f").replace(".", ",")  # noqa: E731 - 1 234,56 as the page writes it
    assert euros(ht) in page.get_by_test_id("month-totals-base").inner_text()
    assert euros(ttc) in page.get_by_test_id("month-totals-ttc").inner_text()
    page.get_by_text("pas de données de paiement à transmettre").wait_for()  # the option for the debits
    shot(page, "einvoice-ereporting")


def _supplier_pdf() -> bytes:
    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(595, 842)
    writer.write(out)
    return facturx.generate_from_binary(out.getvalue(), distributor_cii(), check_xsd=True)


def test_a_supplier_factur_x_line_goes_onto_an_orders_draft_quote(page, live_server, shop, app, tmp_path):
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        quote = quotes.create_quote(order)
        number, quote_id = order.number, quote.id
    upload = tmp_path / "facture-distributeur.pdf"
    upload.write_bytes(_supplier_pdf())
    login(page, live_server, shop.emails["owner"])
    _menu(page, "Registres", "Factures fournisseurs")
    page.get_by_label("Facture du fournisseur").set_input_files(str(upload))
    with page.expect_navigation():
        _press(page, page.get_by_role("button", name="Enregistrer la facture"))
    page.get_by_text("Facture FD-2027-0042").first.wait_for()
    first = page.get_by_test_id("supplier-line").first
    assert "réf. PMP-001" in first.inner_text()
    first.get_by_label("Dossier").select_option(label=number)
    first.get_by_label("Prix de vente HT (sinon le prix d'achat)").fill("49,90")
    with page.expect_navigation():
        _press(page, first.get_by_role("button", name="Ajouter au devis"))
    page.get_by_test_id("line-attached").first.wait_for()
    shot(page, "einvoice-supplier-attached")
    with app.app_context(), as_shop(shop.id):
        lines = db.session.get(type(quote), quote_id).lines
        assert [(ln.kind, ln.part_reference, str(ln.unit_price)) for ln in lines] == [("part", "PMP-001", "49.90")]


def test_a_business_invoice_shows_deposee_from_the_pa_sandbox(page, live_server, shop, app, pa_sandbox):  # noqa: F811
    use_provider(app, shop.id, "sandbox")
    invoice_id = issued_invoice(app, shop.id, business=True)
    run_worker(app)  # the worker deposits it at the PA sandbox
    login(page, live_server, shop.emails["owner"])
    page.goto(f"{live_server}/factures/{invoice_id}")
    status = page.get_by_test_id("transmission-status")
    assert status.inner_text() == "déposée"
    assert len(pa_sandbox.flows) == 1
    shot(page, "einvoice-invoice-deposee")
