"""UN/CEFACT Cross Industry Invoice D16B (Factur-X 1.0, ZUGFeRD 2.x, XRechnung CII): the business
terms of EN 16931, at the paths the Factur-X specification gives them."""
from __future__ import annotations

from lxml import etree

from .model import CII, EInvoice, InvoiceLine, Party
from .values import amount, company_ids, day, in_currency, text

NS = {"rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
      "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
      "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
      "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"}
ROOT = "{%s}CrossIndustryInvoice" % NS["rsm"]
_DOC = "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/"
_TX = "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/"
_AGREEMENT = _TX + "ram:ApplicableHeaderTradeAgreement/"
_SETTLEMENT = _TX + "ram:ApplicableHeaderTradeSettlement/"
_SUM = _SETTLEMENT + "ram:SpecifiedTradeSettlementHeaderMonetarySummation/"


def is_cii(tree: etree._Element) -> bool:
    return tree.tag == ROOT


def parse(tree: etree._Element) -> EInvoice:
    currency = text(tree, _SETTLEMENT + "ram:InvoiceCurrencyCode", NS)
    invoice = EInvoice(
        syntax=CII,
        profile=text(tree, "/rsm:CrossIndustryInvoice/rsm:ExchangedDocumentContext"
                           "/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID", NS),  # BT-24
        number=text(tree, _DOC + "ram:ID", NS),  # BT-1
        issue_date=day(text(tree, _DOC + "ram:IssueDateTime/udt:DateTimeString", NS)),  # BT-2
        type_code=text(tree, _DOC + "ram:TypeCode", NS),  # BT-3
        currency=currency,  # BT-5
        line_total=amount(text(tree, _SUM + "ram:LineTotalAmount", NS)),  # BT-106
        total_ht=amount(text(tree, _SUM + "ram:TaxBasisTotalAmount", NS)),  # BT-109
        total_vat=in_currency(tree.xpath(_SUM + "ram:TaxTotalAmount", namespaces=NS), currency),  # BT-110
        total_ttc=amount(text(tree, _SUM + "ram:GrandTotalAmount", NS)),  # BT-112
        prepaid=amount(text(tree, _SUM + "ram:TotalPrepaidAmount", NS)),  # BT-113
        amount_due=amount(text(tree, _SUM + "ram:DuePayableAmount", NS)),  # BT-115
        seller=_party(tree, _AGREEMENT + "ram:SellerTradeParty/"),
        buyer=_party(tree, _AGREEMENT + "ram:BuyerTradeParty/"),
        lines=[_line(item) for item in tree.xpath(_TX + "ram:IncludedSupplyChainTradeLineItem", namespaces=NS)],
        notes=[n for n in (" ".join((e.text or "").split()) for e in tree.xpath(
            _DOC + "ram:IncludedNote/ram:Content | " + _SETTLEMENT + "ram:SpecifiedTradeAllowanceCharge/ram:Reason",
            namespaces=NS)) if n],  # BT-22, BT-97
    )
    return invoice



def _party(tree, base: str) -> Party:
    legal = text(tree, base + "ram:SpecifiedLegalOrganization/ram:ID", NS)  # BT-30
    scheme = text(tree, base + "ram:SpecifiedLegalOrganization/ram:ID/@schemeID", NS)
    if legal is None:  # BT-29 with a French scheme stands in for it
        for node in tree.xpath(base + "ram:GlobalID", namespaces=NS):
            if node.get("schemeID") in ("0002", "0009"):
                legal, scheme = " ".join((node.text or "").split()), node.get("schemeID")
                break
    siret, siren = company_ids(legal, scheme)
    if siret is None and siren:  # BT-30 the SIREN (French rules), the SIRET as BT-29 / BT-46 (scheme 0009)
        ids = ("".join((n.text or "").split()) for n in tree.xpath(base + "ram:GlobalID[@schemeID='0009']", namespaces=NS))
        siret = next((s for s in ids if len(s) == 14 and s.startswith(siren)), None)
    return Party(name=text(tree, base + "ram:Name", NS), siret=siret, siren=siren, legal_id=legal,
                 vat_number=text(tree, base + "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']", NS))  # BT-31


def _line(item) -> InvoiceLine:
    return InvoiceLine(
        name=text(item, "ram:SpecifiedTradeProduct/ram:Name", NS),  # BT-153
        quantity=amount(text(item, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity", NS)),  # BT-129
        unit_price=amount(text(item, "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount", NS)),  # BT-146
        net=amount(text(item, "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation"
                              "/ram:LineTotalAmount", NS)),  # BT-131
        vat_rate=amount(text(item, "ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:RateApplicablePercent", NS)),  # BT-152
        reference=text(item, "ram:SpecifiedTradeProduct/ram:SellerAssignedID", NS),  # BT-155
    )
