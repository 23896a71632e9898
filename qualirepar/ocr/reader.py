"""Reading a document: a PDF's text layer directly, otherwise Tesseract on cleaned page images.

Pure (no Flask, no database): it runs inside RQ jobs. Input is the file's bytes and its declared
type; the type is checked against the content (magic bytes), and the content decides.

- PDF: each page's text layer (pypdfium2) is used when it is usable (enough real characters and
  not a scan with a token text line over a full-page picture); otherwise the page is rendered at
  300 dpi (less if that would pass the pixel limit) and read by OCR.
- JPEG, PNG, HEIC: always OCR. The header's size is checked before any decoding (40 Mpx limit:
  decompression bombs).
- OCR: preprocess.clean (grayscale, quarter turns, skew, size, contrast), then Tesseract through
  pytesseract (`--psm 3`), with a time limit per page. When the words come out with a poor
  confidence, Tesseract's orientation detection (OSD) is asked whether the page is upside down
  or on its side, and the better of the two readings is kept.

Tesseract's OpenMP threads are limited to one per process (OMP_THREAD_LIMIT, unless already set):
on a two-core machine its default threading made a page take 5–8 s instead of under one; run
several workers to use more cores.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from PIL import Image  # noqa: E402

from ..core.refusal import Refusal
from . import preprocess  # noqa: E402

MAX_PIXELS = 40_000_000
RENDER_DPI = 300
LOW_CONFIDENCE = 75.0  # mean word confidence under which the orientation is questioned
CONTENT_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpeg", "image/jpg": "jpeg", "image/pjpeg": "jpeg",
                 "image/png": "png", "image/heic": "heic", "image/heif": "heic"}
HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"}


@dataclass
class Word:
    text: str
    conf: float  # 0..100 (text layer: 100)


@dataclass
class Page:
    text: str
    words: list[Word]
    method: str  # "text" (PDF text layer) or "ocr"
    seconds: float
    rotated: int = 0  # clockwise degrees turned by orientation detection
    mean_conf: float = field(default=100.0, repr=False)


@dataclass
class Reading:
    pages: list[Page]

    @property
    def text(self) -> str:
        return "\n\f\n".join(p.text for p in self.pages)


class OcrUnavailable(Exception):
    """Tesseract missing, without the language data, or failing."""


class OcrTimeout(OcrUnavailable):
    """A page took longer than the time limit."""


class DocumentRefused(Refusal):
    """Not a readable PDF, JPEG, PNG or HEIC, or too large."""


# ---------------------------------------------------------------- Tesseract

def _tesseract_cmd() -> str:
    import pytesseract

    return pytesseract.pytesseract.tesseract_cmd


_langs_cache: dict[str, set[str]] = {}


def _installed_languages(path: str) -> set[str]:
    if path not in _langs_cache:
        out = subprocess.run([path, "--list-langs"], capture_output=True, text=True, timeout=15)
        if out.returncode != 0:
            raise OcrUnavailable(f"Tesseract ne répond pas ({out.stderr.strip()[:120]}).")
        _langs_cache[path] = {line.strip() for line in out.stdout.splitlines()[1:] if line.strip()}
    return _langs_cache[path]


def _check_tesseract(langs: str) -> set[str]:
    """The installed languages; OcrUnavailable (in French) when Tesseract cannot read `langs`."""
    path = shutil.which(_tesseract_cmd())
    if not path:
        raise OcrUnavailable("Tesseract n'est pas installé sur ce serveur : la lecture automatique des images est impossible.")
    try:
        installed = _installed_languages(path)
    except (OSError, subprocess.SubprocessError) as exc:
        raise OcrUnavailable(f"Tesseract ne fonctionne pas ({exc}).") from exc
    missing = [lang for lang in langs.split("+") if lang and lang not in installed]
    if missing:
        raise OcrUnavailable("Données de langue Tesseract manquantes : " + ", ".join(missing) + ".")
    return installed


def tesseract_available(langs: str = "fra+eng") -> bool:
    try:
        _check_tesseract(langs)
    except OcrUnavailable:
        return False
    return True


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
    _check_tesseract(langs)
    page = _ocr_page(image, langs, page_timeout, number=1)
    if progress:
        progress(1, 1)
    return Reading([page])


# ---------------------------------------------------------------- images

def _open_image(data: bytes, kind: str) -> Image.Image:
    if kind == "heic":
        try:
            import pillow_heif

            pillow_heif.register_heif_opener()
        except ImportError as exc:  # pragma: no cover - pillow_heif is a requirement
            raise DocumentRefused("Les photos HEIC ne peuvent pas être lues sur ce serveur.") from exc
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
    import pypdfium2 as pdfium

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
                text = _text_layer(page)
                if text is not None:
                    words = [Word(w, 100.0) for w in text.split()]
                    pages.append(Page(text, words, "text", round(time.perf_counter() - start, 3)))
                else:
                    if not checked:
                        _check_tesseract(langs)
                        checked = True
                    image = _render(page)
                    pages.append(_ocr_page(image, langs, page_timeout, number=index + 1, started=start))
            finally:
                page.close()
            if progress:
                progress(index + 1, total)
        return Reading(pages)
    finally:
        pdf.close()


def _text_layer(page) -> str | None:
    """The page's text if its text layer is usable, else None (OCR it)."""
    import pypdfium2.raw as pdfium_c

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
    import pypdfium2.raw as pdfium_c

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


