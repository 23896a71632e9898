"""The customer's name (EN 16931 BT-44, the buyer): after a label ("Client :", "Facturé à"), or
after a civility anywhere.

Honest confidence: only a buyer's label («Client», «Facturé à», «Adresse de facturation», «Bill to»,
«Rechnungsempfänger», «Kunde», «Klant»), with the name beside it or in its column below, or a
civility a few lines under such a label or under the invoice's title (not a seller's «Contact : M. …»),
gives a name over 0.5. A name found by a weak label
(«Nom»), a civility elsewhere (the seller's «Contact : M. …»), or on the line after a label but in
another column (two blocks side by side: the seller's) is to be checked."""
from __future__ import annotations

import re

from .lines import Field, Line, fold

CIVILITY = r"(?:m\.|mr\.?|mme\.?|mlle\.?|monsieur|madame|mademoiselle|m)"
NAME_WORD = r"[A-ZÀ-ÖØ-Þa-zß-öø-ÿŒœ][A-Za-zÀ-ÖØ-öø-ÿŒœ'\-]+"
CUSTOMER_LABEL = re.compile(r"\b(client|cliente|facture\s+a|factur\w*\s+a|destinataire|adresse\s+a|nom(\s+du\s+client)?|a\s+l'attention\s+de|"
                            r"adresse\s+de\s+facturation|bill(ed)?\s+to|invoice\s+to|customer|rechnungsempfanger|kunde|klant|acheteur)\b"
                            r"\s*:?\s*")
BUYER_LABEL = re.compile(r"\b(client|cliente|factur\w*\s+a|adresse\s+de\s+facturation|bill(ed)?\s+to|invoice\s+to|customer|"
                         r"rechnungsempfanger|kunde|klant|acheteur|destinataire)\b")
#: the invoice's title or file number: a civility just under it addresses the buyer
TITLE = re.compile(r"\b(facture|invoice|rechnung|factuur|dossier)\b")
#: a person of the seller's («Contact : M. …», «Votre conseiller M. …»)
SELLERS_PERSON = re.compile(r"\b(contact|tel|telephone|mail|email|conseill\w*|interlocut\w*|vendeur|gerant|signe|seller)\b|@")
UNSURE = 0.45  # the confidence cap of a name no buyer's label confirms
NEAR = 6  # lines under a buyer's label where a civility still belongs to its block
NOT_A_NAME = re.compile(r"\b(rue|avenue|bd|boulevard|chemin|place|allee|impasse|route|facture|total|siret|siren|tva|date|dossier|"
                        r"tel|email|mail|reparation|appareil|sarl|sas|eurl|client|page|n°|vat|number|nummer|numero|id|nr|no|ref|reference|code|"
                        r"account|contact|incoterms?)\b|\d|@")


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


def _capped(field: Field, sure: bool) -> Field:
    return field if sure else Field(field.value, min(field.confidence, UNSURE), field.source)


def _in_column(label: Line, span: tuple[int, int], nxt: Line, name: tuple[int, int]) -> bool:
    """Whether the name on `nxt` stands under the label, in its column (True when the boxes are not known)."""
    above, below = label.box_of(*span), nxt.box_of(*name)
    if above is None or below is None:
        return True
    return below[0] < above[2] and below[2] > above[0] - (above[3] - above[1])


def find_customer(lines: list[Line]) -> Field | None:
    """The buyer's name, to be checked unless a buyer's label confirms it (see the module)."""
    for i, line in enumerate(lines):  # a label: "Client : …", "Facturé à :" and the name on the next line
        m = CUSTOMER_LABEL.search(line.folded)
        if not m or re.search(r"\b(n\W{0,2}|numero|code|ref\w*)\s*$", line.folded[:m.start()]):
            continue
        strong = bool(BUYER_LABEL.search(m.group()))
        found = _name_from(line.text, line.folded, m.end())
        if found:
            name, s, e = found
            return _capped(Field(name, round(0.88 * line.conf_at(s, e), 3), line.source), strong)
        if len(line.text) - m.end() <= 2 or line.folded[m.end():].strip() == "" or m.start() <= 2:
            for nxt in lines[i + 1:i + 3]:
                civ = re.search(r"(?<![\w.])" + CIVILITY + r"\s", nxt.folded)
                found = _name_from(nxt.text, nxt.folded, civ.start() if civ else 0)
                if found:
                    name, s, e = found
                    sure = strong and _in_column(line, m.span(1), nxt, (s, e))
                    return _capped(Field(name, round(0.82 * nxt.conf_at(s, e), 3), nxt.source), sure)
    for i, line in enumerate(lines):  # a civility anywhere: "M. DUPONT Jean"
        for civ in re.finditer(r"(?<![\w.])(?:m\.|mr\.?|mme|mlle|monsieur|madame|mademoiselle)\s", line.folded):
            found = _name_from(line.text, line.folded, civ.start())
            if found:
                name, s, e = found
                above = lines[max(0, i - NEAR):i + 1]
                sure = any(BUYER_LABEL.search(ln.folded) for ln in above) or (
                    any(TITLE.search(ln.folded) for ln in above) and not SELLERS_PERSON.search(line.folded))
                return _capped(Field(name, round(0.72 * line.conf_at(s, e), 3), line.source), sure)
    return None
