"""The invoice's totals: of the candidates of each amount field, the combination that holds together
(HT + TVA = TTC, TTC − bonus = net) wins, and agreeing fields gain confidence. A total HT or a VAT
the arithmetic does not confirm (HT + TVA = TTC, EN 16931 BR-CO-15) is to be checked (< 0.5)."""
from __future__ import annotations

import itertools
from decimal import Decimal

from ...core.money import cents
from .amounts import VAT_EXEMPT, Candidate, amount_candidates, label_matches
from .lines import Field, Line

DERIVED_BONUS = 0.3  # the score of a bonus computed as TTC − net à payer (it wins only when they agree)
CREDIBLE = 0.5  # the score from which a reading can dispute another
UNCONFIRMED = 0.45  # the confidence cap of an HT or a VAT the arithmetic does not confirm
WEAK = 0.6  # a TTC the arithmetic does not confirm, read with less than this, is to be checked too
MAX_BONUS_SHARE = Decimal("0.8")  # a bonus computed so is at most this share of the TTC
NAMES = ("total_ht", "vat", "total_ttc", "bonus", "net", "prepaid")
#: a value a field may take (None: not found), its score, and the candidate it was read from (None: computed)
Option = tuple[Decimal | None, float, Candidate | None]


def _money(value: Decimal) -> str:
    """The amount as a field's value: "1234.56"."""
    return f"{cents(value):.2f}"


def _options(cands: list[Candidate], absolute: bool = False) -> list[Option]:
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
    """total_ht, vat, total_ttc and bonus: the combination of readings that holds together."""
    cands = amount_candidates(lines)
    exempt = next((ln for ln in lines if VAT_EXEMPT.search(ln.folded)), None)
    bonus_line = next((ln for ln in lines if any(lb[0] == "bonus" for lb in label_matches(ln))), None)
    best = _best_combination(_field_options(cands, exempt, bonus_line))
    if best is None:
        return {}
    return _fields_of(best, cands, exempt, bonus_line)


def _field_options(cands: dict[str, list[Candidate]], exempt: Line | None, bonus_line: Line | None) -> dict[str, list[Option]]:
    """The values each field may take, with those no single line gives: no VAT on an exempt invoice,
    the sum of a VAT line per rate, a bonus computed as TTC − net à payer."""
    opts = {n: _options(cands[n], absolute=(n in ("bonus", "prepaid"))) for n in NAMES}
    if cands["net"]:  # no total TTC printed, or printed apart: the amount due, when nothing was paid before, is it
        known = {v for v, _, _ in opts["total_ttc"]}
        opts["total_ttc"] = opts["total_ttc"][:-1] + [(v, 0.3 * sc, c) for v, sc, c in opts["net"][:2]
                                                        if v is not None and v not in known] + opts["total_ttc"][-1:]
    if any(v is not None and v < 0 for n in ("total_ttc", "total_ht") for v, _, _ in opts[n]):
        # a credit note: its VAT printed without the minus sign its HT and TTC carry
        known = {v for v, _, _ in opts["vat"]}
        opts["vat"] = opts["vat"][:-1] + [(-v, 0.9 * sc, c) for v, sc, c in opts["vat"]
                                           if v is not None and v > 0 and -v not in known] + opts["vat"][-1:]
    if exempt and not cands["vat"]:
        opts["vat"] = [(Decimal("0.00"), 0.85 * exempt.conf, None)] + opts["vat"]
    per_line = {id(c.line): c for c in cands["vat"]}
    if len(per_line) >= 2:  # one line per rate (5,5 % and 20 %): their sum, if it is what balances HT and TTC
        total = sum((c.value for c in per_line.values()), Decimal(0))
        if total not in {v for v, _, _ in opts["vat"]}:
            first = min(per_line.values(), key=lambda c: c.line.index)
            opts["vat"] = opts["vat"][:-1] + [(total, min(c.score for c in per_line.values()) * 0.9, first)] + opts["vat"][-1:]
    if bonus_line:  # a bonus line whose amount was misread: TTC − net à payer, if they agree with nothing better
        derived = {t - n for t, _, tc in opts["total_ttc"] for n, _, nc in opts["net"]
                   if t is not None and n is not None and tc and tc.exact and nc and nc.exact and Decimal(0) < t - n <= t * MAX_BONUS_SHARE}
        known = {v for v, _, _ in opts["bonus"]}
        opts["bonus"] = opts["bonus"][:-1] + [(v, DERIVED_BONUS, None) for v in derived if v not in known] + opts["bonus"][-1:]
    return opts


