"""E-invoices the tests make themselves: a Factur-X CII for a washing-machine repair (built with
lxml from the generated corpus's invoice data, so that the app's own invoice PDF shows the same
values), the same embedded in that PDF, a UBL 2.1 Invoice and CreditNote, broken ones."""
from __future__ import annotations

import io
from decimal import Decimal

import facturx
import pypdfium2 as pdfium
from lxml import etree
from lxml.builder import ElementMaker
from pypdf import PdfReader, PdfWriter

from ..ocr import corpus

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT}
R, M, U = ElementMaker(namespace=RSM, nsmap=NSMAP), ElementMaker(namespace=RAM, nsmap=NSMAP), ElementMaker(namespace=UDT, nsmap=NSMAP)
SEED = 1818


def repair(seed: int = SEED):
    """A washing-machine repair's invoice data (tests/ocr/corpus.py), with its number."""
    d = corpus.invoice_data(seed)
    d.number = corpus.invoice_number(d, "qualirepar")
    return d


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def cii(d=None, *, total_ttc: Decimal | None = None, number: str | None = None, bonus_note: bool = True,
        profile: str = "urn:cen.eu:en16931:2017") -> bytes:
    """A Factur-X EN 16931 CII of the repair: lines, VAT 20 %, the bonus as an amount already paid (BT-113)."""
    d = d or repair()
    ttc = d.total_ttc if total_ttc is None else total_ttc
    items = [M.IncludedSupplyChainTradeLineItem(
        M.AssociatedDocumentLineDocument(M.LineID(str(n))),
        M.SpecifiedTradeProduct(M.Name(line.label)),
        M.SpecifiedLineTradeAgreement(M.NetPriceProductTradePrice(M.ChargeAmount(_amount(line.unit_price)))),
        M.SpecifiedLineTradeDelivery(M.BilledQuantity(str(line.quantity), unitCode="C62")),
        M.SpecifiedLineTradeSettlement(
            M.ApplicableTradeTax(M.TypeCode("VAT"), M.CategoryCode("S"), M.RateApplicablePercent("20")),
            M.SpecifiedTradeSettlementLineMonetarySummation(M.LineTotalAmount(_amount(line.total_ht)))))
        for n, line in enumerate(d.lines, 1)]
    notes = [M.IncludedNote(M.Content(f"Bonus réparation QualiRépar déduit : {corpus.euros(d.bonus, ' ')}"))] if bonus_note else []
    tree = R.CrossIndustryInvoice(
        R.ExchangedDocumentContext(M.GuidelineSpecifiedDocumentContextParameter(M.ID(profile))),
        R.ExchangedDocument(M.ID(number or d.number), M.TypeCode("380"),
                            M.IssueDateTime(U.DateTimeString(d.day.strftime("%Y%m%d"), format="102")), *notes),
        R.SupplyChainTradeTransaction(
            *items,
            M.ApplicableHeaderTradeAgreement(
                M.SellerTradeParty(M.Name(d.shop), M.SpecifiedLegalOrganization(M.ID(d.siret, schemeID="0002")),
                                   M.PostalTradeAddress(M.PostcodeCode(d.postcode), M.LineOne(d.street), M.CityName(d.city), M.CountryID("FR")),
                                   M.SpecifiedTaxRegistration(M.ID(d.vat_number, schemeID="VA"))),
                M.BuyerTradeParty(M.Name(f"{d.last.upper()} {d.first}"))),
            M.ApplicableHeaderTradeDelivery(),
            M.ApplicableHeaderTradeSettlement(
                M.InvoiceCurrencyCode("EUR"),
                M.ApplicableTradeTax(M.CalculatedAmount(_amount(d.vat)), M.TypeCode("VAT"), M.BasisAmount(_amount(d.total_ht)),
                                     M.CategoryCode("S"), M.RateApplicablePercent("20")),
                M.SpecifiedTradeSettlementHeaderMonetarySummation(
                    M.LineTotalAmount(_amount(d.total_ht)), M.TaxBasisTotalAmount(_amount(d.total_ht)),
                    M.TaxTotalAmount(_amount(d.vat), currencyID="EUR"), M.GrandTotalAmount(_amount(ttc)),
                    M.TotalPrepaidAmount(_amount(d.bonus)), M.DuePayableAmount(_amount(ttc - d.bonus))))))
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


def page(d=None) -> bytes:
    """The app's own invoice PDF of the repair: the visible page."""
    return corpus._qualirepar_pdf(d or repair())


