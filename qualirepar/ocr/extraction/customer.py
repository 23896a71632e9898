"""The customer's name: after a label ("Client :", "Facturé à"), or after a civility anywhere."""
from __future__ import annotations

import re

from .lines import Field, Line, fold

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
    folded_name = fold(name)
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
