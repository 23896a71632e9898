"""Fields of an invoice or a nameplate, found in a Reading's text by rules.

Every field comes with a confidence (0..1: how sure the rule is, times the OCR confidence of the
words it came from) and the line it came from. Values are normalised: dates ISO (yyyy-mm-dd),
amounts "1234.56" (the bonus positive), SIRET / SIREN / VAT number without spaces.

Pure (no Flask, no database).

How the amounts are chosen: each labelled line (Total HT, TVA, Total TTC, bonus, net à payer)
gives candidates (a label without an amount takes the amount-only line just below, or the n-th
of a column of amounts read apart from its column of labels); then the combination that holds
together (HT + TVA = TTC, TTC − bonus = net) wins, and agreeing fields gain confidence. A SIRET,
SIREN or VAT number that fails its checksum is kept only with a low confidence (≤ 0.2).
"""
from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from .reader import Reading

CENT = Decimal("0.01")
SPACES = dict.fromkeys(map(ord, "\u00a0\u202f\u2007\u2009\u200a\u2002\u2003\u2004\u2005\u2006\u2008\t"), " ")
DASHES = dict.fromkeys(map(ord, "\u2212\u2013\u2014\u2012\u2010\u2011\u00ad"), "-")
QUOTES = dict.fromkeys(map(ord, "\u2019\u2018\u02bc\u00b4`"), "'")


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
            for token in source.split():
                conf = None
                for ahead in range(pointer, min(pointer + 4, len(words))):
                    if words[ahead].text == token:
                        conf, pointer = words[ahead].conf, ahead + 1
                        break
                if conf is None:
                    conf = words[pointer].conf if pointer < len(words) else 100.0
                    pointer = min(pointer + 1, len(words))
                confs.append(max(0.0, min(100.0, float(conf))) / 100)
            folded = "".join(_fold_char(c) for c in text)
            out.append(Line(text, folded, source, confs, page_no, len(out)))
    return out


def _dec(value: str) -> Decimal | None:
    try:
        return Decimal(value).quantize(CENT)
    except (InvalidOperation, ValueError):
        return None


def _money(value: Decimal) -> str:
    return f"{value.quantize(CENT):.2f}"


# ---------------------------------------------------------------- amounts

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
                  (re.compile(r"\bt\.?t\.?c\b"), 0.7)],  # "Total" misread: "Dtal TTC 892,20 €"
    "total_ht": [(re.compile(r"\b(sous\W?total|total|montant|base)\W{0,3}(net\W{0,3})?h\W?t\b"), 0.93),
                 (re.compile(r"^\W{0,3}(?!(qte|pu|prix|taux|tva|unit)\b)[a-z]{2,6}\W{0,3}h\.?t\b"), 0.6)],  # "Tota HT"
    "vat": [(re.compile(r"\b(total|montant)\W{0,3}t\W?v\W?a\b"), 0.95),
            (re.compile(r"\bt\W?v\W?a\b(?!\W{0,3}(intra|n\W|numero|fr\s?\w))"), 0.9)],
    "bonus": [(re.compile(r"\bbonus\b|\bdeduction\b.*\brepar|\bqualirepar\b\W*-|\bfonds\W{0,3}repar"), 0.92)],
    "net": [(re.compile(r"\b(net|reste|montant|solde)\W{0,3}(a|du|restant)?\W{0,3}(payer|regler)\b|\bnet\W{0,3}a\W?payer\b"), 0.9)],
}
DERIVED_BONUS = 0.3  # the score of a bonus computed as TTC − net à payer (it wins only when they agree)
CREDIBLE = 0.5  # the score from which a reading can dispute another
MAX_BONUS_SHARE = Decimal("0.8")  # a bonus computed so is at most this share of the TTC
VAT_EXEMPT = re.compile(r"\btva\W{0,3}non\W{0,3}applicable|\b293\s?b\b|\bexoner")
NOT_AMOUNT_LINE = re.compile(r"\bcapital\b|\bintracom|\bsiret\b|\bsiren\b|\brcs\b")


@dataclass
class Candidate:
    value: Decimal
    score: float  # rule certainty × OCR confidence
    line: Line
    alternatives: tuple[Decimal, ...] = ()
    exact: bool = True  # printed with its cents


