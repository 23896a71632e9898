"""The lines of a reading, as the rules see them: spaces, dashes and quotes normalised, a folded
copy (lower case, no accents) of the same length, and each token's OCR confidence. A field found
on a line carries its value, its confidence and that line."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from ..reading import Reading

SPACES = dict.fromkeys(map(ord, "\u00a0\u202f\u2007\u2009\u200a\u2002\u2003\u2004\u2005\u2006\u2008\t"), " ")
DASHES = dict.fromkeys(map(ord, "\u2212\u2013\u2014\u2012\u2010\u2011\u00ad"), "-")
QUOTES = dict.fromkeys(map(ord, "\u2019\u2018\u02bc\u00b4`"), "'")
#: letters OCR gives for digits, read back as the digits they were
CONFUSABLE_DIGITS = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "|": "1", "i": "1",
                                   "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2", "G": "6"})


@dataclass
class Field:
    value: str
    confidence: float  # 0..1
    source: str  # the line of text it came from


@dataclass
class Line:
    text: str  # spaces, dashes and quotes normalised; same length as `folded`
    folded: str  # lower case, accents removed, character for character
    source: str  # as read
    confs: list[float]  # OCR confidence (0..1) of each whitespace-separated token
    page: int
    index: int
    boxes: list[tuple[float, float, float, float] | None] = field(default_factory=list)  # each token's box, when known

    def tokens(self) -> list[tuple[int, int]]:
        """(start, end) of each whitespace-separated token of `text`."""
        return [m.span() for m in re.finditer(r"\S+", self.text)]

    def box_of(self, start: int, end: int) -> tuple[float, float, float, float] | None:
        """The box around the tokens overlapping text[start:end], if their boxes are known."""
        got = [b for (s, e), b in zip(self.tokens(), self.boxes) if b and s < end and e > start]
        if not got:
            return None
        return (min(b[0] for b in got), min(b[1] for b in got), max(b[2] for b in got), max(b[3] for b in got))

    def conf_at(self, start: int, end: int) -> float:
        """Mean OCR confidence of the tokens overlapping text[start:end]."""
        if not self.confs:
            return 1.0
        hits, pos = [], 0
        for i, token in enumerate(self.text.split(" ")):
            if token and pos < end and pos + len(token) > start and i < len(self.confs):
                hits.append(self.confs[i])
            pos += len(token) + 1
        return sum(hits) / len(hits) if hits else (sum(self.confs) / len(self.confs))

    @property
    def conf(self) -> float:
        return sum(self.confs) / len(self.confs) if self.confs else 1.0


def _fold_char(ch: str) -> str:
    base = unicodedata.normalize("NFKD", ch)[:1] or ch
    low = base.lower()
    return low if len(low) == 1 else base


def _normalise(text: str) -> str:
    return text.translate(SPACES).translate(DASHES).translate(QUOTES)


def fold(text: str) -> str:
    """Lower case, accents removed, character for character (same length as `text`)."""
    return "".join(_fold_char(c) for c in text)


def lines_of(reading: Reading) -> list[Line]:
    """The reading's lines with each token's OCR confidence (words are aligned in order)."""
    out: list[Line] = []
    for page_no, page in enumerate(reading.pages):
        words = list(page.words)
        pointer = 0
        for raw in page.text.split("\n"):
            source = raw.strip("\f").strip()
            if not source:
                continue
            text = " ".join(_normalise(source).split(" "))
            text = re.sub(r" +", " ", text).strip()
            confs: list[float] = []
            boxes = []
            for token in source.split():
                word = None
                for ahead in range(pointer, min(pointer + 4, len(words))):
                    if words[ahead].text == token:
                        word, pointer = words[ahead], ahead + 1
                        break
                if word is None:
                    word = words[pointer] if pointer < len(words) else None
                    pointer = min(pointer + 1, len(words))
                confs.append(max(0.0, min(100.0, float(word.conf if word else 100.0))) / 100)
                boxes.append(word.box if word else None)
            folded = fold(text)
            out.append(Line(text, folded, source, confs, page_no, len(out), boxes))
    return out
