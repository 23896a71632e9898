"""Amounts printed on an invoice ("1 234,56 €", "36€") and the candidates each labelled line
(Total HT, TVA, Total TTC, bonus, net à payer) gives for its field: a label without an amount
takes the amount-only line just below, or the n-th of a column of amounts read apart from its
column of labels."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ...core.money import cents
from .layout import cells_below
from .lines import Line


def _dec(value: str) -> Decimal | None:
    try:
        return cents(value)
    except (InvalidOperation, ValueError):
        return None


AMOUNT = re.compile(
    r"(?<![\w,.])(?P<sign>-\s?)?(?P<int>\d{1,3}(?:[ .'](?:\d{3}))+|\d+)\s?[,.]\s?(?P<dec>\d{2})(?!\d)(?!\s?%)"
    r"|(?<![\w,.])(?P<sign2>-\s?)?(?P<int2>\d{1,3}(?:[ .](?:\d{3}))+|\d+)\s?(?=€|eur\b)", re.IGNORECASE)


@dataclass
class Amount:
    value: Decimal  # as printed, sign kept
    start: int
    end: int
    alternatives: tuple[Decimal, ...] = ()  # readings without a leading group (a stray number before it)
    exact: bool = True  # had decimals


def amounts_in(text: str) -> list[Amount]:
    found = []
    for m in AMOUNT.finditer(text):
        if m.group("int") is not None:
            whole, dec, sign, exact = m.group("int"), m.group("dec"), m.group("sign"), True
        else:
            whole, dec, sign, exact = m.group("int2"), "00", m.group("sign2"), False
        digits = re.sub(r"[ .']", "", whole)
        value = _dec(f"{digits}.{dec}")
        if value is None:
            continue
        if sign:
            value = -value
        alternatives = []
        if not exact and len(digits) >= 3:  # "45,00 €" read "4500 €": the comma lost
            alternatives.append(_dec(f"{digits[:-2]}.{digits[-2:]}"))
        groups = re.split(r"[ .']", whole)
        for k in range(1, len(groups)):  # "20 251,40" may be "20" (a stray number) then "251,40"
            if len(groups[k]) == 3 and groups[k][0] != "0" or k == len(groups) - 1:
                alt = _dec("".join(groups[k:]) + "." + dec)
                if alt is not None:
                    alternatives.append(-alt if sign else alt)
        found.append(Amount(value, m.start(), m.end(), tuple(alternatives), exact))
    return found


def _amount_only(line: Line) -> list[Amount]:
    """The amounts of a line that holds nothing else (bar a currency sign, brackets, a few stray marks)."""
    found = amounts_in(line.text)
    if not found:
        return []
    rest = line.folded
    for a in reversed(found):
        rest = rest[:a.start] + rest[a.end:]
    letters = re.sub(r"eur|[^a-z]", "", rest)
    return found if len(letters) <= 2 else []


LABELS = {
    "total_ttc": [(re.compile(r"\b(total|montant|prix)\W{0,3}(general\W{0,3})?t\W?t\W?c\b"), 0.95),
                  # «Total facture», «Bruttosumme», «Endsumme», «Rechnungsbetrag», «Total incl. VAT», «Totaal incl. btw»
                  (re.compile(r"\btotal\W{0,3}(de\W{1,3}la\W{1,3})?facture\b|\bbrutto\W?(summe|betrag)\b|\bendsumme\b|"
                              r"\bsumme\W{0,3}(gesamt|brutto)\b|\bgesamt\W?(betrag|summe)\b(?!\W{0,3}der)|\brechnungs(betrag|summe)\b(?!\W{0,3}ohne)|"
                              r"\b(grand|invoice)\W{0,3}total\b|\btotal\W{0,3}(amount|\W{0,3}incl\w*|\W{0,3}(€|eur)\W{0,3}incl\w*)\b|"
                              r"\btotaal\W{0,3}incl\w*|\btotal\W{0,3}(eur|€)(?!\W{0,3}(h\W?t|excl|net))"), 0.9),
                  (re.compile(r"\bt\.?t\.?c\b"), 0.7),  # "Total" misread: "Dtal TTC 892,20 €"
                  (re.compile(r"^\W{0,3}(montant\W{0,3})?(total|totaal|summe|gesamt)\W{0,3}(eur|€)?\W{0,3}:?\W{0,3}(?=\d|€|$)"), 0.45)],
    "total_ht": [(re.compile(r"\b(sous\W?total|total|montant|base)\W{0,3}(net\W{0,3})?h\W?t\b"), 0.93),
                 # «Rechnungssumme ohne USt.», «Nettobetrag», «Subtotal», «Total excl. VAT», «Exclusief BTW», «Summe netto»
                 (re.compile(r"summe\W{0,3}ohne\W{0,3}(ust|mwst)|\bnetto\W?(betrag|summe)\b|\bsumme\W{0,3}netto\b|"
                             r"\bsub\W?total\b|\btotal\W{0,3}(excl|hors|net\b|before)\w*|\bexclusief\W{0,3}btw\b|\btotaal\W{0,3}excl\w*"), 0.85),
                 (re.compile(r"^\W{0,3}(?!(qte|pu|prix|taux|tva|unit)\b)[a-z]{2,6}\W{0,3}h\.?t\b"), 0.6)],  # "Tota HT"
    "vat": [(re.compile(r"\b(total|montant)\W{0,3}t\W?v\W?a\b"), 0.95),
            (re.compile(r"\bt\W?v\W?a\b(?!\W{0,3}(intra|n\W|numero|fr\s?\w))"), 0.9),
            # «Steuerbetrag», «MwSt.», «USt.», «VAT», «BTW», «Tax»
            (re.compile(r"\b(steuerbetrag|mwst|ust|umsatzsteuer|vat|btw|tax|taxes)\b(?!\W{0,3}(id|nr|nummer|number|no\b|reg|%\W*$))"), 0.8)],
    "bonus": [(re.compile(r"\bbonus\b|\bdeduction\b.*\brepar|\bqualirepar\b\W*-|\bfonds\W{0,3}repar"), 0.92)],
    # paid before (EN 16931 BT-113 «Paid amount»): TTC − prepaid = amount due (BT-115)
    "prepaid": [(re.compile(r"\bacompte\b|\bdeja\W{0,3}(verse|paye|regle)|\b(erhaltene\W{0,3})?anzahlung\w*|\bprepaid\b|"
                            r"\bpaid\W{0,3}amount\b|\bamount\W{0,3}paid\b|\bvooruitbetaald\b"), 0.85)],
    "net": [(re.compile(r"\b(net|reste|montant|solde|somme)\W{0,3}(a|du|restant)?\W{0,3}(payer|regler)\b|\bnet\W{0,3}a\W?payer\b|"
                        r"\b(amount|balance|total)\W{0,3}due\b|\bzahlbetrag\b|\b(zu\W{0,3}zahlen(der\W{0,3}betrag)?)\b|"
                        r"\bte\W{0,3}betalen\b|\bto\W{0,3}pay\b"), 0.9)],
}
VAT_EXEMPT = re.compile(r"\btva\W{0,3}non\W{0,3}applicable|\b293\s?b\b|(?<!si )\bexoner")  # not «motif si exonération»
#: «Nettobetrag (zzgl. 19 % MwSt.)»: the VAT named in passing, the amount is another one's
VAT_IN_PASSING = re.compile(r"\b(zzgl|zgl|inkl|incl|excl|exkl|plus|hors|including|excluding|inclusief|exclusief)\b\.?\s*(\d+([.,]\d+)?\s*%\s*)?$")
NOT_AMOUNT_LINE = re.compile(r"\bcapital\b|\bintracom|\bsiret\b|\bsiren\b|\brcs\b")


@dataclass
class Candidate:
    value: Decimal
    score: float  # rule certainty × OCR confidence
    line: Line
    alternatives: tuple[Decimal, ...] = ()
    exact: bool = True  # printed with its cents


def label_matches(line: Line) -> list[tuple[str, float, int, int]]:
    """(field, certainty, start, end) of each label on the line, in reading order, overlaps dropped."""
    found = []
    for name, rules in LABELS.items():
        for pattern, certainty in rules:
            hits = list(pattern.finditer(line.folded))
            if hits:
                found.extend((name, certainty, m.start(), m.end()) for m in hits)
                break
    found = [f for f in found if not (f[0] == "vat" and VAT_IN_PASSING.search(line.folded[max(0, f[2] - 24):f[2]]))]
    found.sort(key=lambda item: (item[2], -item[3]))
    out: list[tuple[str, float, int, int]] = []
    for item in found:
        if out and item[2] < out[-1][3]:
            continue
        out.append(item)
    return out


def _loose_amounts(line: Line) -> list[Amount]:
    """The amounts of a line below a label: nothing else on it but a few words ("QualiRépar", "€")."""
    found = amounts_in(line.text)
    if not found or label_matches(line):
        return []
    rest = line.folded
    for a in reversed(found):
        rest = rest[:a.start] + rest[a.end:]
    return found if len(re.sub(r"eur|[^a-z]", "", rest)) <= 12 else []


def _label_only(line: Line) -> list[tuple[str, float, int, int]]:
    """The labels of a line that holds a label and nothing else (no amount)."""
    labels = label_matches(line)
    if labels and labels[0][2] <= 3 and len(line.folded) - labels[-1][3] <= 12 and not amounts_in(line.text):
        return labels
    return []


def amount_candidates(lines: list[Line]) -> dict[str, list[Candidate]]:
    """Each amount field's candidates: from a column of labels read apart from its amounts, from
    a label's own line, or from the line just below a label that has no amount."""
    found: dict[str, list[Candidate]] = {name: [] for name in LABELS}
    used: set[int] = set()
    for label_at, amount_at in _label_columns(lines):
        name, certainty, _, _ = _label_only(lines[label_at])[0]
        found[name].append(_candidate(name, certainty * 0.8, lines[amount_at], _amount_only(lines[amount_at])))
        used.update((label_at, amount_at))
    for i, line in enumerate(lines):
        if i in used or NOT_AMOUNT_LINE.search(line.folded):
            continue
        labels = label_matches(line)
        for k, (name, certainty, start, end) in enumerate(labels):
            if name == "vat" and VAT_EXEMPT.search(line.folded):
                continue
            stop = labels[k + 1][2] if k + 1 < len(labels) else len(line.text)
            chosen = [a for a in amounts_in(line.text) if a.start >= end - 1 and a.end <= stop]
            if name == "vat":  # "TVA 20 % sur 1 257,00 € 251,40 €": the tax, not its base
                chosen = [a for a in chosen if not re.search(r"\b(sur|base)\W*$", line.folded[max(0, a.start - 8):a.start])]
            if chosen:
                found[name].append(_candidate(name, certainty, line, chosen))
            elif k + 1 == len(labels) and (below := _amount_below(lines, i, used)) is not None:
                used.add(below)
                found[name].append(_candidate(name, certainty * 0.9, lines[below], _loose_amounts(lines[below])))
            elif cell := _amount_in_cell(lines, line, start, end):
                found[name].append(_candidate(name, certainty * 0.85, *cell))
    return found