def _label_matches(line: Line) -> list[tuple[str, float, int, int]]:
    """(field, certainty, start, end) of each label on the line, in reading order, overlaps dropped."""
    found = []
    for name, rules in LABELS.items():
        for pattern, certainty in rules:
            hits = list(pattern.finditer(line.folded))
            if hits:
                found.extend((name, certainty, m.start(), m.end()) for m in hits)
                break
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
    if not found or _label_matches(line):
        return []
    rest = line.folded
    for a in reversed(found):
        rest = rest[:a.start] + rest[a.end:]
    return found if len(re.sub(r"eur|[^a-z]", "", rest)) <= 12 else []


def _label_only(line: Line) -> list[tuple[str, float, int, int]]:
    """The labels of a line that holds a label and nothing else (no amount)."""
    labels = _label_matches(line)
    if labels and labels[0][2] <= 3 and len(line.folded) - labels[-1][3] <= 12 and not amounts_in(line.text):
        return labels
    return []


def amount_candidates(lines: list[Line]) -> dict[str, list[Candidate]]:
    found: dict[str, list[Candidate]] = {name: [] for name in LABELS}
    used: set[int] = set()

    def add(name: str, certainty: float, line: Line, chosen: list[Amount]) -> None:
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
        found[name].append(Candidate(a.value, sure, line, a.alternatives + alternatives, a.exact))

    # a column of labels read apart from its column of amounts: the n-th label takes the n-th amount
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
                for label_at, amount_at in zip(range(i, j), range(j, k)):
                    name, certainty, _, _ = _label_only(lines[label_at])[0]
                    add(name, certainty * 0.8, lines[amount_at], _amount_only(lines[amount_at]))
                    used.update((label_at, amount_at))
            i = max(j, k)
        else:
            i = j + 1 if j == i else j

    for i, line in enumerate(lines):
        if i in used or NOT_AMOUNT_LINE.search(line.folded):
            continue
        labels = _label_matches(line)
        for k, (name, certainty, start, end) in enumerate(labels):
            if name == "vat" and VAT_EXEMPT.search(line.folded):
                continue
            stop = labels[k + 1][2] if k + 1 < len(labels) else len(line.text)
            chosen = [a for a in amounts_in(line.text) if a.start >= end - 1 and a.end <= stop]
            if name == "vat":  # "TVA 20 % sur 1 257,00 € 251,40 €": the tax, not its base
                chosen = [a for a in chosen if not re.search(r"\b(sur|base)\W*$", line.folded[max(0, a.start - 8):a.start])]
            if chosen:
                add(name, certainty, line, chosen)
                continue
            if k + 1 < len(labels):
                continue
            for j in range(i + 1, min(i + 3, len(lines))):  # the amount on the line below ("(ecosystem)" between)
                if j in used or lines[j].page != line.page or _label_matches(lines[j]):
                    break
                loose = _loose_amounts(lines[j])
                if loose:
                    used.add(j)
                    add(name, certainty * 0.9, lines[j], loose)
                    break
                if amounts_in(lines[j].text) or len(lines[j].folded) > 25:
                    break
    return found


def _options(cands: list[Candidate], absolute: bool = False) -> list[tuple[Decimal | None, float, Candidate | None]]:
    """Values a field may take: each candidate's reading and its alternatives, best first, or nothing."""
    options: dict[Decimal, tuple[float, Candidate]] = {}
    for c in sorted(cands, key=lambda c: -c.score):
        readings = [(c.value, c.score)] + [(alt, c.score * 0.5) for alt in c.alternatives]
        for value, score in readings:
            value = abs(value) if absolute else value
            if value in options:
                prev_score, prev = options[value]
                options[value] = (min(1.0, max(prev_score, score) + 0.05), prev)  # read twice: a little surer
            else:
                options[value] = (score, c)
    ranked = sorted(((v, s, c) for v, (s, c) in options.items()), key=lambda o: -o[1])[:4]
    return ranked + [(None, 0.0, None)]


def _bonus_disputed(value: Decimal, cand: Candidate | None, cands: dict[str, list[Candidate]]) -> bool:
    """Whether another credible reading says otherwise: a bonus line read differently (for a bonus
    computed from TTC and net), or TTC − net (both with their cents) different (for a bonus read)."""
    if cand is None:
        return any(c.score >= CREDIBLE and value not in {abs(c.value), *map(abs, c.alternatives)} for c in cands["bonus"])
    return any(t.exact and n.exact and min(t.score, n.score) >= CREDIBLE and Decimal(0) < t.value - n.value != value
               for t in cands["total_ttc"] for n in cands["net"])


