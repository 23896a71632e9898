"""The seller's SIRET, SIREN and VAT number, checked by their checksums (one that fails is kept
only with a low confidence, at most 0.2) and against each other.

A number on a line naming the buyer («N° TVA client») is not the seller's; a number on the legal
mentions' line («SAS au capital de … RCS … SIRET …», what the seller must print) is surer; when
several valid numbers of one kind are read and the chosen one is not on that line, it is to be
checked (< 0.5)."""
from __future__ import annotations

import itertools
import re

from stdnum.fr import siren as siren_check
from stdnum.fr import siret as siret_check
from stdnum.fr import tva as tva_check

from .lines import CONFUSABLE_DIGITS, Field, Line, fold

BUYER = re.compile(r"\b(client|acheteur|buyer|customer|kunde|klant|destinataire)")
LEGAL = re.compile(r"\bcapital\b|\br\.?c\.?s\b|\bape\b|\bnaf\b")
UNSURE = 0.45  # the confidence cap of a number one of several

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
    """siret, siren and vat_number (those found), the seller's: checksums decide, and each
    confirms the others."""
    sirets: dict[str, list] = {}  # value -> [score, valid, line]
    sirens: dict[str, list] = {}
    vats: dict[str, list] = {}
    for line in lines:
        _read_sirets(line, sirets)
        _read_sirens(line, sirens)
        _read_vat_numbers(line, vats)
    return _chosen(sirets, sirens, vats)


def _note(store: dict[str, list], value: str, score: float, valid: bool, line: Line, at: int = 0) -> None:
    """A reading of `value`: read again, it is a little surer; the buyer's is not the seller's."""
    if BUYER.search(line.folded[:at]):
        score *= 0.5
    elif LEGAL.search(line.folded):
        score = min(1.0, score + 0.1)
    if value in store:
        store[value][0] = min(1.0, max(store[value][0], score) + 0.04)
    else:
        store[value] = [score, valid, line]


def _read_sirets(line: Line, sirets: dict[str, list]) -> None:
    f = line.folded
    for m in re.finditer(r"\bsiret\b", f):
        got = _digits_after(line.text, m.end(), 14)
        if got:
            value, end = got
            valid = siret_check.is_valid(value)
            _note(sirets, value, (0.97 if valid else 0.15) * line.conf_at(m.end(), end), valid, line, m.start())
    for m in re.finditer(r"(?<![\d])(\d{3}\s?\d{3}\s?\d{3}\s?\d{5})(?!\d)", line.text):  # an unlabelled SIRET
        value = re.sub(r"\s", "", m.group(1))
        if value not in sirets and siret_check.is_valid(value) and not re.search(r"\bsiret\W*$", f[:m.start()]):
            _note(sirets, value, 0.7 * line.conf_at(*m.span()), True, line, m.start())


def _read_sirens(line: Line, sirens: dict[str, list]) -> None:
    for m in re.finditer(r"\bsiren\b|\brcs\b(\s+[a-z\-' ]{2,30}?)?(?=\s*[\dOISB])", line.folded):
        got = _digits_after(line.text, m.end(), 9)
        if got:
            value, end = got
            valid = siren_check.is_valid(value)
            _note(sirens, value, (0.95 if valid else 0.15) * line.conf_at(m.end(), end), valid, line, m.start())


def _read_vat_numbers(line: Line, vats: dict[str, list]) -> None:
    for m in re.finditer(r"\bF\s?R[\s.\-]?([0-9A-Z]{2})[\s.\-]?((?:[0-9OIlSB][\s.]?){8}[0-9OIlSB])(?![0-9])", line.text):
        body = re.sub(r"[\s.]", "", m.group(2)).translate(CONFUSABLE_DIGITS)
        value, valid, certainty = f"FR{m.group(1)}{body}", False, 0.15
        # the key is two digits (or, in the old scheme, letters other than O and I): look-alike
        # letters are tried as digits, and the checksum decides
        for key, sure in _key_readings(m.group(1)):
            if tva_check.is_valid(f"FR{key}{body}"):
                value, valid, certainty = f"FR{key}{body}", True, sure
                break
        _note(vats, value, certainty * line.conf_at(*m.span()), valid, line, m.start())


def _best(store: dict[str, list]):
    """The (value, [score, valid, line]) read best: a valid one first."""
    if not store:
        return None
    return max(store.items(), key=lambda kv: (kv[1][1], kv[1][0]))


def _one_of_several(out: dict[str, Field], read: dict[str, Field], name: str, store: dict[str, list]) -> None:
    """The chosen number to be checked when other valid ones, or one on the legal mentions' line,
    were read, unless another kind of number agrees with it (the SIREN in the SIRET or the VAT number)."""
    got = out.get(name)
    if got is None:
        return
    siren = {"siret": got.value[:9], "siren": got.value, "vat_number": got.value[4:]}[name]
    agree = sum(siren == {"siret": f.value[:9], "siren": f.value, "vat_number": f.value[4:]}[n]
                for n, f in read.items() if n != name and f.confidence >= 0.5)
    if agree and not _legal_other(store, got.value):
        return
    if LEGAL.search(fold(got.source)):
        return
    others = {v for v, (score, valid, _) in store.items() if valid and score >= 0.3} | _legal_other(store, got.value)
    others.discard(got.value)
    if others:
        out[name] = Field(got.value, min(got.confidence, UNSURE), got.source)


def _legal_other(store: dict[str, list], value: str) -> set[str]:
    """Other numbers read on the legal mentions' line (checksum or not)."""
    return {v for v, (_, _, line) in store.items() if v != value and LEGAL.search(line.folded)}


def _chosen(sirets: dict[str, list], sirens: dict[str, list], vats: dict[str, list]) -> dict[str, Field]:
    """The seller's numbers: a SIRET whose SIREN the VAT number holds wins; agreeing ones are surer."""
    out: dict[str, Field] = {}
    vat = _best(vats)
    siret = _best(sirets)
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
    siren = _best(sirens)
    if siren and vat and vat[1][1] and vat[0][4:] in sirens and sirens[vat[0][4:]][1]:
        siren = (vat[0][4:], sirens[vat[0][4:]])  # the SIREN the VAT number holds
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
    read = dict(out)
    every_siren = {**{v[:9]: d for v, d in sirets.items()}, **{v[4:]: d for v, d in vats.items()}, **sirens}
    _one_of_several(out, read, "siret", sirets)
    _one_of_several(out, read, "siren", every_siren)
    _one_of_several(out, read, "vat_number", vats)
    return out