def _amount_in_cell(lines: list[Line], line: Line, start: int, end: int) -> tuple[Line, list[Amount]] | None:
    """The amount standing in the cell below a label (a totals table's header row), if any."""
    for other, s, e in cells_below(lines, line, start, end, rows=2)[:1]:
        found = [a for a in amounts_in(other.text) if a.start >= s - 1 and a.end <= e + 1]
        if found and not label_matches(other):
            return other, found
    return None


def _candidate(name: str, certainty: float, line: Line, chosen: list[Amount]) -> Candidate:
    """The candidate a field's label gives from the amounts `chosen` on `line`."""
    exact = [a for a in chosen if a.exact] or chosen
    alternatives = ()
    if name == "bonus":  # the deducted amount is the negative one when the sign was read
        a = next((x for x in exact if x.value < 0), exact[-1])
        digits = line.text[a.start:a.end].lstrip()
        if a.value > 0 and re.match(r"\d\d", digits):  # "-30,00" read "730,00": the minus taken for a digit
            alternatives = (_dec(re.sub(r"[^\d,.]", "", digits[1:]).replace(",", ".")) or a.value,)
    else:
        a = exact[-1]
    sure = certainty * line.conf_at(a.start, a.end) * (1.0 if a.exact else 0.6)  # "36€": the cents lost?
    return Candidate(a.value, sure, line, a.alternatives + alternatives, a.exact)


def _label_columns(lines: list[Line]):
    """(label line, amount line) of a column of labels read apart from its column of amounts: the
    n-th label takes the n-th amount."""
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and lines[j].page == lines[i].page and _label_only(lines[j]):
            j += 1
        if j - i >= 2:
            k = j
            while k < len(lines) and lines[k].page == lines[i].page and _amount_only(lines[k]):
                k += 1
            if k - j >= j - i:
                yield from zip(range(i, j), range(j, k))
            i = max(j, k)
        else:
            i = j + 1 if j == i else j


def _amount_below(lines: list[Line], i: int, used: set[int]) -> int | None:
    """The line just below line `i` holding its label's amount, if any ("(ecosystem)" may come between)."""
    for j in range(i + 1, min(i + 3, len(lines))):
        if j in used or lines[j].page != lines[i].page or label_matches(lines[j]):
            return None
        if _loose_amounts(lines[j]):
            return j
        if amounts_in(lines[j].text) or len(lines[j].folded) > 25:
            return None
    return None