def _best_combination(opts: dict[str, list[Option]]) -> dict[str, Option] | None:
    best, best_score = None, -1.0
    for combo in itertools.product(*(opts[n] for n in NAMES)):
        values = {n: combo[k] for k, n in enumerate(NAMES)}
        score = _combination_score(values)
        if score > best_score:
            best, best_score = values, score
    return best


def _combination_score(values: dict[str, Option]) -> float:
    """The readings' scores, plus what their agreement is worth (HT + TVA = TTC, TTC − bonus = net)."""
    score = sum(s for _, s, _ in values.values()) - 0.5 * values["net"][1]  # the net is only there to check the bonus
    ht, vat, ttc, bonus, net, prepaid = (values[n][0] for n in NAMES)
    if ttc is not None and net is not None and bonus is None and values["total_ttc"][2] is not values["net"][2]:
        # TTC − paid before = amount due (EN 16931 BR-CO-16); a TTC taken from the amount due line proves nothing
        score += 0.6 if ttc - (prepaid or 0) == net else (-0.3 if prepaid is not None else 0.0)
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
    return score


def _fields_of(best: dict[str, Option], cands: dict[str, list[Candidate]], exempt: Line | None,
               bonus_line: Line | None) -> dict[str, Field]:
    """The chosen combination as fields, agreeing ones surer; TTC derived when no line says it."""
    out: dict[str, Field] = {}
    ht, vat, ttc, bonus, net, prepaid = (best[n][0] for n in NAMES)
    balanced = ht is not None and vat is not None and ttc is not None and ht + vat == ttc
    netted = ttc is not None and net is not None and best["total_ttc"][2] is not best["net"][2] and (
        ttc - bonus == net if bonus is not None else ttc - (prepaid or 0) == net)
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
        if name in ("total_ht", "vat") and not balanced:
            confidence = min(confidence, UNCONFIRMED)
        elif name == "total_ttc" and not (balanced or netted) and confidence < WEAK:
            confidence = min(confidence, UNCONFIRMED)  # read poorly and nothing adds up to it
        if name == "bonus" and _bonus_disputed(value, cand, cands):
            confidence = min(confidence, 0.45)  # the bonus line and TTC − net à payer disagree: to be checked
        source = cand.line.source if cand else (bonus_line.source if name == "bonus" and bonus_line else
                                                 exempt.source if exempt else "")
        out[name] = Field(_money(value), round(min(confidence, 0.99), 3), source)
    if net is not None:
        value, score, cand = best["net"]
        out["amount_due"] = Field(_money(value), round(min(1 - (1 - score) * 0.3 if netted else score * 0.6, 0.99), 3), cand.line.source)
    if "total_ttc" not in out and not cands["total_ttc"]:
        if ht is not None and vat is not None:
            out["total_ttc"] = Field(_money(ht + vat), round(0.6 * min(best["total_ht"][1], best["vat"][1]), 3),
                                     f"{out['total_ht'].source} + {out['vat'].source}")
        elif net is not None and bonus is not None:
            out["total_ttc"] = Field(_money(net + bonus), round(0.5 * min(best["net"][1], best["bonus"][1]), 3),
                                     f"{best['net'][2].line.source} + {out['bonus'].source}")
    return out