def solve_amounts(lines: list[Line]) -> dict[str, Field]:
    cands = amount_candidates(lines)
    exempt = next((ln for ln in lines if VAT_EXEMPT.search(ln.folded)), None)
    names = ("total_ht", "vat", "total_ttc", "bonus", "net")
    opts = {n: _options(cands[n], absolute=(n == "bonus")) for n in names}
    if exempt and not cands["vat"]:
        opts["vat"] = [(Decimal("0.00"), 0.85 * exempt.conf, None)] + opts["vat"]
    per_line = {id(c.line): c for c in cands["vat"]}
    if len(per_line) >= 2:  # one line per rate (5,5 % and 20 %): their sum, if it is what balances HT and TTC
        total = sum((c.value for c in per_line.values()), Decimal(0))
        if total not in {v for v, _, _ in opts["vat"]}:
            first = min(per_line.values(), key=lambda c: c.line.index)
            opts["vat"] = opts["vat"][:-1] + [(total, min(c.score for c in per_line.values()) * 0.9, first)] + opts["vat"][-1:]
    bonus_line = next((ln for ln in lines if any(lb[0] == "bonus" for lb in _label_matches(ln))), None)
    if bonus_line:  # a bonus line whose amount was misread: TTC − net à payer, if they agree with nothing better
        derived = {t - n for t, _, tc in opts["total_ttc"] for n, _, nc in opts["net"]
                   if t is not None and n is not None and tc and tc.exact and nc and nc.exact and Decimal(0) < t - n <= t * MAX_BONUS_SHARE}
        known = {v for v, _, _ in opts["bonus"]}
        opts["bonus"] = opts["bonus"][:-1] + [(v, DERIVED_BONUS, None) for v in derived if v not in known] + opts["bonus"][-1:]
    best, best_score = None, -1.0
    for combo in itertools.product(*(opts[n] for n in names)):
        values = {n: combo[k] for k, n in enumerate(names)}
        score = sum(s for _, s, _ in combo) - 0.5 * combo[-1][1]  # the net is only there to check the bonus
        ht, vat, ttc, bonus, net = (values[n][0] for n in names)
        if ht is not None and vat is not None and ttc is not None:
            score += 1.5 if ht + vat == ttc else -1.0
        if ttc is not None and bonus is not None and net is not None:
            if values["bonus"][2] is None:  # computed from them: their agreement is worth something, not proof
                score += 0.5
            else:
                score += 1.0 if ttc - bonus == net else -0.8
        if ttc is not None and bonus is not None and bonus > ttc:
            score -= 1.0
        if ttc is not None and ht is not None and ht > ttc:
            score -= 1.0
        if vat is not None and ht is not None and ht and vat > ht * Decimal("0.25"):
            score -= 1.0
        if score > best_score:
            best, best_score = values, score
    out: dict[str, Field] = {}
    if best is None:
        return out
    ht, vat, ttc, bonus, net = (best[n][0] for n in names)
    balanced = ht is not None and vat is not None and ttc is not None and ht + vat == ttc
    netted = ttc is not None and bonus is not None and net is not None and ttc - bonus == net
    for name in ("total_ht", "vat", "total_ttc", "bonus"):
        value, score, cand = best[name]
        if value is None:
            continue
        confidence = score
        if name == "bonus" and cand is None:  # computed from TTC and net: as sure as the less sure of them
            confidence = 0.75 * min(best["total_ttc"][1], best["net"][1])
        elif (balanced and name != "bonus") or (netted and name in ("total_ttc", "bonus")):
            confidence = 1 - (1 - confidence) * 0.3
        elif name != "bonus" and ht is not None and vat is not None and ttc is not None:
            confidence *= 0.6  # HT + TVA ≠ TTC: one of them is misread
        if name == "bonus" and _bonus_disputed(value, cand, cands):
            confidence = min(confidence, 0.45)  # the bonus line and TTC − net à payer disagree: to be checked
        source = cand.line.source if cand else (bonus_line.source if name == "bonus" and bonus_line else
                                                 exempt.source if exempt else "")
        out[name] = Field(_money(value), round(min(confidence, 0.99), 3), source)
    # derived when no line says it: TTC from HT + TVA, or from net + bonus
    if "total_ttc" not in out and not cands["total_ttc"]:
        if ht is not None and vat is not None:
            out["total_ttc"] = Field(_money(ht + vat), round(0.6 * min(best["total_ht"][1], best["vat"][1]), 3),
                                     f"{out['total_ht'].source} + {out['vat'].source}")
        elif net is not None and bonus is not None:
            out["total_ttc"] = Field(_money(net + bonus), round(0.5 * min(best["net"][1], best["bonus"][1]), 3),
                                     f"{best['net'][2].line.source} + {out['bonus'].source}")
    return out


