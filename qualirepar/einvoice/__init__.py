"""E-invoices read exactly from their XML (EN 16931 in CII or UBL syntax): Factur-X / ZUGFeRD PDFs,
standalone CII and UBL files. Shared by the OCR of uploaded invoices and by e-invoicing.

- `model`: what an e-invoice says (EInvoice, Party, InvoiceLine), by business term (BT-xx);
- `cii`, `ubl`: the two syntaxes; `values`: text, amounts, dates, SIRET / SIREN from the XML;
- `pdf`: the XML a PDF carries; `reader`: the entry point, `read(data) -> Result`.
"""
from .model import CII, CREDIT_NOTE, INVOICE, UBL, EInvoice, InvoiceLine, Party
from .reader import STANDALONE, Result, check_schema, is_pdf, looks_like_xml_invoice, read, read_xml

__all__ = ["CII", "CREDIT_NOTE", "INVOICE", "STANDALONE", "UBL", "EInvoice", "InvoiceLine", "Party", "Result",
           "check_schema", "is_pdf", "looks_like_xml_invoice", "read", "read_xml"]
