"""OASIS UBL 2.1 Invoice and CreditNote (Peppol BIS, XRechnung UBL, the French CIUS): the business
terms of EN 16931 at their UBL paths (EN 16931-3-2)."""
from __future__ import annotations

from lxml import etree

from .model import CREDIT_NOTE, UBL, EInvoice, InvoiceLine, Party
from .values import amount, company_ids, day, in_currency, text

CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
ROOTS = {"{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice",
         "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote"}
NS = {"cbc": CBC, "cac": CAC}
_TOTAL = "/*/cac:LegalMonetaryTotal/"


def is_ubl(tree: etree._Element) -> bool:
    return tree.tag in ROOTS


def parse(tree: etree._Element) -> EInvoice:
    currency = text(tree, "/*/cbc:DocumentCurrencyCode", NS)
    credit = tree.tag.endswith("}CreditNote")
    return EInvoice(
        syntax=UBL,
        profile=text(tree, "/*/cbc:CustomizationID", NS),  # BT-24
        number=text(tree, "/*/cbc:ID", NS),  # BT-1
        issue_date=day(text(tree, "/*/cbc:IssueDate", NS)),  # BT-2
        type_code=text(tree, "/*/cbc:InvoiceTypeCode | /*/cbc:CreditNoteTypeCode", NS) or (CREDIT_NOTE if credit else None),  # BT-3
        currency=currency,  # BT-5
        line_total=amount(text(tree, _TOTAL + "cbc:LineExtensionAmount", NS)),  # BT-106
        total_ht=amount(text(tree, _TOTAL + "cbc:TaxExclusiveAmount", NS)),  # BT-109
        total_vat=in_currency(tree.xpath("/*/cac:TaxTotal/cbc:TaxAmount", namespaces=NS), currency),  # BT-110
        total_ttc=amount(text(tree, _TOTAL + "cbc:TaxInclusiveAmount", NS)),  # BT-112
        prepaid=amount(text(tree, _TOTAL + "cbc:PrepaidAmount", NS)),  # BT-113
        amount_due=amount(text(tree, _TOTAL + "cbc:PayableAmount", NS)),  # BT-115
        seller=_party(tree, "/*/cac:AccountingSupplierParty/cac:Party/"),
        buyer=_party(tree, "/*/cac:AccountingCustomerParty/cac:Party/"),
        lines=[_line(node) for node in tree.xpath("/*/cac:InvoiceLine | /*/cac:CreditNoteLine", namespaces=NS)],
        notes=[n for n in (" ".join((e.text or "").split()) for e in tree.xpath(
            "/*/cbc:Note | /*/cac:AllowanceCharge[cbc:ChargeIndicator='false']/cbc:AllowanceChargeReason",
            namespaces=NS)) if n],  # BT-22, BT-97
    )



def _party(tree, base: str) -> Party:
    legal = text(tree, base + "cac:PartyLegalEntity/cbc:CompanyID", NS)  # BT-30
    scheme = text(tree, base + "cac:PartyLegalEntity/cbc:CompanyID/@schemeID", NS)
    siret, siren = company_ids(legal, scheme)
    return Party(name=text(tree, base + "cac:PartyLegalEntity/cbc:RegistrationName", NS)
                 or text(tree, base + "cac:PartyName/cbc:Name", NS),  # BT-27 / BT-44 (or the trading name)
                 siret=siret, siren=siren, legal_id=legal,
                 vat_number=text(tree, base + "cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID", NS))  # BT-31


def _line(node) -> InvoiceLine:
    return InvoiceLine(
        name=text(node, "cac:Item/cbc:Name", NS),  # BT-153
        quantity=amount(text(node, "cbc:InvoicedQuantity | cbc:CreditedQuantity", NS)),  # BT-129
        unit_price=amount(text(node, "cac:Price/cbc:PriceAmount", NS)),  # BT-146
        net=amount(text(node, "cbc:LineExtensionAmount", NS)),  # BT-131
        vat_rate=amount(text(node, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent", NS)),  # BT-152
        reference=text(node, "cac:Item/cac:SellersItemIdentification/cbc:ID", NS),  # BT-155
    )