# ---------------------------------------------------------------- number, date, customer

TOKEN = r"[A-Za-z0-9][A-Za-z0-9\-_/.]*"
NUMBER_RULES = [
    (re.compile(r"\b(facture|invoice)\W{0,3}(n\W{1,2}\s?|no\b\.?\s?|num\w*\.?\s?|#\s?)?(de\s+facture\s+)?[:.]?\s*(?P<v>"
                + TOKEN + ")", re.IGNORECASE), 0.95),
    (re.compile(r"^\W{0,2}(n\W{1,2}|no\b\.?|numero|num\.?)\s*(de\s+)?(facture\s*)?[:.]?\s*(?P<v>" + TOKEN + ")", re.IGNORECASE), 0.75),
    (re.compile(r"\bref\w*\W{0,3}facture\W{0,3}(?P<v>" + TOKEN + ")", re.IGNORECASE), 0.85),
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


def find_number(lines: list[Line]) -> Field | None:
    best: tuple[float, Field] | None = None
    for i, line in enumerate(lines):
        for pattern, certainty in NUMBER_RULES:
            m = pattern.search(line.folded)
            if not m:
                continue
            start, end = m.span("v")
            value = line.text[start:end].rstrip(".,;:/-_")
            if not re.search(r"\d", value) or not 3 <= len(value) <= 30 or _parse_date(value):
                continue
            if re.fullmatch(r"\d{1,2}", value):
                continue
            score = certainty
            if pattern is NUMBER_RULES[0][0] and m.start() > 0 and re.search(r"\b(la|cette|de|votre|sur)\W*$", line.folded[:m.start()]):
                score -= 0.25  # "annule la facture F…": another invoice mentioned in passing
            if pattern in (NUMBER_RULES[1][0], NUMBER_RULES[3][0]):
                near = " ".join(ln.folded for ln in lines[max(0, i - 3):i])
                if re.search(r"\bfacture\b", near):
                    score += 0.15
            score -= 0.02 * min(i, 10) / 10  # headings come first
            field = Field(_fix_digits_in_id(value), round(min(score, 0.99) * line.conf_at(start, end), 3), line.source)
            if best is None or score > best[0]:
                best = (score, field)
            break
    return best[1] if best else None


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


def _parse_date(text: str) -> dt.date | None:
    folded = "".join(_fold_char(c) for c in text)
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


CIVILITY = r"(?:m\.|mr\.?|mme\.?|mlle\.?|monsieur|madame|mademoiselle|m)"
NAME_WORD = r"[A-ZÀ-ÖØ-Þa-zß-öø-ÿŒœ][A-Za-zÀ-ÖØ-öø-ÿŒœ'\-]+"
CUSTOMER_LABEL = re.compile(r"\b(client|cliente|facture\s+a|factur\w*\s+a|destinataire|adresse\s+a|nom(\s+du\s+client)?|a\s+l'attention\s+de)\b"
                            r"\s*:?\s*")
NOT_A_NAME = re.compile(r"\b(rue|avenue|bd|boulevard|chemin|place|allee|impasse|route|facture|total|siret|siren|tva|date|dossier|"
                        r"tel|email|mail|reparation|appareil|sarl|sas|eurl|client|page|n°)\b|\d|@")


def _name_from(text: str, folded: str, start: int) -> tuple[str, int, int] | None:
    """A person's name starting at `start` (a civility skipped): 2 to 4 capitalised words."""
    rest = text[start:]
    m = re.match(r"\s*(?:(?:M\.|Mr\.?|Mme\.?|Mlle\.?|Monsieur|Madame|Mademoiselle|MME|MLLE)\s+)?", rest)
    offset = start + (m.end() if m else 0)
    words = []
    pos = offset
    for w in re.finditer(r"\S+", text[offset:]):
        word = w.group().strip(",;|")
        if not re.fullmatch(NAME_WORD, word) or not word[0].isupper():
            break
        words.append(word)
        pos = offset + w.end()
        if len(words) == 4:
            break
    if len(words) < 2:
        return None
    name = " ".join(words)
    folded_name = "".join(_fold_char(c) for c in name)
    if NOT_A_NAME.search(folded_name):
        return None
    return name, offset, pos


def find_customer(lines: list[Line]) -> Field | None:
    for i, line in enumerate(lines):  # a label: "Client : …", "Facturé à :" and the name on the next line
        m = CUSTOMER_LABEL.search(line.folded)
        if not m or re.search(r"\b(n\W{0,2}|numero|code|ref\w*)\s*$", line.folded[:m.start()]):
            continue
        found = _name_from(line.text, line.folded, m.end())
        if found:
            name, s, e = found
            return Field(name, round(0.88 * line.conf_at(s, e), 3), line.source)
        if len(line.text) - m.end() <= 2 or line.folded[m.end():].strip() == "" or m.start() <= 2:
            for nxt in lines[i + 1:i + 3]:
                civ = re.search(r"(?<![\w.])" + CIVILITY + r"\s", nxt.folded)
                found = _name_from(nxt.text, nxt.folded, civ.start() if civ else 0)
                if found:
                    name, s, e = found
                    return Field(name, round(0.82 * nxt.conf_at(s, e), 3), nxt.source)
    for line in lines:  # a civility anywhere: "M. DUPONT Jean"
        for civ in re.finditer(r"(?<![\w.])(?:m\.|mr\.?|mme|mlle|monsieur|madame|mademoiselle)\s", line.folded):
            found = _name_from(line.text, line.folded, civ.start())
            if found:
                name, s, e = found
                return Field(name, round(0.72 * line.conf_at(s, e), 3), line.source)
    return None


# ---------------------------------------------------------------- SIRET, SIREN, VAT number

CONFUSABLE_DIGITS = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "I": "1", "l": "1", "|": "1", "i": "1",
                                   "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2", "G": "6"})


