"""The invoice's number: after its label ("Facture n°", "N° :", "Réf. facture"), headings first."""
from __future__ import annotations

import re

from .dates import parse_date
from .layout import cells_below
from .lines import Field, Line

TOKEN = r"[A-Za-z0-9][A-Za-z0-9\-_/.]*"
NUMBER_RULES = [
    (re.compile(r"\b(facture|invoice|rechnung|factuur)\W{0,3}(n\W{1,2}\s?|no\b\.?\s?|num\w*\.?\s?|#\s?)?(de\s+facture\s+)?[:.]?\s*(?P<v>"
                + TOKEN + ")", re.IGNORECASE), 0.95),
    (re.compile(r"^\W{0,2}(n\W{1,2}|no\b\.?|numero|num\.?)\s*(de\s+)?(facture\s*)?[:.]?\s*(?P<v>" + TOKEN + ")", re.IGNORECASE), 0.75),
    (re.compile(r"\bref\w*\W{0,3}facture\W{0,3}(?P<v>" + TOKEN + ")", re.IGNORECASE), 0.85),
    # German, Dutch, English: «Rechnungsnummer», «Rechnungsnr.», «Factuurnummer», «Invoice number», «Belegnummer»
    (re.compile(r"\b(rechnungs?|factuur|invoice)\W?(nr|nummer|number|no|num)\b\W{0,3}(?P<v>" + TOKEN + ")"), 0.93),
    (re.compile(r"rechnung\b.{0,12}?\bnr\b\W{0,3}(?P<v>" + TOKEN + ")"), 0.92),  # «Handelsrechnung (380) Nr. …»
    # a credit note's number: «Avoir AV-2017-0005», «Gutschrift …», «Credit note …» (EN 16931 BT-3 type 381)
    (re.compile(r"^\W{0,2}(avoir|gutschrift|credit\s+note|creditnota)\W{0,3}(n\W{1,2}\s?|no\b\.?\s?|nr\b\.?\s?)?[:.]?\s*(?P<v>"
                + TOKEN + ")"), 0.9),
    (re.compile(r"\bbeleg\W?(nr|nummer)\b\W{0,3}(?P<v>" + TOKEN + ")"), 0.8),
    # "N° : …" after other text (two columns read as one line), unless it is another number's label
    (re.compile(r"(?<!qualirepar )(?<!labellise )(?<!client )(?<!dossier )(?<!commande )(?<!serie )(?<!tva )(?<!siret )"
                r"(?<!devis )(?<!agrement )\b(n\W{1,2}|no\b\.?)\s*[:.]?\s*(?P<v>" + TOKEN + ")", re.IGNORECASE), 0.6),
]


def _fix_digits_in_id(value: str) -> str:
    """O read for 0 and l/I for 1 in the digit groups of a number ("F2026-OO858")."""
    parts = re.split(r"([\-/._])", value)
    for k, part in enumerate(parts):
        digits = sum(ch.isdigit() for ch in part)
        if digits and digits * 2 >= len(part) and re.fullmatch(r"[\dOoIl|]+", part):
            parts[k] = part.translate(str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1"}))
    return "".join(parts)


#: a column header (or a label alone on its line) whose value stands in the cell below
HEADER = re.compile(r"^\W{0,2}(?P<label>(n\W{1,2}|numero|num\.?)\s*(de\s+)?facture|facture\s*(n\W{1,2}|no\b\.?|numero)?|"
                    r"invoice\s*(number|no\b\.?|#|nr\b\.?)?|rechnungs?\W?(nr\b\.?|nummer)|factuur\W?(nummer|nr\b\.?)|"
                    r"belegnummer|ref\w*(\s+facture)?)\s*[:.#]?\s*$")
HEADER_CERTAINTY = 0.85  # «Référence» or «Facture» alone: less sure (below)


def _usable(value: str) -> bool:
    return bool(re.search(r"\d", value)) and 3 <= len(value) <= 30 and not parse_date(value) and not re.fullmatch(r"\d{1,2}", value)


def _below_header(lines: list[Line]) -> tuple[float, Field] | None:
    """The number in the cell below a header «N° facture», «Rechnungsnr.», «Invoice No» (two dimensions)."""
    for i, line in enumerate(lines):
        m = HEADER.search(line.folded)
        if not m:
            continue
        certainty = HEADER_CERTAINTY if re.search(r"n\W|num|nr|nummer|number|no\b|#", m.group("label")) else 0.6
        for other, start, end in cells_below(lines, line, *m.span("label"))[:2]:
            tokens = re.finditer(TOKEN, other.text[start:end])
            for t in tokens:
                value = t.group().rstrip(".,;:/-_")
                if _usable(value):
                    s, e = start + t.start(), start + t.start() + len(value)
                    score = certainty - 0.02 * min(i, 10) / 10
                    confidence = score * other.conf_at(s, e)
                    if certainty < HEADER_CERTAINTY:  # «Référence» alone may head another reference: to be checked
                        confidence = min(confidence, 0.45)
                    return score, Field(_fix_digits_in_id(value), round(confidence, 3), f"{line.source} / {other.source}")
    return None


def find_number(lines: list[Line]) -> Field | None:
    best: tuple[float, Field] | None = _below_header(lines)
    for i, line in enumerate(lines):
        for pattern, certainty in NUMBER_RULES:
            m = pattern.search(line.folded)
            if not m:
                continue
            start, end = m.span("v")
            value = line.text[start:end].rstrip(".,;:/-_")
            if not _usable(value) or re.match(r"[,.]\d{2}(?!\d)", line.text[end:]):  # «Total facture 119,00»: an amount
                continue
            score = certainty
            if pattern is NUMBER_RULES[0][0] and m.start() > 0 and re.search(r"\b(la|cette|de|votre|sur)\W*$", line.folded[:m.start()]):
                score -= 0.25  # "annule la facture F…": another invoice mentioned in passing
            if pattern in (NUMBER_RULES[1][0], NUMBER_RULES[-1][0]):
                near = " ".join(ln.folded for ln in lines[max(0, i - 3):i])
                if re.search(r"\bfacture\b", near):
                    score += 0.15
            score -= 0.02 * min(i, 10) / 10  # headings come first
            field = Field(_fix_digits_in_id(value), round(min(score, 0.99) * line.conf_at(start, end), 3), line.source)
            if best is None or score > best[0]:
                best = (score, field)
            break
    return best[1] if best else None
