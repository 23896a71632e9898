"""The XML path on the real corpus (tests/ocr/real): every document that carries an XML (Factur-X /
ZUGFeRD PDFs, CII and UBL files), dev and holdout alike, gives the manifest's XML truth for the
number, date and totals. These are exact values, not rules tuned to documents. The documents are not
committed: without `tests/ocr/real/build/` (rebuilt by bench/real_corpus.py) the tests skip."""
import json
from pathlib import Path

import pytest

from qualirepar import einvoice

REAL = Path(__file__).resolve().parents[1] / "ocr" / "real"
MANIFEST = json.loads((REAL / "manifest.json").read_text())
XML_KINDS = ("xml-pdf", "cii", "ubl")
FIELDS = ("number", "issue_date", "currency", "total_ht", "total_vat", "total_ttc", "amount_due")
MALFORMED = {"berthier-xml-001"}  # its attachment is cut short: the reader must say so, not read it

if not (REAL / "build" / "docs").is_dir():  # one skip, not one per document, where the corpus is not built
    pytest.skip("real corpus not built here: python bench/real_corpus.py", allow_module_level=True)


def _documents():
    return [pytest.param(doc, id=doc["id"]) for doc in MANIFEST["documents"] if doc["kind"] in XML_KINDS]


def _file(doc) -> Path:
    path = REAL / "build" / "docs" / (doc["id"] + (".xml" if doc["kind"] in ("cii", "ubl") else ".pdf"))
    if not path.exists():
        pytest.skip("real corpus not built here (python bench/real_corpus.py)")
    return path


def _got(inv) -> dict:
    amount = lambda v: None if v is None else f"{v:.2f}"  # noqa: E731
    return {"number": inv.number, "issue_date": inv.issue_date.isoformat() if inv.issue_date else None,
            "currency": inv.currency, "total_ht": amount(inv.total_ht), "total_vat": amount(inv.total_vat),
            "total_ttc": amount(inv.total_ttc), "amount_due": amount(inv.amount_due)}


@pytest.mark.parametrize("doc", _documents())
def test_the_xml_gives_the_truth(doc):
    result = einvoice.read(_file(doc).read_bytes())
    if doc["id"] in MALFORMED:
        assert result.found and result.invoice is None and "mal formé" in result.problems[0]
        return
    truth = doc.get("xml_truth") or doc["truth"]
    assert result.exact, "not read as an exact e-invoice"
    got = _got(result.invoice)
    wrong = [name for name in FIELDS if name in truth and got[name] != truth[name]]
    assert not wrong, f"fields that differ from the XML truth: {wrong}"  # names only: holdout values stay unseen


@pytest.mark.parametrize("doc", _documents())
def test_the_seller_and_buyer_from_the_xml(doc):
    result = einvoice.read(_file(doc).read_bytes())
    if result.invoice is None:
        pytest.skip("no readable XML")
    truth, inv = doc.get("xml_truth") or doc["truth"], result.invoice
    got = {"seller_siret": inv.seller.siret, "seller_siren": inv.seller.siren, "seller_vat": inv.seller.vat_number,
           "buyer_name": inv.buyer.name}
    wrong = [name for name in got if name in truth and got[name] != truth[name]]
    assert not wrong, f"fields that differ from the XML truth: {wrong}"