def _digits_after(text: str, start: int, count: int) -> tuple[str, int] | None:
    """`count` digits after `start`, spaces and dots between groups allowed, look-alike letters read as digits."""
    m = re.match(r"[\s:.#n°º\-]*", text[start:], re.IGNORECASE)
    pos = start + (m.end() if m else 0)
    digits, end = [], pos
    for k in range(pos, min(len(text), pos + count * 2 + 6)):
        ch = text[k]
        if ch in " .":
            if digits and k + 1 < len(text) and text[k + 1] in " .":
                break
            continue
        mapped = ch.translate(CONFUSABLE_DIGITS)
        if not mapped.isdigit():
            break
        digits.append(mapped)
        end = k + 1
        if len(digits) == count:
            break
    return ("".join(digits), end) if len(digits) == count and not (end < len(text) and text[end].isdigit()) else None


def _key_readings(key: str) -> list[tuple[str, float]]:
    """The VAT key as read, then with look-alike letters read as digits (less sure)."""
    out = [(key, 0.96)]
    options = [sorted({ch, ch.translate(CONFUSABLE_DIGITS)}) for ch in key]
    for combo in itertools.product(*options):
        candidate = "".join(combo)
        if candidate != key:
            out.append((candidate, 0.9))
    return out


def find_ids(lines: list[Line]) -> dict[str, Field]:
    from stdnum.fr import siren as siren_check
    from stdnum.fr import siret as siret_check
    from stdnum.fr import tva as tva_check

    sirets: dict[str, list] = {}  # value -> [score, valid, line]
    sirens: dict[str, list] = {}
    vats: dict[str, list] = {}

    def note(store, value, score, valid, line):
        if value in store:
            store[value][0] = min(1.0, max(store[value][0], score) + 0.04)
        else:
            store[value] = [score, valid, line]

    for line in lines:
        f = line.folded
        client = bool(re.search(r"\bclient", f))
        for m in re.finditer(r"\bsiret\b", f):
            got = _digits_after(line.text, m.end(), 14)
            if got:
                value, end = got
                valid = siret_check.is_valid(value)
                conf = line.conf_at(m.end(), end)
                note(sirets, value, (0.97 if valid else 0.15) * conf * (0.7 if client else 1), valid, line)
        for m in re.finditer(r"\bsiren\b|\brcs\b(\s+[a-z\-' ]{2,30}?)?(?=\s*[\dOISB])", f):
            got = _digits_after(line.text, m.end(), 9)
            if got:
                value, end = got
                valid = siren_check.is_valid(value)
                note(sirens, value, (0.95 if valid else 0.15) * line.conf_at(m.end(), end), valid, line)
        for m in re.finditer(r"(?<![\d])(\d{3}\s?\d{3}\s?\d{3}\s?\d{5})(?!\d)", line.text):  # an unlabelled SIRET
            value = re.sub(r"\s", "", m.group(1))
            if value not in sirets and siret_check.is_valid(value) and not re.search(r"\bsiret\W*$", f[:m.start()]):
                note(sirets, value, 0.7 * line.conf_at(*m.span()), True, line)
        for m in re.finditer(r"\bF\s?R[\s.\-]?([0-9A-Z]{2})[\s.\-]?((?:[0-9OIlSB][\s.]?){8}[0-9OIlSB])(?![0-9])", line.text):
            body = re.sub(r"[\s.]", "", m.group(2)).translate(CONFUSABLE_DIGITS)
            value, valid, certainty = f"FR{m.group(1)}{body}", False, 0.15
            # the key is two digits (or, in the old scheme, letters other than O and I): look-alike
            # letters are tried as digits, and the checksum decides
            for key, sure in _key_readings(m.group(1)):
                if tva_check.is_valid(f"FR{key}{body}"):
                    value, valid, certainty = f"FR{key}{body}", True, sure
                    break
            note(vats, value, certainty * line.conf_at(*m.span()), valid, line)

    out: dict[str, Field] = {}

    def pick(store):
        if not store:
            return None
        return max(store.items(), key=lambda kv: (kv[1][1], kv[1][0]))

    vat = pick(vats)
    siret = pick(sirets)
    if siret and vat and vat[1][1] and siret[1][1]:
        seller = vat[0][4:]
        same = [kv for kv in sirets.items() if kv[0][:9] == seller and kv[1][1]]
        if same:
            siret = max(same, key=lambda kv: kv[1][0])
    if siret:
        value, (score, valid, line) = siret
        if valid and vat and vat[1][1] and vat[0][4:] == value[:9]:
            score = 1 - (1 - score) * 0.3
        out["siret"] = Field(value, round(min(score, 0.99 if valid else 0.2), 3), line.source)
    siren = pick(sirens)
    if siren and siren[1][1]:
        value, (score, valid, line) = siren
        if siret and siret[1][1] and siret[0][:9] == value:
            score = 1 - (1 - score) * 0.3
        out["siren"] = Field(value, round(min(score, 0.99), 3), line.source)
    elif siret and siret[1][1]:
        out["siren"] = Field(siret[0][:9], out["siret"].confidence, out["siret"].source)
    elif vat and vat[1][1]:
        out["siren"] = Field(vat[0][4:], round(vat[1][0] * 0.95, 3), vat[1][2].source)
    elif siren:
        value, (score, valid, line) = siren
        out["siren"] = Field(value, round(min(score, 0.2), 3), line.source)
    if vat:
        value, (score, valid, line) = vat
        if valid and siret and siret[1][1] and siret[0][:9] == value[4:]:
            score = 1 - (1 - score) * 0.3
        out["vat_number"] = Field(value, round(min(score, 0.99 if valid else 0.2), 3), line.source)
    return out


