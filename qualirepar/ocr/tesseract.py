"""Tesseract: whether it is there with its language data, and reading one cleaned page with it.

Pages are cleaned first (preprocess.clean_page), then read through pytesseract (`--psm 3`) with a
time limit per page. When the words come out with a poor confidence, Tesseract's orientation
detection (OSD) is asked whether the page is upside down or on its side, and the better of the two
readings is kept. Lines cut in two on one row (a totals table read as two columns) are joined.

Tesseract's OpenMP threads are limited to one per process (OMP_THREAD_LIMIT, unless already set):
on a two-core machine its default threading made a page take 5–8 s instead of under one; run
several workers to use more cores.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import time

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import pytesseract  # noqa: E402
from PIL import Image  # noqa: E402

from . import preprocess  # noqa: E402
from .reading import Page, Word  # noqa: E402

LOW_CONFIDENCE = 75.0  # mean word confidence under which the orientation is questioned


class OcrUnavailable(Exception):
    """Tesseract missing, without the language data, or failing."""


class OcrTimeout(OcrUnavailable):
    """A page took longer than the time limit."""


def _tesseract_cmd() -> str:
    return pytesseract.pytesseract.tesseract_cmd


_langs_cache: dict[str, set[str]] = {}


def _installed_languages(path: str) -> set[str]:
    if path not in _langs_cache:
        out = subprocess.run([path, "--list-langs"], capture_output=True, text=True, timeout=15)
        if out.returncode != 0:
            raise OcrUnavailable(f"Tesseract ne répond pas ({out.stderr.strip()[:120]}).")
        _langs_cache[path] = {line.strip() for line in out.stdout.splitlines()[1:] if line.strip()}
    return _langs_cache[path]


def check(langs: str) -> set[str]:
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
        check(langs)
    except OcrUnavailable:
        return False
    return True


def read_page(image: Image.Image, langs: str, page_timeout: float, number: int, started: float | None = None) -> Page:
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
        right, bottom = left + int(data["width"][i]), top + int(data["height"][i])
        line.add([Word(part, conf, (left, top, right, bottom)) for part in token.split()], left, top, right, bottom)
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
