"""Suppliers' e-invoices: read exactly by the one e-invoice reader (EN 16931 business terms, no OCR),
stored with their lines, listed; a line becomes a part line of an order's draft quote; a file that
is not a valid e-invoice is refused in French and nothing is stored."""
from __future__ import annotations

import io
from decimal import Decimal

import facturx
import pytest
from lxml import etree
from pypdf import PdfWriter

from qualirepar.billing import quotes
from qualirepar.billing.models import QuoteLine
from qualirepar.einvoice import supplier
from qualirepar.einvoice.supplier import SupplierInvoice, SupplierInvoiceLine, SupplierInvoiceRefused
from qualirepar.extensions import db
from qualirepar.files.models import StoredFile
from qualirepar.repairs.models import RepairOrder
from qualirepar.tenancy import as_shop

from ..billing.helpers import washing_machine_order
from . import samples

RAM = samples.RAM


def distributor_cii(number: str = "FD-2027-0042") -> bytes:
    """The sample CII as a parts distributor's invoice: each line with the seller's item id (BT-155)."""
    tree = etree.fromstring(samples.cii(number=number, bonus_note=False))
    for n, product in enumerate(tree.iter(f"{{{RAM}}}SpecifiedTradeProduct"), 1):
        ref = etree.Element(f"{{{RAM}}}SellerAssignedID")
        ref.text = f"PMP-{n:03d}"
        product.insert(0, ref)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


def distributor_pdf() -> bytes:
    """The distributor's CII embedded in a PDF as Factur-X does (factur-x package), on a blank page."""
    writer, out = PdfWriter(), io.BytesIO()
    writer.add_blank_page(595, 842)
    writer.write(out)
    return facturx.generate_from_binary(out.getvalue(), distributor_cii(), check_xsd=True)


def _count(model) -> int:
    return db.session.execute(db.select(db.func.count()).select_from(model)).scalar_one()


@pytest.mark.parametrize("make,syntax", [(distributor_cii, "CII"), (lambda: samples.ubl(), "UBL"),
                                         (distributor_pdf, "CII")],
                         ids=["cii-xml", "ubl-xml", "facturx-pdf"])
def test_a_supplier_e_invoice_is_stored_as_its_xml_says(app, shop, ctx, make, syntax):
    data = make()
    d = samples.repair()
    row = supplier.receive(data, "facture.pdf" if data.startswith(b"%PDF") else "facture.xml", shop.users["owner"].id)
    assert (row.syntax, row.supplier_name, row.supplier_siret) == (syntax, d.shop, d.siret)  # BT-27, BT-30
    assert (row.total_ht, row.total_ttc) == (d.total_ht, d.total_ttc)  # BT-109, BT-112
    assert [ln.label for ln in row.lines] == [ln.label for ln in d.lines]  # BT-153
    assert [ln.net for ln in row.lines] == [ln.total_ht for ln in d.lines]  # BT-131
    assert db.session.get(StoredFile, row.file_id).size == len(data)
    if make in (distributor_cii, distributor_pdf):
        assert [ln.reference for ln in row.lines][:2] == ["PMP-001", "PMP-002"]  # BT-155


def test_the_same_invoice_twice_is_one_row(app, shop, ctx):
    first = supplier.receive(distributor_cii(), "a.xml", None)
    again = supplier.receive(distributor_cii(), "b.xml", None)
    assert again.id == first.id and _count(SupplierInvoice) == 1 and _count(StoredFile) == 1


@pytest.mark.parametrize("data,message", [
    (b"%PDF-1.4\n%%EOF", "n'est pas une facture électronique"),
    (samples.malformed(), "XML mal formé"),
    (b"Bonjour, voici la facture", "n'est pas une facture électronique"),
    (b"", "vide"),
], ids=["pdf-without-xml", "truncated-xml", "text", "empty"])
def test_a_file_that_is_not_a_valid_e_invoice_is_refused_nothing_stored(app, shop, ctx, data, message):
    with pytest.raises(SupplierInvoiceRefused) as refused:
        supplier.receive(data, "x.pdf", None)
    assert message in str(refused.value)
    assert _count(SupplierInvoice) == 0 and _count(StoredFile) == 0


def test_an_xml_its_schema_refuses_is_refused(app, shop, ctx):
    xml = distributor_cii().replace(b"<ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>", b"")  # BT-5 is mandatory
    with pytest.raises(SupplierInvoiceRefused) as refused:
        supplier.receive(xml, "x.xml", None)
    assert "XSD" in str(refused.value) and _count(SupplierInvoice) == 0


def _order_with_draft(app, shop_id):
    order_id = washing_machine_order(app, shop_id)
    with app.test_request_context(), as_shop(shop_id):
        quotes.create_quote(db.session.get(RepairOrder, order_id))
    return order_id


def test_a_line_becomes_a_part_line_of_the_draft_quote(app, shop):
    order_id = _order_with_draft(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        row = supplier.receive(distributor_cii(), "f.xml", None)
        line = row.lines[0]
        part = supplier.attach(line, db.session.get(RepairOrder, order_id))
        assert (part.kind, part.label, part.part_reference, part.supplier) == ("part", line.label, "PMP-001", row.supplier_name)
        assert part.unit_price == line.unit_price and part.vat_rate == Decimal("20.00")
        assert (line.order_id, line.quote_line_id) == (order_id, part.id)
        with pytest.raises(SupplierInvoiceRefused, match="déjà reprise"):
            supplier.attach(line, db.session.get(RepairOrder, order_id))
        assert _count(QuoteLine) == 1


def test_attaching_needs_a_draft_quote(app, shop):
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        line = supplier.receive(distributor_cii(), "f.xml", None).lines[0]
        with pytest.raises(SupplierInvoiceRefused, match="pas de devis en brouillon"):
            supplier.attach(line, db.session.get(RepairOrder, order_id))
        assert db.session.get(SupplierInvoiceLine, line.id).order_id is None


def test_upload_page_lists_and_refuses_in_french(app, shop, as_role):
    client = as_role("technician")
    resp = client.post("/facturation-electronique/fournisseurs", data={"fichier": (io.BytesIO(b"%PDF-1.4\n%%EOF"), "scan.pdf")},
                       content_type="multipart/form-data", follow_redirects=True)
    assert "n&#39;est pas une facture électronique" in resp.get_data(as_text=True)
    resp = client.post("/facturation-electronique/fournisseurs", data={"fichier": (io.BytesIO(distributor_cii()), "f.xml")},
                       content_type="multipart/form-data", follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "FD-2027-0042" in html and "PMP-001" in html
    assert "FD-2027-0042" in client.get("/facturation-electronique/fournisseurs").get_data(as_text=True)


def test_another_shops_supplier_invoice_is_not_found(app, shop, as_role):
    from .. import factories

    other = factories.make_shop(app)
    with app.test_request_context(), as_shop(other):
        row_id = supplier.receive(distributor_cii(), "f.xml", None).id
    assert as_role("owner").get(f"/facturation-electronique/fournisseurs/{row_id}").status_code == 404


def test_only_orders_with_a_draft_quote_are_offered(app, shop):
    with_draft = _order_with_draft(app, shop.id)
    washing_machine_order(app, shop.id, serial_number="WM-OTHER")
    with app.test_request_context(), as_shop(shop.id):
        assert [o.id for o in supplier.orders_taking_parts()] == [with_draft]


def test_the_technician_finds_the_suppliers_page_in_the_menu(app, shop, as_role):
    html = as_role("technician").get("/").get_data(as_text=True)
    assert 'href="/facturation-electronique/fournisseurs"' in html