# ---------------------------------------------------------------- entry points

def invoice_fields(reading: Reading) -> dict[str, Field]:
    """number, date, total_ttc, total_ht, vat, bonus, siret, siren, vat_number, customer_name (those found)."""
    lines = lines_of(reading)
    out: dict[str, Field] = {}
    number = find_number(lines)
    if number:
        out["number"] = number
    day = find_date(lines)
    if day:
        out["date"] = day
    out.update(solve_amounts(lines))
    out.update(find_ids(lines))
    customer = find_customer(lines)
    if customer:
        out["customer_name"] = customer
    return out


SERIAL_LABELS = [
    (re.compile(r"(?<![a-z0-9])(s\s?[/|\\il1]\s?n|serial\s*(number|no|nr|n°|#)?\.?|ser\.?\s*no\.?|"
                r"n\W{0,2}\s?(de\s+)?serie|no\.?\s+(de\s+)?serie|numero\s+de\s+serie|serien\W?nr\.?)(?![a-z])"), 0.92),
    (re.compile(r"(?<![a-z0-9])fd(?![a-z])"), 0.8),
]
MODEL_LABELS = [
    (re.compile(r"(?<![a-z0-9])(model(e|o|l)?(\s*(code|no|nr|n°))?|mod\.?)(?![a-z])"), 0.92),
    (re.compile(r"(?<![a-z0-9])(ref|reference|ref\.)(\s+commerciale)?(?![a-z])"), 0.8),
    (re.compile(r"(?<![a-z0-9])e\W?nr\.?(?![a-z])"), 0.8),
    (re.compile(r"(?<![a-z0-9])(typ\s*/\s*type|type|typ)(?![a-z])"), 0.6),
    (re.compile(r"(?<![a-z0-9])pnc(?![a-z])"), 0.5),
]
PLATE_VALUE = re.compile(r"[\s:.#=\-]*(?P<v>[A-Za-z0-9][A-Za-z0-9\-/.+)\]}]*)")


