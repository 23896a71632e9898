"""Reading documents: text layer, OCR of damaged scans and photos, refusals, Tesseract missing.

Samples come from the generated corpus (tests/ocr/corpus.py), a few of each kind; the bench
(bench/ocr.py) reads them all.
"""
from __future__ import annotations

import io

import pytest

from qualirepar.ocr import preprocess, reader, tesseract
from qualirepar.ocr.extraction import invoice_fields, nameplate_fields

from . import corpus

needs_tesseract = pytest.mark.skipif(not reader.tesseract_available(), reason="Tesseract (fra+eng) is not installed")
KEY_FIELDS = ("number", "date", "total_ttc", "bonus", "siret")  # what the claim check compares, and the seller


@pytest.fixture(autouse=True)
def _fresh_state():
    """Pure functions: no app, no database (overrides the suite's autouse fixture)."""
    yield


def right_fields(found: dict, truth: dict) -> set[str]:
    return {name for name, want in truth.items() if name in found and found[name].value == want}


def test_a_text_layer_pdf_is_read_without_ocr(monkeypatch):
    import pytesseract

    def no_ocr(*args, **kwargs):
        raise AssertionError("a PDF with a text layer must not be OCRed")

    monkeypatch.setattr(pytesseract, "image_to_data", no_ocr)
    monkeypatch.setattr(pytesseract, "image_to_osd", no_ocr)
    sample = corpus.invoice_sample(7, "qualirepar", "text")  # the app's own invoice PDF
    calls = []
    reading = reader.read(sample.data, "application/pdf", progress=lambda done, total: calls.append((done, total)))
    assert [p.method for p in reading.pages] == ["text"]
    assert calls == [(1, 1)]
    assert all(w.conf == 100 for w in reading.pages[0].words)
    found = invoice_fields(reading)
    assert {k: f.value for k, f in found.items() if k != "amount_due"} == sample.truth  # the corpus has no amount due


@needs_tesseract
def test_a_damaged_scan_is_read_by_ocr():
    sample = corpus.invoice_sample(8, "atelier", "scan150")  # 150 dpi, ±3°, blur, noise, JPEG q45
    reading = reader.read(sample.data, sample.content_type)
    page = reading.pages[0]
    assert page.method == "ocr" and page.rotated == 0 and 0 < page.seconds < 20
    assert page.words and all(0 <= w.conf <= 100 for w in page.words)
    found = invoice_fields(reading)
    assert set(KEY_FIELDS) <= right_fields(found, sample.truth)
    assert len(right_fields(found, sample.truth)) >= 9
    assert found["total_ttc"].confidence > 0.8


@needs_tesseract
def test_a_scanned_pdf_without_text_is_rasterised_and_read():
    sample = corpus.invoice_sample(9, "simple", "pdfscan")
    reading = reader.read(sample.data, "application/pdf")
    assert [p.method for p in reading.pages] == ["ocr"]
    assert set(KEY_FIELDS) <= right_fields(invoice_fields(reading), sample.truth)


@needs_tesseract
def test_a_scan_fed_sideways_is_turned_upright():
    sample = corpus.invoice_sample(10, "moderne", "rot90")
    assert sample.meta["turn"] in (90, 270)
    reading = reader.read(sample.data, sample.content_type)
    assert reading.pages[0].rotated == sample.meta["turn"]
    assert set(KEY_FIELDS) <= right_fields(invoice_fields(reading), sample.truth)


@needs_tesseract
def test_a_nameplate_photo_gives_serial_and_model():
    sample = corpus.nameplate_sample(11, "electrolux", "glare")
    found = nameplate_fields(reader.read(sample.data, sample.content_type))
    assert {k: f.value for k, f in found.items() if k != "amount_due"} == sample.truth  # the corpus has no amount due
    assert found["serial_number"].source.startswith("S/N")


@needs_tesseract
def test_a_heic_photo_is_read():
    pillow_heif = pytest.importorskip("pillow_heif")
    if not pillow_heif.libheif_info().get("HEIF"):
        pytest.skip("pillow_heif cannot write HEIC here")
    sample = corpus.nameplate_sample(12, "samsung", "heic")
    assert sample.data[4:12] == b"ftypheic"
    found = nameplate_fields(reader.read(sample.data, "image/heic"))
    assert {k: f.value for k, f in found.items() if k != "amount_due"} == sample.truth  # the corpus has no amount due


def test_a_decompression_bomb_is_refused():
    bomb = corpus.png_bomb()
    assert len(bomb) < 100_000
    with pytest.raises(reader.DocumentRefused, match="trop grande"):
        reader.read(bomb, "image/png")


@pytest.mark.parametrize("data, content_type", [
    (b"GIF89a" + b"\x00" * 100, "image/gif"),
    (b"Bonjour", "text/plain"),
    (b"", "application/pdf"),
    (b"%PDF-1.7\nnot really a pdf", "application/pdf"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 50, "image/jpeg"),
])
def test_what_is_not_a_readable_document_is_refused(data, content_type):
    with pytest.raises(reader.DocumentRefused) as refused:
        reader.read(data, content_type)
    assert any(word in str(refused.value) for word in ("illisible", "pris en charge", "endommag", "type annoncé"))


def test_too_many_pages_refused():
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    for _ in range(3):
        pdf.new_page(595, 842)
    buf = io.BytesIO()
    pdf.save(buf)
    with pytest.raises(reader.DocumentRefused, match="3 pages"):
        reader.read(buf.getvalue(), "application/pdf", max_pages=2)


def test_tesseract_missing(monkeypatch):
    import pytesseract

    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    assert reader.tesseract_available() is False
    photo = corpus.nameplate_sample(13, "samsung")
    with pytest.raises(reader.OcrUnavailable, match="Tesseract"):
        reader.read(photo.data, photo.content_type)
    sample = corpus.invoice_sample(7, "atelier", "text")  # a text layer still reads
    assert reader.read(sample.data, "application/pdf").pages[0].method == "text"


def test_tesseract_without_the_language(monkeypatch):
    monkeypatch.setattr(tesseract, "_installed_languages", lambda path: {"eng", "osd"})
    photo = corpus.nameplate_sample(13, "samsung")
    with pytest.raises(reader.OcrUnavailable, match="fra"):
        reader.read(photo.data, photo.content_type)


@needs_tesseract
def test_page_time_limit():
    photo = corpus.nameplate_sample(14, "bsh")
    with pytest.raises(reader.OcrTimeout, match="dépassé"):
        reader.read(photo.data, photo.content_type, page_timeout=0.01)
    assert issubclass(reader.OcrTimeout, reader.OcrUnavailable)


def test_the_content_decides_not_the_declared_type():
    sample = corpus.invoice_sample(7, "simple", "text")
    assert reader.read(sample.data, "image/jpeg").pages[0].method == "text"


def test_reading_text_joins_pages():
    pages = [reader.Page("un", [], "text", 0.0), reader.Page("deux", [], "ocr", 1.0)]
    assert reader.Reading(pages).text == "un\n\f\ndeux"


def test_clean_levels_a_skewed_page():
    from PIL import Image

    sample = corpus.invoice_sample(15, "simple", "scan150")
    image = Image.open(io.BytesIO(sample.data))
    angle, vertical = preprocess.skew_and_axis(image.convert("L"))
    assert not vertical
    assert angle == pytest.approx(-sample.meta["skew"], abs=0.2)
    cleaned, rotation = preprocess.clean(image, osd=False)
    assert rotation == 0 and cleaned.mode == "L"
    assert preprocess.skew_and_axis(cleaned)[0] == pytest.approx(0, abs=0.2)
