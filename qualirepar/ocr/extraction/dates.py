"""The invoice's date: a labelled date wins over a due, delivery or purchase date."""
from __future__ import annotations

import datetime as dt
import re

from .lines import Field, Line, fold

MONTHS = {"janv": 1, "janvier": 1, "fev": 2, "fevr": 2, "fevrier": 2, "mars": 3, "avr": 4, "avril": 4, "mai": 5, "juin": 6,
          "juil": 7, "juillet": 7, "aout": 8, "sept": 9, "septembre": 9, "oct": 10, "octobre": 10, "nov": 11, "novembre": 11,
          "dec": 12, "decembre": 12, "jan": 1, "feb": 2, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9}
DATE_PATTERNS = [
    re.compile(r"(?<!\d)(?P<d>\d{1,2})\s?[/.\-]\s?(?P<m>\d{1,2})\s?[/.\-]\s?(?P<y>\d{4}|\d{2})(?![\d/])"),
    re.compile(r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?!\d)"),
    re.compile(r"(?<!\d)(?P<d>\d{1,2})\s?(?:er)?\s+(?P<mn>" + "|".join(sorted(MONTHS, key=len, reverse=True))
               + r")\.?\s+(?P<y>\d{4})(?!\d)"),
]
DATE_LABEL = re.compile(r"\bdate\b|\bfacture\b.*\bdu\b|\bemise?\s+le\b|^\W{0,2}le\b")
OTHER_DATE = re.compile(r"echeance|limite|livraison|naissance|achat|intervention|commande|validite|garantie|reglement avant|"
                        r"payer avant|expir|depot|restitu|annule")


def parse_date(text: str) -> dt.date | None:
    folded = fold(text)
    for pattern in DATE_PATTERNS:
        m = pattern.search(folded)
        if m:
            return _date_of(m)
    return None


def _date_of(m: re.Match) -> dt.date | None:
    try:
        year = int(m.group("y"))
        if year < 100:
            year += 2000
        month = MONTHS[m.group("mn")] if "mn" in m.groupdict() and m.group("mn") else int(m.group("m"))
        day = dt.date(year, month, int(m.group("d")))
    except (ValueError, KeyError, IndexError):
        return None
    return day if 1990 <= day.year <= 2100 else None


def find_date(lines: list[Line]) -> Field | None:
    best: tuple[float, Field] | None = None
    for i, line in enumerate(lines):
        for pattern in DATE_PATTERNS:
            for m in pattern.finditer(line.folded):
                day = _date_of(m)
                if not day:
                    continue
                before = line.folded[:m.start()]
                if OTHER_DATE.search(before[-40:]):
                    score = 0.3
                elif DATE_LABEL.search(before[-45:]) or DATE_LABEL.search(before):
                    score = 0.95
                else:
                    score = 0.55
                score -= 0.03 * min(i, 20) / 20
                field = Field(day.isoformat(), round(max(0.05, score) * line.conf_at(*m.span()), 3), line.source)
                if best is None or score > best[0]:
                    best = (score, field)
    return best[1] if best else None