def _fix_serial(value: str) -> str:
    """A serial made of digits with one or two look-alike letters: the letters were digits. Serial
    numbers avoid the letter O (taken for zero): an O is read as 0."""
    letters = [c for c in value if c.isalpha()]
    if len(value) >= 6 and 0 < len(letters) <= 2 and all(c in "OoIlSBZ" for c in letters):
        return value.translate(CONFUSABLE_DIGITS)
    return value.replace("O", "0")


def _upper(value: str) -> str:
    """Reference codes are written in capitals: a lone small letter is a misread capital."""
    letters = [c for c in value if c.isalpha()]
    lower = sum(c.islower() for c in letters)
    return value.upper() if letters and lower * 3 <= len(letters) else value


def nameplate_fields(reading: Reading) -> dict[str, Field]:
    """serial_number and model (commercial reference) from the brands' usual labels."""
    lines = lines_of(reading)
    best: dict[str, tuple[float, Field]] = {}
    for line in lines:
        for name, rules in (("serial_number", SERIAL_LABELS), ("model", MODEL_LABELS)):
            for rank, (pattern, certainty) in enumerate(rules):
                for m in pattern.finditer(line.folded):
                    v = PLATE_VALUE.match(line.text, m.end())
                    if not v:
                        continue
                    value = re.sub(r"[)\]}]", "J", v.group("v")).rstrip(".,;:-/")  # a J read as a bracket
                    start, end = v.span("v")
                    if len(value) < 3 or not re.search(r"\d", value) or (name == "model" and re.fullmatch(r"[\d.,]+", value) and rank < 2):
                        continue
                    if re.fullmatch(r"\d+(v|w|hz|a|kg|bar|mpa)", value.lower()):
                        continue
                    if name == "model" and rank == 2:  # E-Nr WAN28208FF/05: the /05 is the variant
                        value = re.sub(r"/\d{1,3}$", "", value)
                    if name == "model" and rank == 4:  # PNC 914 535 212 00: the digit groups
                        groups = re.match(r"[\d ]+", line.text[start:])
                        value = groups.group().strip() if groups else value
                    value = _upper(value)
                    if name == "serial_number":
                        value = _fix_serial(value)
                    elif rank < 4:  # model codes write zeros among digits: "WTH85VO8FF" is WTH85V08FF
                        value = re.sub(r"(?<=\d)[Oo]|[Oo](?=\d)", "0", value)
                    score = certainty * line.conf_at(start, end) - rank * 0.01
                    if name not in best or certainty - rank * 0.01 > best[name][0]:
                        best[name] = (certainty - rank * 0.01, Field(value, round(max(0.0, score), 3), line.source))
    return {name: field for name, (_, field) in best.items()}
