"""A nameplate's serial number and model (commercial reference), from the brands' usual labels."""
from __future__ import annotations

import re

from ..reading import Reading
from .lines import CONFUSABLE_DIGITS, Field, lines_of

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