def facturx_pdf(xml: bytes, d=None, check_xsd: bool = True) -> bytes:
    """The page with the XML attached as factur-x.xml (a PDF/A-3, as the factur-x package makes it)."""
    return facturx.generate_from_binary(page(d), xml, check_xsd=check_xsd)


def pdf_with_attachment(name: str, xml: bytes, d=None) -> bytes:
    """The page with the XML attached under another name, as a plain embedded file (pypdf)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(page(d))))
    writer.add_attachment(name, xml)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf(password: str = "secret") -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(page())))
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def long_pdf(pages: int = 60) -> bytes:
    """The invoice's page, then copies of it standing for pages of annexes: `pages` pages in all,
    each with a text layer."""
    source = pdfium.PdfDocument(page())
    out_pdf = pdfium.PdfDocument.new()
    for _ in range(pages):
        out_pdf.import_pages(source, [0])
    out = io.BytesIO()
    out_pdf.save(out)
    out_pdf.close()
    source.close()
    return out.getvalue()


UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"


def ubl(credit_note: bool = False, d=None) -> bytes:
    """A UBL 2.1 Invoice (or CreditNote) of the repair, in the element order the XSD asks."""
    d = d or repair()
    root_ns = UBL_CREDIT if credit_note else UBL_INVOICE
    nsmap = {None: root_ns, "cac": CAC, "cbc": CBC}
    A, B = ElementMaker(namespace=CAC, nsmap=nsmap), ElementMaker(namespace=CBC, nsmap=nsmap)
    root = ElementMaker(namespace=root_ns, nsmap=nsmap)
    kind = "CreditNote" if credit_note else "Invoice"

    def party(name, company_id=None, vat=None):
        parts = [A.PartyName(B.Name(name)), A.PostalAddress(A.Country(B.IdentificationCode("FR")))]
        if vat:
            parts.append(A.PartyTaxScheme(B.CompanyID(vat), A.TaxScheme(B.ID("VAT"))))
        legal = [B.RegistrationName(name)] + ([B.CompanyID(company_id, schemeID="0002")] if company_id else [])
        parts.append(A.PartyLegalEntity(*legal))
        return A.Party(*parts)

    lines = [getattr(A, f"{kind}Line")(
        B.ID(str(n)), getattr(B, "CreditedQuantity" if credit_note else "InvoicedQuantity")(str(line.quantity), unitCode="C62"),
        B.LineExtensionAmount(_amount(line.total_ht), currencyID="EUR"),
        A.Item(B.Name(line.label), A.ClassifiedTaxCategory(B.ID("S"), B.Percent("20"), A.TaxScheme(B.ID("VAT")))),
        A.Price(B.PriceAmount(_amount(line.unit_price), currencyID="EUR")))
        for n, line in enumerate(d.lines, 1)]
    tree = getattr(root, kind)(
        B.CustomizationID("urn:cen.eu:en16931:2017"), B.ID(("AV" if credit_note else "") + d.number),
        B.IssueDate(d.day.isoformat()), getattr(B, "CreditNoteTypeCode" if credit_note else "InvoiceTypeCode")("381" if credit_note else "380"),
        B.DocumentCurrencyCode("EUR"),
        A.AccountingSupplierParty(party(d.shop, d.siret, d.vat_number)),
        A.AccountingCustomerParty(party(f"{d.last.upper()} {d.first}")),
        A.TaxTotal(B.TaxAmount(_amount(d.vat), currencyID="EUR"),
                   A.TaxSubtotal(B.TaxableAmount(_amount(d.total_ht), currencyID="EUR"), B.TaxAmount(_amount(d.vat), currencyID="EUR"),
                                 A.TaxCategory(B.ID("S"), B.Percent("20"), A.TaxScheme(B.ID("VAT"))))),
        A.LegalMonetaryTotal(B.LineExtensionAmount(_amount(d.total_ht), currencyID="EUR"),
                             B.TaxExclusiveAmount(_amount(d.total_ht), currencyID="EUR"),
                             B.TaxInclusiveAmount(_amount(d.total_ttc), currencyID="EUR"),
                             B.PayableAmount(_amount(d.total_ttc), currencyID="EUR")),
        *lines)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8")


def malformed(xml: bytes | None = None) -> bytes:
    """Cut in the middle, as a truncated attachment is."""
    xml = xml or cii()
    return xml[: len(xml) // 2]