# ---------------------------------------------------------------- OCR

def _ocr_page(image: Image.Image, langs: str, page_timeout: float, number: int, started: float | None = None) -> Page:
    import pytesseract

    start = started if started is not None else time.perf_counter()
    deadline = start + page_timeout

    def remaining() -> float:
        left = deadline - time.perf_counter()
        if left <= 0.05:
            raise OcrTimeout(f"La lecture de la page {number} a dépassé {page_timeout:g} s.")
        return left

    try:
        cleaned, rotated, asked = preprocess.clean_page(image, timeout=remaining())
        words, text, conf = _tesseract(cleaned, langs, remaining())
        if _doubtful(words, conf):
            # upside down? OSD says (or, if OSD already chose the quarter turn, the other way round is
            # tried), and the better of the two readings is kept
            if asked:
                found = 180
            else:
                found, confidence = preprocess.osd_rotation(cleaned, timeout=remaining())
                found = found if confidence >= preprocess.OSD_MIN_CONFIDENCE else 0
            if found:
                turned = preprocess.turn(cleaned, found)
                words2, text2, conf2 = _tesseract(turned, langs, remaining())
                if _score(words2, conf2) > _score(words, conf):
                    words, text, conf, rotated = words2, text2, conf2, (rotated + found) % 360
    except pytesseract.TesseractNotFoundError as exc:
        raise OcrUnavailable("Tesseract n'est pas installé sur ce serveur : la lecture automatique des images est impossible.") from exc
    except pytesseract.TesseractError as exc:
        raise OcrUnavailable(f"Tesseract a échoué sur la page {number} : {str(exc.message)[:160]}") from exc
    except RuntimeError as exc:
        if "timeout" in str(exc).lower():
            raise OcrTimeout(f"La lecture de la page {number} a dépassé {page_timeout:g} s.") from exc
        raise
    return Page(text, words, "ocr", round(time.perf_counter() - start, 3), rotated, conf)


def _doubtful(words: list[Word], conf: float) -> bool:
    return len(words) < 3 or conf < LOW_CONFIDENCE


def _score(words: list[Word], conf: float) -> float:
    return sum(w.conf for w in words if len(w.text) > 1) + conf


