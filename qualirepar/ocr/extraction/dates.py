"""The invoice's date: a labelled date wins over a due, delivery or purchase date.

Honest confidence (< 0.5, to be checked) for a date no label confirms, for two dates with labels
as good as each other that disagree, and for a day and month that could be either way round
(11/03/2017) on an English page, unless another date of the page settles the order (11/17/2017:
month first)."""
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
DATE_LABEL = re.compile(r"\bdate\b|\bfacture\b.*\bdu\b|\bemise?\s+le\b|^\W{0,2}le\s|\b(rechnungs|beleg|factuur)?datum\b|"
                        r"\binvoice\s+date\b|\bnr\b.*\bvom\b|,\s*(le|den)\s*$")
#: labels that name the invoice's own date (BT-2), surer than a bare «Date» or «Datum»
INVOICE_DATE_LABEL = re.compile(r"\bdate\s+(de\s+(la\s+)?facture|d'emission|de\s+facturation|facture)\b|\bfacture\b.*\bdu\b|"
                                r"\b(rechnungs|beleg|factuur)datum\b|\binvoice\s+date\b|\bdate\s+of\s+issue\b|\bnr\b.*\bvom\b")
UNSURE = 0.45  # the confidence cap of a date to be checked
#: words of an English page (where 11/03/2017 may be the 3rd of November)
ENGLISH = re.compile(r"\b(invoice|the|of|amount|due|bill|payment|customer|total|tax|quantity|description)\b")
DD_MM = re.compile(r"\b(facture|tva|montant|rechnung|datum|betrag|factuur|totaal|bedrag|le|la|du|des|und|der|die|het|van)\b")
ALONE = re.compile(r"[\W_]*([a-z\- ]{2,30},?\s+le\s*)?")  # nothing else on the line, or «Paris, le»
SLASHED = re.compile(r"(?<!\d)(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})(?![\d/])")
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


def _month_first(lines: list[Line]) -> bool | None:
    """Whether the page writes slashed dates month first (True), day first (False), or cannot tell:
    a date whose second part passes 12 says month first, whose first part does says day first;
    else an English page may be either (None), another language is day first."""
    firsts = seconds = 0
    for line in lines:
        for m in SLASHED.finditer(line.folded):
            a, b = int(m.group(1)), int(m.group(2))
            firsts += a > 12 >= b
            seconds += b > 12 >= a
    if firsts != seconds and not (firsts and seconds):
        return seconds > firsts
    text = " ".join(line.folded for line in lines)
    return None if len(ENGLISH.findall(text)) > len(DD_MM.findall(text)) else False


def _ordered(field: Field, line: Line, month_first: bool | None) -> Field:
    """The date as the page's order reads it: swapped when month first, to be checked when unknown."""
    day = dt.date.fromisoformat(field.value)
    for m in SLASHED.finditer(line.folded):
        a, b = int(m.group(1)), int(m.group(2))
        if (a, b) != (day.day, day.month) or a > 12 or a == b or month_first is False:
            continue
        if month_first is None:
            return Field(field.value, min(field.confidence, UNSURE), field.source)
        try:
            return Field(day.replace(month=a, day=b).isoformat(), field.confidence, field.source)
        except ValueError:
            return field
    return field


def find_date(lines: list[Line]) -> Field | None:
    best = _find_date(lines)
    if best is None:
        return None
    score, field, line, rivals = best
    read = field.value
    if line is not None:
        field = _ordered(field, line, _month_first(lines))
    if score < 0.85 or any(r != read for r in rivals):
        field = Field(field.value, min(field.confidence, UNSURE), field.source)  # no label, or two that disagree
    return field


def _find_date(lines: list[Line]):
    """(score, field, its line, the other dates as well labelled) of the best date."""
    found = _below_header(lines)
    best: tuple[float, Field] | None = found
    line_of: Line | None = None
    labelled: list[tuple[float, str]] = [(found[0], found[1].value)] if found else []
    for i, line in enumerate(lines):
        m = COMPACT.search(line.folded)
        if m and DATE_LABEL.search(line.folded[:m.start()][-12:]) and not OTHER_DATE.search(line.folded[:m.start()][-20:]):
            day = _date_of(m)
            if day and (best is None or 0.9 > best[0]):
                best = (0.9, Field(day.isoformat(), round(0.8 * line.conf_at(*m.span()), 3), line.source))
                line_of = line
        for pattern in DATE_PATTERNS:
            for m in pattern.finditer(line.folded):
                day = _date_of(m)
                if not day:
                    continue
                before = line.folded[:m.start()]
                if OTHER_DATE.search(before[-40:]):
                    score = 0.3
                elif INVOICE_DATE_LABEL.search(before[-45:]):
                    score = 0.97
                elif DATE_LABEL.search(before[-45:]) or DATE_LABEL.search(before):
                    score = 0.93
                elif i <= 5 and ALONE.fullmatch(line.folded[:m.start()] + line.folded[m.end():]):
                    score = 0.88  # alone on a line of the page's head: where an invoice's date stands
                else:
                    score = 0.55
                if score >= 0.9:
                    labelled.append((score, day.isoformat()))
                score -= 0.03 * min(i, 20) / 20
                field = Field(day.isoformat(), round(max(0.05, score) * line.conf_at(*m.span()), 3), line.source)
                if best is None or score > best[0]:
                    best, line_of = (score, field), line
    if best is None:
        return None
    top = max(s for s, _ in labelled) if labelled else 0
    rivals = [v for s, v in labelled if s >= top - 0.005 and s >= 0.9]
    return best[0], best[1], line_of, rivals
