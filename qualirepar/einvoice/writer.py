"""The CII XML (UN/CEFACT D16B, Factur-X 1.0 profile EN 16931) of an invoice or credit note we issue.

Built with lxml in the element order of the Factur-X EN 16931 XSD, every field the PDF shows at
the business term EN 16931-1 gives it (BT-xx beside each). Amounts are the invoice's, never
computed again here; a credit note (BT-3 = 381) states them positive, as EN 16931 wants (the type
code makes it a credit), and names the invoice it cancels (BT-25, BT-26).

The bonus réparation is money the eco-organism pays for the customer, not a price reduction: it is
not a document allowance (BG-20, which would lower the VAT base BT-109 = BT-106 − BT-107 + BT-108),
but an amount already paid (BT-113 «Paid amount: the sum of amounts which have been paid in
advance»), with deposits, so that BT-115 «Amount due for payment» = BT-112 − BT-113; an invoice note
(BT-22) names the organism and the scheme.

Pure: no Flask app, no database (the caller passes the snapshots and a `Context`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from ..core.money import french_amount
from .cii import NS
from .mentions import Mentions, buyer_siren

PROFILE = "urn:cen.eu:en16931:2017"  # BT-24, Factur-X 1.0 EN 16931 (COMFORT)
SIRENE, SIRET_SCHEME, FR_ROUTING = "0002", "0009", "0225"  # ISO 6523 ICD: SIREN / SIRET; French e-invoicing routing
HOURS, UNIT = "HUR", "C62"  # UN/ECE Rec. 20: labour by the hour, the rest by the piece
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Context:
    """What the invoice row does not hold."""

    mentions: Mentions
    organism: str | None = None  # the eco-organism's name, for the bonus note
    deposits: Decimal = ZERO  # deposits already paid on the order (BT-113 with the bonus)
    delivered_on: dt.date | None = None  # BT-72: the repair done
    credited: tuple[str, dt.date] | None = None  # BT-25, BT-26 of a credit note
    franchise: bool = False  # VAT franchise (CGI art. 293 B): a 0 % line is exempt (E), not zero rated (Z)
    notes: tuple[tuple[str, str], ...] = ()  # (UNTDID 4451 subject code, text): BT-21, BT-22


def _q(ns: str, tag: str) -> str:
    return "{%s}%s" % (NS[ns], tag)


def _sub(parent, tag: str, text=None, **attrib):
    ns, name = tag.split(":")
    node = etree.SubElement(parent, _q(ns, name), {k: v for k, v in attrib.items() if v is not None})
    if text is not None:
        node.text = str(text)
    return node


def _amount(value) -> str:
    return f"{abs(Decimal(value)).quantize(Decimal('0.01'))}"


def _date(parent, tag: str, day: dt.date, dtype: str = "udt") -> None:
    holder = _sub(parent, tag)
    _sub(holder, f"{dtype}:DateTimeString", day.strftime("%Y%m%d"), format="102")


def category(rate: Decimal, franchise: bool) -> str:
    """BT-151 / BT-118 (UNCL 5305): S standard or reduced rate, E exempt, Z zero rated."""
    if Decimal(rate) > 0:
        return "S"
    return "E" if franchise else "Z"


WARRANTY = ("Garantie commerciale de 3 mois sur la réparation (pièces et main-d'œuvre) à compter de la restitution "
            "de l'appareil (référentiel QualiRépar).")
EXEMPTION = "TVA non applicable, art. 293 B du CGI"  # BT-120 of a franchise (the wording the CGI requires)


def build(invoice, lines, ctx: Context) -> bytes:
    """The XML of `invoice` (an Invoice row, flushed or not) and its `lines`."""
    credit = invoice.kind == "credit_note"
    root = etree.Element(_q("rsm", "CrossIndustryInvoice"), nsmap={k: v for k, v in NS.items()})
    context = _sub(root, "rsm:ExchangedDocumentContext")
    _sub(_sub(context, "ram:BusinessProcessSpecifiedDocumentContextParameter"), "ram:ID", ctx.mentions.process_type)  # BT-23
    _sub(_sub(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", PROFILE)  # BT-24
    doc = _sub(root, "rsm:ExchangedDocument")
    _sub(doc, "ram:ID", invoice.number)  # BT-1
    _sub(doc, "ram:TypeCode", "381" if credit else "380")  # BT-3
    _date(doc, "ram:IssueDateTime", invoice.issued_on)  # BT-2
    for subject, content in _notes(invoice, ctx):
        note = _sub(doc, "ram:IncludedNote")
        _sub(note, "ram:Content", content)  # BT-22
        _sub(note, "ram:SubjectCode", subject)  # BT-21
    tx = _sub(root, "rsm:SupplyChainTradeTransaction")
    for number, line in enumerate(lines, start=1):
        _line(tx, number, line, ctx)
    _agreement(tx, invoice)
    _delivery(tx, invoice, ctx)
    _settlement(tx, invoice, ctx)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _notes(invoice, ctx: Context) -> list[tuple[str, str]]:
    device = invoice.appliance or {}
    notes: list[tuple[str, str]] = []
    appliance = " ".join(filter(None, (device.get("product"), device.get("brand"), device.get("model"))))
    notes.append(("AAI", f"Dossier {device.get('order')} - Appareil : {appliance}, n° de série {device.get('serial')}"))
    if device.get("reason"):
        notes.append(("AAI", f"Motif de l'avoir : {device['reason']}"))
    if invoice.bonus_amount:
        notes.append(("AAI", f"Bonus réparation QualiRépar de {french_amount(abs(invoice.bonus_amount))} € versé par l'éco-organisme "
                             f"{ctx.organism or invoice.bonus_organism} pour le compte du client (fonds réparation des "
                             "équipements électriques et électroniques, art. L. 541-10-4 du code de l'environnement) : "
                             "montant déjà payé, il ne réduit pas la base de la TVA."))
    if invoice.kind == "invoice":
        notes.append(("AAI", WARRANTY))
    notes.append(("AAI", ctx.mentions.nature_text))
    if ctx.mentions.option_debits_text:
        notes.append(("AAI", ctx.mentions.option_debits_text))
    # The payment mentions (code de commerce art. L. 441-9), with the subject codes the French rules use.
    notes.append(("PMD", "En cas de retard de paiement, pénalités au taux légal en vigueur."))
    notes.append(("AAB", "Pas d'escompte pour paiement anticipé."))
    if (invoice.buyer or {}).get("kind") == "business":
        notes.append(("PMT", "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 € "
                             "(code de commerce, art. L. 441-10 et D. 441-5)."))
    return notes + list(ctx.notes)


def _line(tx, number: int, line, ctx: Context) -> None:
    item = _sub(tx, "ram:IncludedSupplyChainTradeLineItem")
    doc = _sub(item, "ram:AssociatedDocumentLineDocument")
    _sub(doc, "ram:LineID", number)  # BT-126
    if line.part_origin == "reused":
        _sub(_sub(doc, "ram:IncludedNote"), "ram:Content", "Pièce de réemploi (économie circulaire)")  # BT-127
    product = _sub(item, "ram:SpecifiedTradeProduct")
    if line.part_reference:
        _sub(product, "ram:SellerAssignedID", line.part_reference)  # BT-155
    _sub(product, "ram:Name", line.label)  # BT-153
    price = _sub(_sub(item, "ram:SpecifiedLineTradeAgreement"), "ram:NetPriceProductTradePrice")
    _sub(price, "ram:ChargeAmount", _amount(line.unit_price))  # BT-146
    quantity = abs(Decimal(line.quantity)).normalize()
    _sub(_sub(item, "ram:SpecifiedLineTradeDelivery"), "ram:BilledQuantity", f"{quantity:f}",
         unitCode=HOURS if line.kind == "labour" else UNIT)  # BT-129, BT-130
    settlement = _sub(item, "ram:SpecifiedLineTradeSettlement")
    tax = _sub(settlement, "ram:ApplicableTradeTax")
    _sub(tax, "ram:TypeCode", "VAT")
    _sub(tax, "ram:CategoryCode", category(line.vat_rate, ctx.franchise))  # BT-151
    _sub(tax, "ram:RateApplicablePercent", f"{Decimal(line.vat_rate):.2f}")  # BT-152
    total = _sub(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    _sub(total, "ram:LineTotalAmount", _amount(line.total_ht))  # BT-131


def _address(parent, street, postcode, city) -> None:
    address = _sub(parent, "ram:PostalTradeAddress")
    if postcode:
        _sub(address, "ram:PostcodeCode", postcode)
    if street:
        _sub(address, "ram:LineOne", street)
    if city:
        _sub(address, "ram:CityName", city)
    _sub(address, "ram:CountryID", "FR")


def _seller(agreement, seller: dict) -> None:
    party = _sub(agreement, "ram:SellerTradeParty")
    siret = seller.get("siret") or ""
    if siret:
        _sub(party, "ram:GlobalID", siret, schemeID=SIRET_SCHEME)  # BT-29
    _sub(party, "ram:Name", seller.get("name"))  # BT-27
    if seller.get("label_number"):
        _sub(party, "ram:Description", f"Réparateur labellisé QualiRépar n° {seller['label_number']}")  # BT-33
    if siret:
        _sub(_sub(party, "ram:SpecifiedLegalOrganization"), "ram:ID", siret[:9], schemeID=SIRENE)  # BT-30
    if seller.get("phone") or seller.get("email"):
        contact = _sub(party, "ram:DefinedTradeContact")
        if seller.get("phone"):
            _sub(_sub(contact, "ram:TelephoneUniversalCommunication"), "ram:CompleteNumber", seller["phone"])  # BT-42
        if seller.get("email"):
            _sub(_sub(contact, "ram:EmailURIUniversalCommunication"), "ram:URIID", seller["email"])  # BT-43
    lines = list(seller.get("address") or [])
    street = lines[0] if len(lines) > 1 else None
    town = lines[-1] if lines else ""
    postcode, _, city = town.partition(" ") if town[:5].isdigit() else ("", "", town)
    _address(party, street, postcode or None, city or None)  # BG-5
    if siret:
        _sub(_sub(party, "ram:URIUniversalCommunication"), "ram:URIID", siret[:9], schemeID=FR_ROUTING)  # BT-34
    tax = _sub(party, "ram:SpecifiedTaxRegistration")
    if seller.get("vat_number"):
        _sub(tax, "ram:ID", seller["vat_number"], schemeID="VA")  # BT-31
    else:  # no intra-EU number known: the local tax registration (BT-32) is the SIREN
        _sub(tax, "ram:ID", siret[:9], schemeID="FC")


def _buyer(agreement, buyer: dict) -> None:
    party = _sub(agreement, "ram:BuyerTradeParty")
    business = buyer.get("kind") == "business"
    person = " ".join(filter(None, (buyer.get("title"), (buyer.get("last_name") or "").upper(), buyer.get("first_name"))))
    if business and buyer.get("siret"):
        _sub(party, "ram:GlobalID", buyer["siret"], schemeID=SIRET_SCHEME)  # BT-46
    _sub(party, "ram:Name", (buyer.get("company") if business else None) or person)  # BT-44
    siren = buyer_siren(buyer)
    if siren:
        _sub(_sub(party, "ram:SpecifiedLegalOrganization"), "ram:ID", siren, schemeID=SIRENE)  # BT-47
    if business and person:
        _sub(_sub(party, "ram:DefinedTradeContact"), "ram:PersonName", person)  # BT-56
    billing = buyer.get("billing") or {}
    where = billing if any(billing.get(k) for k in ("street", "postcode", "city")) else buyer
    _address(party, where.get("street"), where.get("postcode"), where.get("city"))  # BG-8
    if siren:  # a private person's e-mail is not printed on the invoice: not in its XML either
        _sub(_sub(party, "ram:URIUniversalCommunication"), "ram:URIID", siren, schemeID=FR_ROUTING)  # BT-49
    if business and buyer.get("vat_number"):
        _sub(_sub(party, "ram:SpecifiedTaxRegistration"), "ram:ID", buyer["vat_number"], schemeID="VA")  # BT-48


def _agreement(tx, invoice) -> None:
    agreement = _sub(tx, "ram:ApplicableHeaderTradeAgreement")
    _seller(agreement, invoice.seller or {})
    _buyer(agreement, invoice.buyer or {})
    if (invoice.buyer or {}).get("po_reference"):
        _sub(_sub(agreement, "ram:BuyerOrderReferencedDocument"), "ram:IssuerAssignedID", invoice.buyer["po_reference"])  # BT-13


def _delivery(tx, invoice, ctx: Context) -> None:
    delivery = _sub(tx, "ram:ApplicableHeaderTradeDelivery")
    place = ctx.mentions.delivery
    if place:  # BG-13: the place of the home repair, where it differs from the invoice address
        ship = _sub(delivery, "ram:ShipToTradeParty")
        buyer = invoice.buyer or {}
        _sub(ship, "ram:Name", buyer.get("company") or " ".join(filter(None, (buyer.get("last_name"), buyer.get("first_name")))))  # BT-70
        _address(ship, place.get("street"), place.get("postcode"), place.get("city"))  # BG-15
    if ctx.delivered_on:
        _date(_sub(delivery, "ram:ActualDeliverySupplyChainEvent"), "ram:OccurrenceDateTime", ctx.delivered_on)  # BT-72


def _settlement(tx, invoice, ctx: Context) -> None:
    settlement = _sub(tx, "ram:ApplicableHeaderTradeSettlement")
    _sub(settlement, "ram:InvoiceCurrencyCode", "EUR")  # BT-5
    means = _sub(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
    _sub(means, "ram:TypeCode", "1")  # BT-81, UNTDID 4461 «instrument not defined»: paid at the counter
    _sub(means, "ram:Information", "Au comptoir : espèces, carte bancaire ou chèque")  # BT-82
    for row in invoice.vat_breakdown:
        tax = _sub(settlement, "ram:ApplicableTradeTax")  # BG-23
        code = category(Decimal(row["rate"]), ctx.franchise)
        _sub(tax, "ram:CalculatedAmount", _amount(row["vat"]))  # BT-117
        _sub(tax, "ram:TypeCode", "VAT")
        if code == "E":
            _sub(tax, "ram:ExemptionReason", EXEMPTION)  # BT-120
        _sub(tax, "ram:BasisAmount", _amount(row["base"]))  # BT-116
        _sub(tax, "ram:CategoryCode", code)  # BT-118
        if code == "E":
            _sub(tax, "ram:ExemptionReasonCode", "VATEX-FR-FRANCHISE")  # BT-121
        if ctx.mentions.option_debits and code == "S":
            _sub(tax, "ram:DueDateTypeCode", "5")  # BT-8, UNTDID 2475: VAT due at the invoice date (débits)
        _sub(tax, "ram:RateApplicablePercent", f"{Decimal(row['rate']):.2f}")  # BT-119
    terms = _sub(settlement, "ram:SpecifiedTradePaymentTerms")
    _sub(terms, "ram:Description", "Paiement à réception.")  # BT-20
    _date(terms, "ram:DueDateDateTime", invoice.issued_on)  # BT-9
    prepaid = abs(Decimal(invoice.bonus_amount or 0)) + (ZERO if invoice.kind == "credit_note" else ctx.deposits)
    total = _sub(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _sub(total, "ram:LineTotalAmount", _amount(sum((Decimal(ln["base"]) for ln in invoice.vat_breakdown), ZERO)))  # BT-106
    _sub(total, "ram:TaxBasisTotalAmount", _amount(invoice.total_ht))  # BT-109
    vat = getattr(invoice, "total_vat", None)
    vat = Decimal(invoice.total_ttc) - Decimal(invoice.total_ht) if vat is None else vat
    _sub(total, "ram:TaxTotalAmount", _amount(vat), currencyID="EUR")  # BT-110
    _sub(total, "ram:GrandTotalAmount", _amount(invoice.total_ttc))  # BT-112
    _sub(total, "ram:TotalPrepaidAmount", _amount(prepaid))  # BT-113
    _sub(total, "ram:DuePayableAmount", _amount(abs(Decimal(invoice.total_ttc)) - prepaid))  # BT-115
    if ctx.credited:
        ref = _sub(settlement, "ram:InvoiceReferencedDocument")
        _sub(ref, "ram:IssuerAssignedID", ctx.credited[0])  # BT-25
        _date(ref, "ram:FormattedIssueDateTime", ctx.credited[1], dtype="qdt")  # BT-26