def _tesseract(image: Image.Image, langs: str, timeout: float) -> tuple[list[Word], str, float]:
    """Words with their confidence, the text and the mean confidence. Lines as Tesseract found
    them, blocks apart, except that a line cut in two on the same row is joined again: a gap of
    a few letters, or an amount standing alone at the end of the row (a totals table read as two
    columns)."""
    import pytesseract

    with preprocess.as_file(image) as path:
        data = pytesseract.image_to_data(path, lang=langs, config="--psm 3", timeout=timeout,
                                         output_type=pytesseract.Output.DICT)
    lines: list[_Line] = []
    index: dict[tuple, _Line] = {}
    for i, raw in enumerate(data["text"]):
        token = (raw or "").strip()
        if not token:
            continue
        try:
            conf = max(0.0, float(data["conf"][i]))
        except (TypeError, ValueError):
            conf = 0.0
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        line = index.get(key)
        if line is None:
            line = index[key] = _Line(key[0], len(lines))
            lines.append(line)
        left, top = int(data["left"][i]), int(data["top"][i])
        line.add([Word(part, conf) for part in token.split()], left, top, left + int(data["width"][i]), top + int(data["height"][i]))
    chains = _join_rows(lines)
    words: list[Word] = []
    out: list[str] = []
    block = None
    for chain in chains:
        if block is not None and chain[0].block != block:
            out.append("")
        block = chain[0].block
        parts = [w for line in chain for w in line.words]
        words.extend(parts)
        out.append(" ".join(w.text for w in parts))
    mean = sum(w.conf for w in words) / len(words) if words else 0.0
    return words, "\n".join(out).strip(), mean


class _Line:
    def __init__(self, block: int, order: int):
        self.block, self.order = block, order
        self.words: list[Word] = []
        self.left = self.top = 10**9
        self.right = self.bottom = -1

    def add(self, words: list[Word], left: int, top: int, right: int, bottom: int) -> None:
        self.words.extend(words)
        self.left, self.top = min(self.left, left), min(self.top, top)
        self.right, self.bottom = max(self.right, right), max(self.bottom, bottom)

    @property
    def height(self) -> int:
        return max(1, self.bottom - self.top)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


_VALUE = re.compile(r"^[\s\d.,€%\-–—+()*:/'\"EUReur]*\d[\s\d.,€%\-–—+()*:/'\"EUReur]*$")


def _join_rows(lines: list[_Line]) -> list[list[_Line]]:
    """Chains of lines read left to right on one row, in Tesseract's order of their first line."""
    successor: dict[int, _Line] = {}
    has_left: set[int] = set()
    for a in lines:
        best = None
        for b in lines:
            if b is a or b.left < a.right - a.height // 2:
                continue
            if _overlap(a, b) < 0.5 * min(a.height, b.height):
                continue
            if best is None or b.left < best.left:
                best = b
        if best is None or best.order in has_left:
            continue
        gap = best.left - a.right
        size = max(a.height, best.height)
        if gap <= 1.5 * size or (_VALUE.match(best.text) and not _VALUE.match(a.text)):
            successor[a.order] = best
            has_left.add(best.order)
    # an amount left alone, beside a label written on two lines: it joins the line it overlaps most
    for b in lines:
        if b.order in has_left or not _VALUE.match(b.text):
            continue
        near = [a for a in lines if a is not b and a.order not in successor and a.right <= b.left + b.height // 2
                and not _VALUE.match(a.text) and _overlap(a, b) >= 0.25 * min(a.height, b.height)]
        if near:
            a = max(near, key=lambda line: (_overlap(line, b), line.right))
            successor[a.order] = b
            has_left.add(b.order)
    chains = []
    for line in lines:
        if line.order in has_left:
            continue
        chain, seen = [line], {line.order}
        while chain[-1].order in successor and successor[chain[-1].order].order not in seen:
            nxt = successor[chain[-1].order]
            chain.append(nxt)
            seen.add(nxt.order)
        chains.append(chain)
    return chains


def _overlap(a: _Line, b: _Line) -> int:
    return min(a.bottom, b.bottom) - max(a.top, b.top)
