"""The invoice's date: a labelled date wins over a due, delivery or purchase date."""
from __future__ import annotations

import datetime as dt
import re

from .layout import cells_below
from .lines import Field, Line, fold

MONTHS = {"janv": 1, "janvier": 1, "fev": 2, "fevr": 2, "fevrier": 2, "mars": 3, "avr": 4, "avril": 4, "mai": 5, "juin": 6,
          "juil": 7, "juillet": 7, "aout": 8, "sept": 9, "septembre": 9, "oct": 10, "octobre": 10, "nov": 11, "novembre": 11,
          "dec": 12, "decembre": 12, "jan": 1, "feb": 2, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
          # English, German, Dutch
          "january": 1, "february": 2, "march": 3, "april": 4, "june": 6, "july": 7, "august": 8, "october": 10,
          "november": 11, "december": 12, "januar": 1, "februar": 2, "marz": 3, "maerz": 3, "juni": 6, "juli": 7,
          "oktober": 10, "dezember": 12, "januari": 1, "februari": 2, "maart": 3, "mei": 5, "augustus": 8, "okt": 10,
          "dez": 12, "mrt": 3, "mar": 3}
MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
DATE_PATTERNS = [
    re.compile(r"(?<!\d)(?P<d>\d{1,2})\s?[/.\-]\s?(?P<m>\d{1,2})\s?[/.\-]\s?(?P<y>\d{4}|\d{2})(?![\d/])"),
    re.compile(r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?!\d)"),
    re.compile(r"(?<!\d)(?P<d>\d{1,2})\s?(?:er|\.)?\s+(?P<mn>" + MONTH_NAMES + r")\.?\s+(?P<y>\d{4})(?!\d)"),  # «7. Mai 2014»
    re.compile(r"\b(?P<mn>" + MONTH_NAMES + r")\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})(?!\d)"),  # «February 17, 2026»
]
#: «20260815» (yyyymmdd, as UN/CEFACT code 102 writes it), only right after a date label
COMPACT = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?!\d)")
HEADER = re.compile(r"^\W{0,2}(?P<label>date(\s+de\s+(la\s+)?facture|\s+d'emission|\s+facture)?|invoice\s+date|"
                    r"rechnungsdatum|belegdatum|datum|factuurdatum|date\s+of\s+issue)\s*[:.]?\s*$")
DATE_LABEL = re.compile(r"\bdate\b|\bfacture\b.*\bdu\b|\bemise?\s+le\b|^\W{0,2}le\b|\b(rechnungs|beleg|factuur)?datum\b|"
                        r"\binvoice\s+date\b|\bnr\b.*\bvom\b")
OTHER_DATE = re.compile(r"echeance|limite|livraison|naissance|achat|intervention|commande|validite|garantie|reglement avant|"
                        r"payer avant|expir|depot|restitu|annule|due\s+date|faellig|falligkeit|zahlungsziel|liefer|leistungs|"
                        r"vervaldatum|order\s?datum|orderdatum|version|stand|debut|fin\b|associee|periode|zeitraum")


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


def _below_header(lines: list[Line]) -> tuple[float, Field] | None:
    """The date in the cell below a header «Date», «Rechnungsdatum», «Invoice date» (two dimensions)."""
    for i, line in enumerate(lines):
        m = HEADER.search(line.folded)
        if not m:
            continue
        for other, start, end in cells_below(lines, line, *m.span("label"))[:2]:
            day = parse_date(other.text[start:end])
            if day:
                score = 0.9 - 0.03 * min(i, 20) / 20
                return score, Field(day.isoformat(), round(score * other.conf_at(start, end), 3), f"{line.source} / {other.source}")
    return None


def find_date(lines: list[Line]) -> Field | None:
    best: tuple[float, Field] | None = _below_header(lines)
    for i, line in enumerate(lines):
        m = COMPACT.search(line.folded)
        if m and DATE_LABEL.search(line.folded[:m.start()][-12:]) and not OTHER_DATE.search(line.folded[:m.start()][-20:]):
            day = _date_of(m)
            if day and (best is None or 0.8 > best[0]):
                best = (0.8, Field(day.isoformat(), round(0.8 * line.conf_at(*m.span()), 3), line.source))
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
