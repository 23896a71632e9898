"""A PDF page's text layer as words with their boxes, laid out in reading order.

A PDF's text comes in the order its software wrote it, not the order the eye reads: a label and
its value («Date :» … «31/01/2022», «Net à payer» … «104,90 €») may be far apart in it. Each
character's box (pypdfium2's text page) is kept; characters make words, words on one baseline
make a row, and a row is cut where a wide gap separates two columns, unless what stands right of
the gap is a value (an amount, a date, a number) that the label on its left is waiting for.
The rows, top to bottom, are the page's lines; each word keeps its box (points, from the top left).
"""
from __future__ import annotations

import re

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from .reading import Word

_VALUE = re.compile(r"^[\s\d.,€$£%\-+()*:/'\"]*\d[\s\d.,€$£%\-+()*:/'\"A-Za-z]{0,6}$|^[-\s]*(EUR|€)$")
GAP = 1.6  # a gap wider than this many line heights separates two columns


def words_of(textpage, page_height: float) -> list[tuple[str, tuple[float, float, float, float]]]:
    """(text, box) of each word of the text page: letters whose boxes follow each other on one baseline."""
    out: list[tuple[str, tuple[float, float, float, float]]] = []
    chars: list[str] = []
    box: list[float] | None = None
    count = textpage.count_chars()

    def flush():
        nonlocal chars, box
        if chars and box:
            out.append(("".join(chars), (box[0], page_height - box[3], box[2], page_height - box[1])))
        chars, box = [], None

    for i in range(count):
        code = pdfium_c.FPDFText_GetUnicode(textpage.raw, i)  # one by one: the text's indices drift past an emoji
        ch = "-" if code == 2 else chr(code) if 0 < code < 0xD800 or 0xDFFF < code < 0x110000 else " "  # 2: a soft hyphen; halves of an emoji: a space
        if ch.isspace() or ch in "\ufeff\ufffe":
            flush()
            continue
        try:
            left, bottom, right, top = textpage.get_charbox(i, loose=True)  # the font's box: one height a row
        except pdfium.PdfiumError:
            continue
        height = max(top - bottom, 1.0)
        if box is not None:
            same_row = min(top, box[3]) - max(bottom, box[1]) > 0.3 * min(height, box[3] - box[1] or 1.0)
            if not same_row or left - box[2] > 0.8 * height or left < box[0] - 0.5 * height:
                flush()
        if box is None:
            box = [left, bottom, right, top]
        else:
            box = [min(box[0], left), min(box[1], bottom), max(box[2], right), max(box[3], top)]
        chars.append(ch)
    flush()
    return out


def rows_of(words: list[tuple[str, tuple[float, float, float, float]]]) -> list[list[tuple[str, tuple]]]:
    """The words grouped in rows (top to bottom), each row cut at the gaps between columns."""
    rows: list[list] = []  # [top, bottom, words]
    for word in sorted(words, key=lambda w: (w[1][1] + w[1][3]) / 2):
        _, (left, top, right, bottom) = word
        middle = (top + bottom) / 2
        for row in reversed(rows[-6:]):
            if row[0] <= middle <= row[1]:
                row[2].append(word)
                row[0], row[1] = min(row[0], top), max(row[1], bottom)
                break
        else:
            rows.append([top, bottom, [word]])
    lines: list[list] = []
    for _, _, row in sorted(rows, key=lambda r: r[0]):
        row.sort(key=lambda w: w[1][0])
        segment = [row[0]]
        for k in range(1, len(row)):
            prev, word = row[k - 1], row[k]
            height = max(prev[1][3] - prev[1][1], word[1][3] - word[1][1], 1.0)
            gap = word[1][0] - prev[1][2]
            rest = " ".join(w[0] for w in row[k:])
            left_text = " ".join(w[0] for w in segment)
            waiting = len(left_text) <= 40 and not _VALUE.match(left_text)  # a label, not a sentence or a value
            if gap > GAP * height and not (waiting and (_VALUE.match(rest) or re.search(r"\d", word[0]))):
                lines.append(segment)
                segment = []
            segment.append(word)
        lines.append(segment)
    return lines


def page_text(textpage, page_height: float) -> tuple[str, list[Word]]:
    """The page's text in reading order and its words (each with its box), token for token."""
    lines = rows_of(words_of(textpage, page_height))
    text = "\n".join(" ".join(w[0] for w in line) for line in lines)
    return text, [Word(w[0], 100.0, w[1]) for line in lines for w in line]
