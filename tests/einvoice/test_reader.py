"""The e-invoice reader: exact values from Factur-X / ZUGFeRD PDFs, CII and UBL files (EN 16931
business terms), the schema checked, broken or locked files named, never guessed."""
import datetime as dt
from decimal import Decimal

import pytest

from qualirepar import einvoice
from qualirepar.einvoice import values

from . import samples


@pytest.fixture(scope="module")
def d():
    return samples.repair()


def test_a_cii_gives_the_business_terms_exactly(d):
    result = einvoice.read_xml(samples.cii(d))
    inv = result.invoice
    assert result.exact and result.problems == []
    assert (inv.syntax, inv.number, inv.issue_date, inv.type_code, inv.currency) == ("CII", d.number, d.day, "380", "EUR")
    assert (inv.line_total, inv.total_ht, inv.total_vat, inv.total_ttc) == (d.total_ht, d.total_ht, d.vat, d.total_ttc)
    assert (inv.prepaid, inv.amount_due) == (d.bonus, d.total_ttc - d.bonus)
    assert all(isinstance(v, Decimal) for v in (inv.total_ht, inv.total_vat, inv.total_ttc))
    assert (inv.seller.name, inv.seller.siret, inv.seller.siren, inv.seller.vat_number) == (d.shop, d.siret, d.siren, d.vat_number)
    assert inv.buyer.name == f"{d.last.upper()} {d.first}" and inv.level == "en16931" and not inv.credit_note


def test_a_cii_gives_its_lines(d):
    lines = einvoice.read_xml(samples.cii(d)).invoice.lines
    assert [(ln.name, ln.quantity, ln.unit_price, ln.net, ln.vat_rate) for ln in lines] == [
        (ln.label, Decimal(ln.quantity), ln.unit_price, ln.total_ht, Decimal(20)) for ln in d.lines]
    assert sum(ln.net for ln in lines) == d.total_ht  # BT-106 is the sum of BT-131


def test_a_factur_x_pdf_is_read_from_its_attachment(d):
    result = einvoice.read(samples.facturx_pdf(samples.cii(d), d))
    assert result.exact and result.source == "factur-x.xml" and result.invoice.total_ttc == d.total_ttc


def test_any_xml_attachment_of_a_pdf_is_a_candidate(d):
    result = einvoice.read(samples.pdf_with_attachment("zugferd-invoice.xml", samples.cii(d), d))
    assert result.exact and result.source == "zugferd-invoice.xml"
    assert einvoice.read(samples.pdf_with_attachment("donnees.xml", samples.cii(d), d)).source == "donnees.xml"


def test_a_pdf_without_xml_is_no_e_invoice(d):
    result = einvoice.read(samples.page(d))
    assert not result.found and result.invoice is None and result.problems == []


def test_a_ubl_invoice_is_read(d):
    result = einvoice.read(samples.ubl(d=d))
    inv = result.invoice
    assert result.exact and result.source == einvoice.STANDALONE and inv.syntax == "UBL"
    assert (inv.number, inv.issue_date, inv.type_code, inv.total_ht, inv.total_vat, inv.total_ttc, inv.amount_due) == (
        d.number, d.day, "380", d.total_ht, d.vat, d.total_ttc, d.total_ttc)
    assert (inv.seller.siret, inv.seller.vat_number, inv.buyer.name) == (d.siret, d.vat_number, f"{d.last.upper()} {d.first}")
    assert len(inv.lines) == len(d.lines) and inv.lines[0].net == d.lines[0].total_ht


def test_a_ubl_credit_note_is_a_credit_note(d):
    inv = einvoice.read(samples.ubl(credit_note=True, d=d)).invoice
    assert inv.type_code == einvoice.CREDIT_NOTE and inv.credit_note and inv.number == "AV" + d.number
    assert inv.lines[0].quantity == Decimal(d.lines[0].quantity)  # BT-129 is CreditedQuantity there


def test_a_malformed_xml_gives_no_values_and_a_reason(d):
    result = einvoice.read_xml(samples.malformed(samples.cii(d)), "factur-x.xml")
    assert result.found and result.invoice is None and not result.exact
    assert "XML mal formé" in result.problems[0] and "factur-x.xml" in result.problems[0]


def test_a_pdf_whose_attachment_is_malformed_says_so(d):
    result = einvoice.read(samples.pdf_with_attachment("factur-x.xml", samples.malformed(samples.cii(d)), d))
    assert result.found and result.invoice is None and "mal formé" in result.problems[0]


def test_an_xml_that_breaks_the_schema_is_read_but_not_exact(d):
    xml = samples.cii(d).replace(b"<ram:TypeCode>380</ram:TypeCode>", b"<ram:Genre>380</ram:Genre>")
    result = einvoice.read_xml(xml)
    assert result.invoice is not None and result.schema_valid is False and not result.exact
    assert "schéma XSD" in result.problems[0]


def test_an_unknown_profile_is_checked_as_en16931(d):
    xrechnung = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"
    assert einvoice.read_xml(samples.cii(d, profile=xrechnung)).exact


def test_an_xml_that_is_no_invoice_is_named():
    result = einvoice.read_xml(b"<?xml version='1.0'?><commande><id>1</id></commande>", "commande.xml")
    assert result.invoice is None and "n'est pas une facture électronique" in result.problems[0]


def test_an_encrypted_pdf_is_named_not_guessed():
    result = einvoice.read(samples.encrypted_pdf())
    assert result.encrypted and result.invoice is None and "mot de passe" in result.problems[0]


def test_an_xml_cannot_read_files_or_the_network(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("S3CRET")
    xml = (f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]>'
           f'<rsm:CrossIndustryInvoice xmlns:rsm="{samples.RSM}" xmlns:ram="{samples.RAM}"><rsm:ExchangedDocument>'
           '<ram:ID>&e;</ram:ID></rsm:ExchangedDocument></rsm:CrossIndustryInvoice>').encode()
    result = einvoice.read_xml(xml)
    assert result.invoice is None or "S3CRET" not in (result.invoice.number or "")


@pytest.mark.parametrize("data, expected", [
    (b"\xef\xbb\xbf  <?xml version='1.0'?><rsm:CrossIndustryInvoice xmlns:rsm='urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100'/>", True),
    (b"<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'>", True),
    (b"<CreditNote xmlns='urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2'>", True),
    (b"<html><body>Invoice</body></html>", False),
    (b"%PDF-1.7 CrossIndustryInvoice", False),
])
def test_an_xml_invoice_is_recognised_by_its_content(data, expected):
    assert einvoice.looks_like_xml_invoice(data) is expected


@pytest.mark.parametrize("legal, scheme, expected", [
    ("32098059201760", "0002", ("32098059201760", "320980592")),  # SIRET under SIRENE's scheme
    ("320980592", "0002", (None, "320980592")),  # a SIREN stays a SIREN
    ("32098059201760", "0009", ("32098059201760", "320980592")),
    ("320980592", None, (None, "320980592")),
    ("HRB 12345", "0002", (None, None)),
    ("32098059201760", "0088", (None, None)),  # a GLN is not a SIRET
])
def test_siret_and_siren_from_bt30(legal, scheme, expected):
    assert values.company_ids(legal, scheme) == expected


@pytest.mark.parametrize("raw, expected", [("20260131", dt.date(2026, 1, 31)), ("2026-01-31", dt.date(2026, 1, 31)),
                                           ("2026-01-31T00:00:00", dt.date(2026, 1, 31)), ("31/01/2026", None), (None, None)])
def test_dates_in_format_102_or_iso(raw, expected):
    assert values.day(raw) == expected
