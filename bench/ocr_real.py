"""The real-invoice half of the OCR bench (`bench/ocr.py --real`): the documents of
tests/ocr/real (rebuilt by bench/real_corpus.py into tests/ocr/real/build/), each read as its
text-layer PDF (any XML ignored: the reader never looks at it), as a 150 dpi scan and as a phone
photo (both image-only PDFs), compared with the truth of the manifest.

Reported for each split (dev: looked at while writing the rules; holdout: never) apart, per kind
of input, per field, per source (issuer): right, wrong with a high confidence (≥ 0.5), unsure
(< 0.5, a form shows it for checking), missing; and seconds per page. Per-document misses are
printed for dev documents only (`--show-misses`): holdout documents are counted, never shown.
"""
from __future__ import annotations

import json
import pickle
import statistics
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

from qualirepar.ocr import extraction, reader

UNSURE = 0.5
KINDS = ("text", "scan", "phone")
#: the manifest's truth field -> the extraction's field
FIELDS = {"number": "number", "issue_date": "date", "total_ttc": "total_ttc", "total_ht": "total_ht",
          "total_vat": "vat", "amount_due": "amount_due", "seller_siret": "siret", "seller_siren": "siren",
          "seller_vat": "vat_number", "buyer_name": "customer_name"}
MAIN = ("number", "issue_date", "total_ttc")
VERDICTS = ("right", "wrong", "unsure", "missing")


def _plain(text: str) -> list[str]:
    return ["".join(c for c in unicodedata.normalize("NFKD", w) if not unicodedata.combining(c)).lower()
            for w in text.replace(",", " ").split()]


def verdict(name: str, got, want: str) -> str:
    if got is None:
        return "missing"
    same = _plain(got.value) == _plain(want) if name == "buyer_name" else got.value == want
    if got.confidence < UNSURE:
        return "unsure"
    return "right" if same else "wrong"


def _inputs(root: Path, doc: dict, index: dict, kinds: tuple[str, ...]):
    """(kind, path) of each input of a document that was built (standalone XML files have none)."""
    built = index.get(doc["id"])
    if not built or not built["original"].endswith(".pdf"):
        return
    paths = {"text": built["original"], "scan": built.get("scan150_pdf"), "phone": built.get("phone_pdf")}
    for kind in kinds:
        if paths.get(kind):
            yield kind, root / paths[kind]


def _read(path: Path, cache: Path | None):
    """The reading of a file and its seconds per page (from the cache when asked: then not timed)."""
    if cache:
        key = cache / (path.parent.name + "-" + path.name + ".pickle")
        if key.exists() and key.stat().st_mtime >= path.stat().st_mtime:
            return pickle.loads(key.read_bytes()), None
    start = time.perf_counter()
    reading = reader.read(path.read_bytes(), "application/pdf")
    seconds = (time.perf_counter() - start) / len(reading.pages)
    if cache:
        cache.mkdir(parents=True, exist_ok=True)
        key.write_bytes(pickle.dumps(reading))
    return reading, seconds


def run(root: Path, *, kinds: tuple[str, ...] = KINDS, splits: tuple[str, ...] = ("dev", "holdout"),
        show_misses: bool = False, cache: Path | None = None, only: str | None = None) -> int:
    manifest = json.loads((root / "manifest.json").read_text())
    index_path = root / "build" / "index.json"
    if not index_path.exists():
        print("tests/ocr/real/build/ is missing: run .venv/bin/python bench/real_corpus.py first")
        return 1
    index = json.loads(index_path.read_text())
    stats = defaultdict(lambda: dict.fromkeys(VERDICTS, 0))  # (split, kind, field) -> counts
    by_source = defaultdict(lambda: dict.fromkeys(VERDICTS, 0))  # (split, issuer, kind) -> counts, main fields
    docs_right = defaultdict(lambda: [0, 0])  # (split, kind) -> documents with the 3 main fields right, documents
    seconds = defaultdict(list)  # kind -> seconds per page
    for doc in manifest["documents"]:
        if doc["split"] not in splits or (only and only not in doc["id"]):
            continue
        for kind, path in _inputs(root, doc, index, kinds):
            reading, per_page = _read(path, cache)
            if per_page is not None:
                seconds[kind].append(per_page)
            found = extraction.invoice_fields(reading)
            all_main = True
            for name, ours in FIELDS.items():
                want = doc["truth"].get(name)
                if want is None:
                    continue
                got = found.get(ours)
                v = verdict(name, got, want)
                stats[(doc["split"], kind, name)][v] += 1
                if name in MAIN:
                    by_source[(doc["split"], doc["issuer"].split(" (")[0], kind)][v] += 1
                    all_main &= v == "right"
                if show_misses and v != "right" and doc["split"] == "dev":  # holdout: counted, never shown
                    print(f"  {doc['id']:26} {kind:5} {name:12} {v:7} want {want!r} got "
                          f"{(got.value, got.confidence) if got else None!r} from {got.source[:70] if got else ''!r}")
            docs_right[(doc["split"], kind)][0] += all_main
            docs_right[(doc["split"], kind)][1] += 1
    _report(stats, by_source, docs_right, seconds, kinds, splits)
    return 0


def _pct(counts: dict) -> str:
    n = sum(counts.values())
    return f"{100 * counts['right'] / n:.0f} %" if n else "-"


def _report(stats, by_source, docs_right, seconds, kinds, splits) -> None:
    for split in splits:
        print(f"\n### real corpus, {split}: right / wrong (conf ≥ 0.5) / unsure / missing, per kind\n")
        print("| field | " + " | ".join(kinds) + " |")
        print("|---|" + "---:|" * len(kinds))
        totals = {k: dict.fromkeys(VERDICTS, 0) for k in kinds}
        for name in FIELDS:
            cells = []
            for kind in kinds:
                c = stats.get((split, kind, name))
                if not c:
                    cells.append("")
                    continue
                for v in VERDICTS:
                    totals[kind][v] += c[v]
                cells.append(f"{c['right']}/{c['wrong']}/{c['unsure']}/{c['missing']} ({_pct(c)})")
            print(f"| {name} | " + " | ".join(cells) + " |")
        print("| **all fields** | " + " | ".join(
            f"{t['right']}/{t['wrong']}/{t['unsure']}/{t['missing']} ({_pct(t)}; wrong {100 * t['wrong'] / max(1, sum(t.values())):.1f} %)"
            for t in totals.values()) + " |")
        print("| **documents with number, date and TTC right** | " + " | ".join(
            f"{docs_right[(split, k)][0]}/{docs_right[(split, k)][1]}" for k in kinds) + " |")
        print(f"\n#### {split}, per source: number, date and total TTC together (right/wrong/unsure/missing)\n")
        print("| source | " + " | ".join(kinds) + " |")
        print("|---|" + "---|" * len(kinds))
        for issuer in sorted({i for (s, i, _) in by_source if s == split}):
            cells = []
            for kind in kinds:
                c = by_source.get((split, issuer, kind))
                cells.append(f"{c['right']}/{c['wrong']}/{c['unsure']}/{c['missing']}" if c else "")
            print(f"| {issuer} | " + " | ".join(cells) + " |")
    print("\n| kind | documents timed | s/page mean | max |")
    print("|---|---:|---:|---:|")
    for kind in kinds:
        s = seconds.get(kind)
        if s:
            print(f"| {kind} | {len(s)} | {statistics.mean(s):.2f} | {max(s):.2f} |")
        else:
            print(f"| {kind} | 0 (cached) | | |")
