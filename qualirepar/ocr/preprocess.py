"""Image cleaning before Tesseract: grayscale, orientation, skew, text size, contrast.

Pure functions on PIL images (numpy for the arithmetic); Tesseract is only called for the
orientation (OSD), when the text lines run vertically or when asked.

- Skew: projection-profile search. The dark pixels of a reduced copy are projected on the vertical
  axis turned by each candidate angle; the angle whose profile is the most contrasted (sum of
  squared row counts) is the one where the text lines are horizontal. ±6° in 0.5° steps, then
  refined to 0.05°.
- Quarter turns: the same score for the picture turned 90° says whether the lines run vertically;
  Tesseract's OSD then says which way is up (90 or 270). A page upside down (180°) cannot be told
  from the profile: the reader asks OSD when the words come out with a poor confidence.
- Text size: Tesseract reads best with letters about 20–40 px high. The height of the text line
  bands of the profile gives the size; the picture is scaled to bring it into that range (a
  150 dpi scan up, a 12 Mpx phone photo down).
- Background: a photo of a page lying on a table has a dark frame around the paper; its long
  straight edges outweigh the text lines in the profile (read as vertical lines, a quarter turn)
  and its size as a text band. The dark region reached from the picture's edges is painted paper
  colour first, when it runs along most of the edges (a dark header band touching one edge stays).
- Contrast: each pixel is placed between the local paper level and the local ink level (blurred
  max- and min-filtered copies), which evens uneven light, grey paper and reflections.
- Rules: table borders and dotted leaders (long thin runs of ink, dots joined) are whitened: with
  them, Tesseract's page layout drops whole text lines of a totals table.
"""
from __future__ import annotations

import math
import os
import re
import tempfile
from contextlib import contextmanager

import numpy as np
import pytesseract
from PIL import Image, ImageDraw, ImageFilter, ImageOps

MAX_SKEW = 6.0  # degrees searched either way
MIN_BAND, MAX_BAND = 16, 40  # px: median height of a text line's ink band; outside this the picture is rescaled
UP_TARGET, DOWN_TARGET = 24, 32  # the band height it is rescaled to
PAGE_PIXELS = 5_500_000  # a larger picture is reduced to this many pixels...
REDUCED_MIN_BAND = 22  # ...as long as its lines stay this high
MAX_PIXELS_AFTER_SCALING = 24_000_000
OSD_MIN_CONFIDENCE = 2.0  # Tesseract's orientation confidence below which its answer is ignored
FLAT_RANGE = 160.0  # grey levels between paper and ink at least (see flatten)
FRAME_EDGE = 0.6  # share of the picture's edges the dark background must run along to be painted out
OSD_CHARACTERS = 30  # characters OSD classifies (its default, 50, costs twice the time for the same answers here)


def to_gray(image: Image.Image) -> Image.Image:
    """Grayscale, transparency flattened on white, EXIF orientation applied."""
    try:
        image = ImageOps.exif_transpose(image)
    except Exception:  # noqa: BLE001 - a broken EXIF block is not a reason to refuse the picture
        pass
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(image, dtype=np.float64)
        top = arr.max() or 1
        return Image.fromarray((arr * 255 / top).astype(np.uint8), "L")
    if image.mode != "L":
        image = image.convert("L")
    return image


def unframe(gray: Image.Image) -> Image.Image:
    """The picture with the dark background around the paper (a photo of a page on a table)
    painted the paper's colour. Found on a reduced copy: the pixels darker than the paper (Otsu)
    connected to the picture's edges; left alone unless they run along FRAME_EDGE of the edges."""
    arr, _ = _reduced(gray, 600)
    padded = np.zeros((arr.shape[0] + 2, arr.shape[1] + 2), dtype=np.uint8)
    padded[1:-1, 1:-1] = np.where(arr < _otsu(arr), 0, 255)
    filled = Image.fromarray(padded, "L").copy()
    ImageDraw.floodfill(filled, (0, 0), 128)
    outside = np.asarray(filled)[1:-1, 1:-1] == 128
    edges = np.concatenate([outside[0], outside[-1], outside[:, 0], outside[:, -1]])
    if edges.mean() < FRAME_EDGE or outside.all():
        return gray
    mask = Image.fromarray(outside.astype(np.uint8) * 255, "L").resize(gray.size, Image.BILINEAR)
    mask = np.asarray(mask.filter(ImageFilter.MaxFilter(5))) > 0
    out = np.asarray(gray, dtype=np.uint8).copy()
    out[mask] = int(np.median(out[~mask]))
    return Image.fromarray(out, "L")


