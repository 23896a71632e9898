"""Reading a document: a PDF's text layer directly, otherwise Tesseract on cleaned page images.

Pure (no Flask, no database): it runs inside RQ jobs. Input is the file's bytes and its declared
type; the type is checked against the content (magic bytes), and the content decides.

- PDF: each page's text layer (pypdfium2) is used when it is usable (enough real characters and
  not a scan with a token text line over a full-page picture); otherwise the page is rendered at
  300 dpi (less if that would pass the pixel limit) and read by OCR.
- JPEG, PNG, HEIC: always OCR. The header's size is checked before any decoding (40 Mpx limit:
  decompression bombs).
- OCR: the page cleaned and read by Tesseract (see `tesseract`), with a time limit per page.
"""
from __future__ import annotations

import io
import time
import warnings
from collections.abc import Callable

import pillow_heif
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from ..core.refusal import Refusal
from . import tesseract, textlayer
from .reading import Page, Reading, Word
from .tesseract import OcrTimeout, OcrUnavailable, tesseract_available

__all__ = ["DocumentRefused", "OcrTimeout", "OcrUnavailable", "Page", "Reading", "Word", "read", "sniff",
           "tesseract_available"]

MAX_PIXELS = 40_000_000
RENDER_DPI = 300
CONTENT_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpeg", "image/jpg": "jpeg", "image/pjpeg": "jpeg",
                 "image/png": "png", "image/heic": "heic", "image/heif": "heic"}
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"}


class DocumentRefused(Refusal):
    """Not a readable PDF, JPEG, PNG or HEIC, or too large."""


# ---------------------------------------------------------------- entry point

def sniff(data: bytes) -> str | None:
    """pdf, jpeg, png or heic from the first bytes; None otherwise."""
    head = data[:1024]
    if b"%PDF-" in head:  # PDF readers accept a little junk before the header
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[4:8] == b"ftyp" and (head[8:12] in HEIF_BRANDS):
        return "heic"
    return None


def read(data: bytes, content_type: str, *, langs: str = "fra+eng", page_timeout: float = 20, max_pages: int = 10,
         progress: Callable[[int, int], None] | None = None) -> Reading:
    """Read a PDF, JPEG, PNG or HEIC document. progress(done, total) is called after each page."""
    kind = sniff(data or b"")
    declared = CONTENT_TYPES.get((content_type or "").split(";")[0].strip().lower())
    if kind is None:
        if declared:
            raise DocumentRefused("Le fichier ne correspond pas à son type annoncé : il est illisible ou endommagé.")
        raise DocumentRefused("Format non pris en charge : envoyez un PDF, une photo JPEG, PNG ou HEIC.")
    if kind == "pdf":
        return _read_pdf(data, langs, page_timeout, max_pages, progress)
    image = _open_image(data, kind)
    tesseract.check(langs)
    page = tesseract.read_page(image, langs, page_timeout, number=1)
    if progress:
        progress(1, 1)
    return Reading([page])


# ---------------------------------------------------------------- images

def _open_image(data: bytes, kind: str) -> Image.Image:
    if kind == "heic":
        pillow_heif.register_heif_opener()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise DocumentRefused(f"Image trop grande ({width} × {height} pixels, {MAX_PIXELS // 1_000_000} millions au plus).")
            if width < 16 or height < 16:
                raise DocumentRefused("Image trop petite pour être lue.")
            image.load()
    except DocumentRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise DocumentRefused(f"Image trop grande ({MAX_PIXELS // 1_000_000} millions de pixels au plus).") from exc
    except Exception as exc:  # noqa: BLE001 - any decoder error means the same thing here
        raise DocumentRefused("Image illisible ou endommagée.") from exc
    return image


# ---------------------------------------------------------------- PDF

def _read_pdf(data: bytes, langs: str, page_timeout: float, max_pages: int,
              progress: Callable[[int, int], None] | None) -> Reading:
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        message = str(exc).lower()
        if "password" in message:
            raise DocumentRefused("PDF protégé par un mot de passe : envoyez une version sans protection.") from exc
        raise DocumentRefused("PDF illisible ou endommagé.") from exc
    try:
        total = len(pdf)
        if total == 0:
            raise DocumentRefused("Le PDF ne contient aucune page.")
        if total > max_pages:
            raise DocumentRefused(f"Le PDF a {total} pages ; {max_pages} au plus sont lues.")
        pages: list[Page] = []
        checked = False
        for index in range(total):
            start = time.perf_counter()
            page = pdf[index]
            try:
                if _text_layer(page) is not None:
                    text, words = _laid_out(page)
                    pages.append(Page(text, words, "text", round(time.perf_counter() - start, 3)))
                else:
                    if not checked:
                        tesseract.check(langs)
                        checked = True
                    image = _render(page)
                    pages.append(tesseract.read_page(image, langs, page_timeout, number=index + 1, started=start))
            finally:
                page.close()
            if progress:
                progress(index + 1, total)
        return Reading(pages)
    finally:
        pdf.close()


def _text_layer(page) -> str | None:
    """The page's text if its text layer is usable, else None (OCR it)."""
    textpage = page.get_textpage()
    try:
        raw = textpage.get_text_range()
    finally:
        textpage.close()
    text = _tidy(raw)
    visible = [ch for ch in text if not ch.isspace()]
    if len(visible) < 20:
        return None
    good = sum(1 for ch in visible if ch.isalnum() or ch in ".,;:!?'\"()[]/-+*%€$&@#°_=<>«»–—’·")
    if good / len(visible) < 0.8 or text.count("\ufffd") > 3:
        return None  # fonts without a usable encoding: the text layer is gibberish
    if len(visible) < 200:  # a little text over a full-page picture: a scan with a stamp or a header
        width, height = page.get_size()
        covered = 0.0
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
            left, bottom, right, top = obj.get_bounds()
            covered += max(0.0, right - left) * max(0.0, top - bottom)
        if width * height and covered / (width * height) > 0.5:
            return None
    return text


def _laid_out(page) -> tuple[str, list[Word]]:
    """The text layer in reading order, each word with its box (see `textlayer`)."""
    textpage = page.get_textpage()
    try:
        return textlayer.page_text(textpage, page.get_size()[1])
    finally:
        textpage.close()


def _tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x02", "-").replace("\ufeff", "")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(lines).strip()


def _render(page) -> Image.Image:
    """The page as a grayscale picture: RENDER_DPI, or the resolution of the scan it holds when
    that is lower (no point in inventing pixels; 150 dpi at least), within the pixel limit."""
    width, height = page.get_size()  # points
    dpi = RENDER_DPI
    scan = _scan_dpi(page, width, height)
    if scan:
        dpi = max(150, min(RENDER_DPI, scan))
    scale = dpi / 72
    if width * height * scale * scale > MAX_PIXELS:
        scale = (MAX_PIXELS / (width * height)) ** 0.5
    if width * scale < 16 or height * scale < 16:
        raise DocumentRefused("Page de PDF trop petite pour être lue.")
    return page.render(scale=scale, grayscale=True).to_pil()


def _scan_dpi(page, width: float, height: float) -> float | None:
    """The resolution of a picture covering most of the page (a scanned page), if there is one."""
    try:
        for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
            left, bottom, right, top = obj.get_bounds()
            if (right - left) * (top - bottom) < 0.8 * width * height:
                continue
            px_w, px_h = obj.get_px_size()
            return min(px_w / ((right - left) / 72), px_h / ((top - bottom) / 72))
    except Exception:  # noqa: BLE001 - an odd picture object: render at the default resolution
        return None
    return None
