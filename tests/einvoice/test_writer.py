"""The CII XML of the invoices we issue (Factur-X 1.0, profile EN 16931): every field the PDF shows
at its business term (EN 16931-1), valid against the Factur-X XSD and the EN 16931 Schematron; the
bonus réparation carried as an amount already paid, never as an allowance."""
from decimal import Decimal

import pytest
from lxml import etree

from qualirepar.einvoice import mentions, read_xml, validate, writer
from qualirepar.einvoice.cii import NS

from .builders import BUSINESS, DAY, SELLER, WASHING_MACHINE, credit_note, invoice

D = Decimal
SUM = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/"


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context():
        yield


def _xml(inv, lines, option_debits=False, **ctx):
    found = mentions.for_invoice(inv.buyer, inv.appliance, lines, option_debits)
    return writer.build(inv, lines, writer.Context(mentions=found, organism="Ecologic", delivered_on=DAY, **ctx))


def _one(tree, path):
    found = tree.xpath(path, namespaces=NS)
    assert len(found) == 1, (path, found)
    return found[0] if isinstance(found[0], str) else found[0].text


def _valid(xml):
    problems = [p for p in validate.problems(xml) if p.fatal]
    assert problems == [], [p.message() for p in problems]
    return etree.fromstring(xml)


def test_en16931_the_washing_machine_with_the_bonus_as_paid_amount():
    """EN 16931-1: BT-113 «Paid amount» = the bonus the eco-organism pays; BT-115 = BT-112 − BT-113; the
    VAT base BT-109 keeps the full price (no BG-20 allowance), and a BT-22 note names the organism."""
    inv, lines = invoice()
    tree = _valid(_xml(inv, lines))
    assert _one(tree, "//rsm:ExchangedDocument/ram:TypeCode") == "380"  # BT-3
    assert _one(tree, "//rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString") == "20261204"  # BT-2
    assert [_one(tree, SUM + t) for t in ("ram:LineTotalAmount", "ram:TaxBasisTotalAmount", "ram:TaxTotalAmount",
                                          "ram:GrandTotalAmount", "ram:TotalPrepaidAmount", "ram:DuePayableAmount")] == \
        ["150.00", "150.00", "30.00", "180.00", "50.00", "130.00"]
    assert tree.xpath("//ram:SpecifiedTradeAllowanceCharge", namespaces=NS) == []
    notes = tree.xpath("//ram:IncludedNote/ram:Content/text()", namespaces=NS)
    assert any("Bonus réparation QualiRépar de 50,00 €" in n and "Ecologic" in n for n in notes)
    assert _one(tree, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:BasisAmount") == "150.00"  # BT-116


def test_en16931_seller_identity_siren_siret_vat_and_address():
    inv, lines = invoice()
    tree = _valid(_xml(inv, lines))
    seller = "//ram:SellerTradeParty/"
    assert _one(tree, seller + "ram:Name") == SELLER["name"]  # BT-27
    assert _one(tree, seller + "ram:SpecifiedLegalOrganization/ram:ID[@schemeID='0002']") == "732829320"  # BT-30
    assert _one(tree, seller + "ram:GlobalID[@schemeID='0009']") == "73282932000074"  # BT-29: the SIRET
    assert _one(tree, seller + "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']") == "FR44732829320"  # BT-31
    assert [_one(tree, seller + "ram:PostalTradeAddress/ram:" + t) for t in ("PostcodeCode", "LineOne", "CityName", "CountryID")] == \
        ["69001", "3 rue de la République", "Lyon", "FR"]  # BG-5
    assert _one(tree, "//ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString") == "20261204"  # BT-9
    assert _one(tree, "//ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode") == "1"  # BT-81
    assert _one(tree, "//ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/udt:DateTimeString") == "20261204"  # BT-72


def test_en16931_lines_with_quantity_net_price_and_vat_category():
    inv, lines = invoice(rows=[*WASHING_MACHINE, ("travel", "Déplacement", "1", "30.00", "10"),
                               ("part", "Joint", "2", "4.99", "5.5"), ("part", "Notice", "1", "3.00", "0")], bonus="0.00")
    tree = _valid(_xml(inv, lines))
    items = tree.xpath("//ram:IncludedSupplyChainTradeLineItem", namespaces=NS)
    assert len(items) == 6
    labour = items[1]
    assert _one(labour, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity") == "1.5"  # BT-129
    assert _one(labour, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity/@unitCode") == "HUR"  # BT-130
    assert _one(labour, "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount") == "50.00"  # BT-146
    assert _one(labour, ".//ram:LineTotalAmount") == "75.00"  # BT-131
    categories = [(_one(i, ".//ram:ApplicableTradeTax/ram:CategoryCode"), _one(i, ".//ram:RateApplicablePercent")) for i in items]
    assert categories[3:] == [("S", "10.00"), ("S", "5.50"), ("Z", "0.00")]  # BT-151, BT-152
    rates = [(_one(t, "ram:CategoryCode"), _one(t, "ram:RateApplicablePercent"), _one(t, "ram:BasisAmount"), _one(t, "ram:CalculatedAmount"))
             for t in tree.xpath("//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax", namespaces=NS)]
    assert rates == [("S", "20.00", "150.00", "30.00"), ("S", "10.00", "30.00", "3.00"), ("S", "5.50", "9.98", "0.55"),
                     ("Z", "0.00", "3.00", "0.00")]  # BG-23
    assert _one(tree, SUM + "ram:DuePayableAmount") == str(inv.total_ttc)


def test_en16931_credit_note_type_381_positive_amounts_and_the_invoice_it_cancels():
    """EN 16931: a credit note is BT-3 = 381 with positive amounts; BT-25 / BT-26 the invoice it corrects."""
    inv, lines = invoice()
    note, negative = credit_note(inv, lines)
    tree = _valid(_xml(note, negative, credited=(inv.number, inv.issued_on)))
    assert _one(tree, "//rsm:ExchangedDocument/ram:TypeCode") == "381"
    assert _one(tree, "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID") == "F2026-00001"  # BT-25
    assert _one(tree, "//ram:InvoiceReferencedDocument/ram:FormattedIssueDateTime/qdt:DateTimeString") == "20261204"  # BT-26
    assert _one(tree, SUM + "ram:GrandTotalAmount") == "180.00" and _one(tree, SUM + "ram:DuePayableAmount") == "130.00"
    assert tree.xpath("//ram:BilledQuantity/text()", namespaces=NS) == ["1", "1.5", "1"]
    assert any("Motif de l'avoir" in n for n in tree.xpath("//ram:IncludedNote/ram:Content/text()", namespaces=NS))


def test_en16931_business_customer_siren_vat_order_reference_and_delivery_place():
    """BT-47 (SIREN, scheme 0002), BT-48, BT-13, BG-13/BG-15 the home repair's place (CGI ann. II art. 242 nonies A)."""
    inv, lines = invoice(buyer=BUSINESS, bonus="0.00", onsite=True)
    tree = _valid(_xml(inv, lines))
    buyer = "//ram:BuyerTradeParty/"
    assert _one(tree, buyer + "ram:Name") == "Laverie du Parc SARL"  # BT-44
    assert _one(tree, buyer + "ram:SpecifiedLegalOrganization/ram:ID[@schemeID='0002']") == "552100554"  # BT-47
    assert _one(tree, buyer + "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']") == "FR96552100554"  # BT-48
    assert _one(tree, buyer + "ram:PostalTradeAddress/ram:CityName") == "Paris"  # BG-8: the billing address
    assert _one(tree, "//ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID") == "BC-2026-117"  # BT-13
    assert _one(tree, "//ram:ShipToTradeParty/ram:PostalTradeAddress/ram:CityName") == "Lyon"  # BG-15
    assert _one(tree, "//rsm:ExchangedDocumentContext/ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID") == "M1"  # BT-23
    subjects = tree.xpath("//ram:IncludedNote/ram:SubjectCode/text()", namespaces=NS)
    assert "PMT" in subjects  # the 40 € recovery indemnity owed by a professional


def test_cgi_art_269_option_for_the_debits_as_vat_point_code_and_note():
    """The option (CGI art. 269, 2, c) printed as art. 242 nonies A asks, and BT-8 = 5 (UNTDID 2475: invoice date)."""
    inv, lines = invoice()
    tree = _valid(_xml(inv, lines, option_debits=True))
    assert _one(tree, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:DueDateTypeCode") == "5"
    assert "Option pour le paiement de la taxe d'après les débits" in tree.xpath("//ram:IncludedNote/ram:Content/text()", namespaces=NS)


def test_deposits_are_paid_amount_with_the_bonus():
    inv, lines = invoice()
    tree = _valid(_xml(inv, lines, deposits=D("30.00")))
    assert (_one(tree, SUM + "ram:TotalPrepaidAmount"), _one(tree, SUM + "ram:DuePayableAmount")) == ("80.00", "100.00")


def test_vat_franchise_line_is_exempt_with_the_cgi_293_b_reason():
    """CGI art. 293 B: «TVA non applicable, art. 293 B du CGI», category E with its reason (BR-E-10)."""
    inv, lines = invoice(rows=[("labour", "Main-d'œuvre", "1", "60.00", "0")], bonus="0.00",
                         seller={**SELLER, "vat_number": None})
    tree = _valid(_xml(inv, lines, franchise=True))
    assert _one(tree, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode") == "E"
    assert _one(tree, "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:ExemptionReason") == writer.EXEMPTION
    assert _one(tree, "//ram:SellerTradeParty/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='FC']") == "732829320"  # BT-32


def test_a_broken_total_is_refused_naming_the_rule_and_the_business_terms():
    inv, lines = invoice()
    inv.total_ttc = D("181.00")
    with pytest.raises(validate.InvalidEInvoice) as refused:
        validate.ensure_valid(_xml(inv, lines))
    assert "BR-CO-15" in str(refused.value) and "BT-112" in str(refused.value)
    assert str(refused.value).startswith("La facture électronique est refusée par la règle")


def test_a_schema_error_is_refused_naming_the_element():
    inv, lines = invoice()
    xml = _xml(inv, lines).replace(b"<ram:CityName>Lyon</ram:CityName>", b"<ram:Ville>Lyon</ram:Ville>", 1)
    problems = validate.problems(xml)
    assert problems and problems[0].rule == "XSD" and "Ville" in problems[0].message()


def test_our_reader_reads_back_what_the_writer_wrote():
    inv, lines = invoice(buyer=BUSINESS)
    result = read_xml(_xml(inv, lines))
    assert result.exact and result.invoice.level == "en16931"
    e = result.invoice
    assert (e.number, e.issue_date, e.total_ht, e.total_vat, e.total_ttc, e.prepaid, e.amount_due) == (
        "F2026-00001", DAY, D("150.00"), D("30.00"), D("180.00"), D("50.00"), D("130.00"))
    assert (e.seller.siren, e.seller.siret, e.seller.vat_number) == ("732829320", "73282932000074", "FR44732829320")
    assert (e.buyer.siren, e.buyer.siret, e.buyer.vat_number) == ("552100554", "55210055400013", "FR96552100554")
    assert [ln.net for ln in e.lines] == [D("40.00"), D("75.00"), D("35.00")]