def _otsu(arr: np.ndarray) -> int:
    hist = np.bincount(arr.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    if total == 0:
        return 128
    levels = np.arange(256)
    weight_bg = np.cumsum(hist)
    weight_fg = total - weight_bg
    mean_cum = np.cumsum(hist * levels)
    mean_bg = mean_cum / np.maximum(weight_bg, 1)
    mean_fg = (mean_cum[-1] - mean_cum) / np.maximum(weight_fg, 1)
    between = weight_bg * weight_fg * (mean_bg - mean_fg) ** 2
    return int(np.argmax(between))


def _ink(gray: np.ndarray) -> np.ndarray:
    """Dark pixels (text) of a grayscale array, as booleans."""
    return gray < min(_otsu(gray), 200)


def _reduced(image: Image.Image, longest: int = 1200) -> tuple[np.ndarray, float]:
    factor = min(1.0, longest / max(image.size))
    small = image if factor == 1.0 else image.resize((max(1, int(image.size[0] * factor)), max(1, int(image.size[1] * factor))),
                                                     Image.BILINEAR)
    return np.asarray(small, dtype=np.uint8), factor


def _profile_scores(ys: np.ndarray, xs: np.ndarray, angles: np.ndarray, height: int) -> np.ndarray:
    """For each angle (degrees), how contrasted the projection of the points on the turned vertical axis is."""
    scores = np.empty(len(angles))
    offset = int(math.ceil(abs(math.sin(math.radians(MAX_SKEW + 1))) * (xs.max(initial=0) + 1))) + 1
    for i, angle in enumerate(angles):
        a = math.radians(angle)
        rows = np.rint(ys * math.cos(a) + xs * math.sin(a)).astype(np.int64) + offset
        counts = np.bincount(rows, minlength=height + 2 * offset)
        scores[i] = float(np.dot(counts, counts))
    return scores


def _points(ink: np.ndarray, limit: int = 150_000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    ys, xs = np.nonzero(ink)
    if len(ys) > limit:
        pick = np.random.default_rng(seed).choice(len(ys), limit, replace=False)
        ys, xs = ys[pick], xs[pick]
    return ys.astype(np.float64), xs.astype(np.float64)


def skew_and_axis(image: Image.Image) -> tuple[float, bool]:
    """(skew angle in degrees, counter-clockwise as PIL's rotate takes it, to make lines level
    (0 when they run vertically); whether the lines run vertically)."""
    angle, vertical, _ = analyse(image)
    return angle, vertical


def analyse(image: Image.Image) -> tuple[float, bool, float | None]:
    """(skew angle for PIL's rotate, lines vertical?, text band height in px of `image` once level).
    Measured on a reduced copy with its light evened out (a dark corner is not text)."""
    arr, factor = _reduced(image)
    arr = np.asarray(flatten(Image.fromarray(arr, "L")), dtype=np.uint8)
    ink = _ink(arr)
    if ink.sum() < 200:
        return 0.0, False, None
    best = {}
    for vertical in (False, True):
        grid = ink.T if vertical else ink
        ys, xs = _points(grid)
        coarse = np.arange(-MAX_SKEW, MAX_SKEW + 0.001, 0.5)
        scores = _profile_scores(ys, xs, coarse, grid.shape[0])
        centre = coarse[int(np.argmax(scores))]
        fine = np.arange(centre - 0.5, centre + 0.501, 0.05)
        fine_scores = _profile_scores(ys, xs, fine, grid.shape[0])
        best[vertical] = (float(fine[int(np.argmax(fine_scores))]), float(fine_scores.max()))
    vertical = best[True][1] > 1.25 * best[False][1]
    # points turned by +a (image coordinates, y down) level the lines: PIL's rotate (counter-clockwise)
    # takes -a. For vertical lines the angle is measured on the transposed picture: the caller turns
    # the picture a quarter and measures again.
    angle = -best[vertical][0]
    level = Image.fromarray(np.ascontiguousarray(arr.T) if vertical else arr, "L")
    if abs(angle) >= 0.1:
        level = level.rotate(angle, resample=Image.BILINEAR, expand=True, fillcolor=255)
    band = band_height(level)
    return (0.0 if vertical else angle), vertical, (band / factor if band else None)


def band_height(image: Image.Image) -> float | None:
    """Median height (px) of the text line bands, from the row profile of vertical strips."""
    arr = np.asarray(image, dtype=np.uint8)
    step = max(1, int(max(arr.shape) / 2400))
    arr = arr[::step, ::step]
    ink = _ink(arr)
    height, width = ink.shape
    strips = 6 if width >= 600 else 2
    bands: list[int] = []
    for k in range(strips):
        part = ink[:, k * width // strips:(k + 1) * width // strips]
        counts = part.sum(axis=1)
        if counts.max(initial=0) == 0:
            continue
        floor = np.percentile(counts, 15)
        rows = counts > floor + max(1, 0.01 * part.shape[1])
        edges = np.diff(np.concatenate(([0], rows.astype(np.int8), [0])))
        starts, ends = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
        lengths = ends - starts
        bands.extend(int(v) for v in lengths if 3 <= v <= height // 4)
    if len(bands) < 3:
        return None
    return float(np.median(bands)) * step


def flatten(image: Image.Image) -> Image.Image:
    """Local contrast: each pixel placed between the local paper level (white) and the local ink
    level (black). Evens uneven light, grey paper, a reflection on a metal plate. Where there is
    no ink nearby, the range is kept at FLAT_RANGE grey levels so that noise is not blown up."""
    w, h = image.size
    k = max(1, min(w, h) // 60)
    small = image.resize((max(1, w // k), max(1, h // k)), Image.BILINEAR)
    paper = small.filter(ImageFilter.MaxFilter(5)).filter(ImageFilter.GaussianBlur(3)).resize((w, h), Image.BILINEAR)
    ink = small.filter(ImageFilter.MinFilter(5)).filter(ImageFilter.GaussianBlur(3)).resize((w, h), Image.BILINEAR)
    arr = np.asarray(image, dtype=np.float32)
    top = np.asarray(paper, dtype=np.float32)
    bottom = np.minimum(np.asarray(ink, dtype=np.float32), top - FLAT_RANGE)
    out = (arr - bottom) * (255.0 / (top - bottom))
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8), "L")


@contextmanager
def as_file(image: Image.Image):
    """The picture in a temporary BMP file for Tesseract (PNG compression costs ~0.4 s a page)."""
    with tempfile.TemporaryDirectory(prefix="qr-ocr-") as tmp:
        path = os.path.join(tmp, "page.bmp")
        image.save(path)
        yield path


def osd_rotation(image: Image.Image, timeout: float | None = None) -> tuple[int, float]:
    """Tesseract's orientation: (degrees to turn clockwise to make it upright, confidence).
    (0, 0.0) when OSD cannot tell (too few characters, no OSD data)."""
    try:
        with as_file(image) as path:
            out = pytesseract.image_to_osd(path, config=f"--psm 0 --dpi 300 -c min_characters_to_try={OSD_CHARACTERS}",
                                           timeout=timeout or 0)
    except pytesseract.TesseractNotFoundError:
        raise
    except RuntimeError as exc:  # the time limit: let the caller decide
        if "timeout" in str(exc).lower():
            raise
        return 0, 0.0
    rotate = re.search(r"Rotate:\s*(\d+)", out)
    conf = re.search(r"Orientation confidence:\s*([\d.]+)", out)
    if not rotate:
        return 0, 0.0
    return int(rotate.group(1)) % 360, float(conf.group(1)) if conf else 0.0


def turn(image: Image.Image, clockwise: int) -> Image.Image:
    if clockwise % 360 == 0:
        return image
    return image.rotate(-clockwise, expand=True)


def clean(image: Image.Image, *, osd: bool | None = None, timeout: float | None = None) -> tuple[Image.Image, int]:
    """The picture ready for Tesseract and the quarter turn (clockwise degrees) applied.

    osd: None (default) asks Tesseract's OSD only when the lines run vertically (90 or 270?);
    True asks it always (catches a page upside down); False never (a vertical page is then turned
    90° clockwise, a guess).
    """
    cleaned, rotation, _ = clean_page(image, osd=osd, timeout=timeout)
    return cleaned, rotation


def clean_page(image: Image.Image, *, osd: bool | None = None, timeout: float | None = None) -> tuple[Image.Image, int, bool]:
    """clean(), and whether OSD was asked."""
    gray = unframe(to_gray(image))
    angle, vertical, band = analyse(gray)
    rotation = 90 if vertical else 0
    asked = bool(osd or (osd is None and vertical))
    if asked:
        candidate = turn(gray, rotation) if rotation else gray
        found, confidence = osd_rotation(_osd_view(candidate, band), timeout)
        if confidence >= OSD_MIN_CONFIDENCE:
            rotation = (rotation + found) % 360
    if rotation:
        gray = turn(gray, rotation)
        angle, _, band = analyse(gray)  # measured again on the turned picture
    factor = scale_for(band, gray.size[0] * gray.size[1])
    if factor < 1:
        gray = _resize(gray, factor)
    if abs(angle) >= 0.1:
        gray = gray.rotate(angle, resample=Image.BILINEAR, expand=True, fillcolor=255)
    if factor > 1:
        gray = _resize(gray, factor)
    gray = flatten(gray)
    return remove_rules(gray, band * factor if band else None), rotation, asked


def scale_for(band: float | None, pixels: int = 0) -> float:
    """The factor for Tesseract: letters neither too small (up to UP_TARGET) nor too large (down to
    DOWN_TARGET), and a large picture reduced to PAGE_PIXELS (Tesseract's time grows with the
    pixels) as long as the lines stay REDUCED_MIN_BAND px high."""
    if band is None:
        return 1.0
    factor = 1.0
    if band < MIN_BAND:
        factor = UP_TARGET / band
    elif band > MAX_BAND:
        factor = DOWN_TARGET / band
    if pixels and pixels * factor * factor > PAGE_PIXELS:
        factor = min(factor, max(math.sqrt(PAGE_PIXELS / pixels), REDUCED_MIN_BAND / band))
    factor = min(max(factor, 0.2), 3.0)
    return 1.0 if abs(factor - 1) < 0.05 else factor


def _resize(gray: Image.Image, factor: float) -> Image.Image:
    factor = min(factor, math.sqrt(MAX_PIXELS_AFTER_SCALING / (gray.size[0] * gray.size[1])))
    size = (max(1, round(gray.size[0] * factor)), max(1, round(gray.size[1] * factor)))
    return gray.resize(size, Image.LANCZOS if factor < 1 else Image.BICUBIC, reducing_gap=3.0 if factor < 0.5 else None)


def _osd_view(gray: Image.Image, band: float | None) -> Image.Image:
    """OSD wants letters of a normal size; a very large picture is reduced first (speed)."""
    factor = scale_for(band, gray.size[0] * gray.size[1])
    return _resize(gray, factor) if factor < 1 else gray


def _window_any(mask: np.ndarray, radius: int, axis: int) -> np.ndarray:
    """True where any pixel within `radius` along `axis` is True (a 1-D dilation)."""
    m = mask if axis == 1 else mask.T
    h, w = m.shape
    cs = np.zeros((h, w + 1), dtype=np.int32)
    np.cumsum(m, axis=1, dtype=np.int32, out=cs[:, 1:])
    hi = np.minimum(np.arange(w) + radius + 1, w)
    lo = np.maximum(np.arange(w) - radius, 0)
    out = (cs[:, hi] - cs[:, lo]) > 0
    return out if axis == 1 else out.T


def _long_runs(mask: np.ndarray, length: int) -> np.ndarray:
    """Pixels of horizontal runs of True at least `length` long."""
    h, w = mask.shape
    if w < length:
        return np.zeros_like(mask)
    cs = np.zeros((h, w + 1), dtype=np.int32)
    np.cumsum(mask, axis=1, dtype=np.int32, out=cs[:, 1:])
    full = (cs[:, length:] - cs[:, :-length]) == length  # full[:, x]: mask[x:x + length] all True
    cs2 = np.zeros((h, full.shape[1] + 1), dtype=np.int32)
    np.cumsum(full, axis=1, dtype=np.int32, out=cs2[:, 1:])
    x = np.arange(w)
    hi = np.minimum(x + 1, full.shape[1])
    lo = np.maximum(x - length + 1, 0)
    return (cs2[:, hi] - cs2[:, lo]) > 0


def _rules(ink: np.ndarray, gap: int, length: int, thickness: int) -> np.ndarray:
    """Horizontal rules, solid or dotted: thin (white `thickness` px above and below), long."""
    closed = _window_any(ink, gap, axis=1)
    closed &= ~_window_any(~closed, gap, axis=1)  # dilation then erosion: dots joined into a line
    thin = closed.copy()
    thin[thickness:] &= ~closed[:-thickness]
    thin[:-thickness] &= ~closed[thickness:]
    rules = _long_runs(thin, length)
    if not rules.any():
        return rules
    return _window_any(rules, thickness // 2 + 1, axis=0)


def remove_rules(image: Image.Image, band: float | None = None) -> Image.Image:
    """Whiten table borders and dotted leaders: Tesseract's page layout drops text lines between them.
    Found on a half-size copy (darkest of each 2×2 block, so that hairlines survive)."""
    arr = np.asarray(image, dtype=np.uint8)
    h, w = arr.shape
    small = arr[:h // 2 * 2, :w // 2 * 2].reshape(h // 2, 2, w // 2, 2).min(axis=(1, 3))
    ink = _ink(small)
    band = (band or band_height(image) or 30) / 2
    gap = max(2, int(band * 0.15))
    length = max(25, int(band * 5))
    thickness = max(2, int(band * 0.2))
    mask = _rules(ink, gap, length, thickness) | _rules(ink.T, gap, length, thickness).T
    if not mask.any():
        return image
    full = np.zeros((h, w), dtype=bool)
    full[:h // 2 * 2, :w // 2 * 2] = mask.repeat(2, axis=0).repeat(2, axis=1)
    out = arr.copy()
    out[full & (arr < 200)] = 255
    return Image.fromarray(out, "L")
