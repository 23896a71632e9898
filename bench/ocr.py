"""OCR bench: per-field accuracy and seconds per page on the generated corpus (tests/ocr/corpus.py).

    .venv/bin/python bench/ocr.py [--seeds 2] [--only invoice|nameplate] [--damage rot90,phone] [--show-misses]
    .venv/bin/python bench/ocr.py --real [--split dev|holdout] [--kinds text,scan,phone] [--show-misses] [--cache DIR]

`--real` reads the real corpus of tests/ocr/real instead (see bench/ocr_real.py): each split apart,
per kind of input, field and source; the figure that counts is the holdout split.

Every sample is generated (seeded) here, read by qualirepar.ocr.reader.read one after the other
(no parallelism: the seconds are those of one worker), its fields extracted by
qualirepar.ocr.extraction, and compared with the ground truth. A field is right when its value
equals the truth exactly (the customer name: same words, case ignored). A field returned with a
confidence under 0.5 is counted as "unsure": reported apart, neither right nor wrong, as a form
would show it for checking. Generating the corpus is not timed.
"""
from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import sys
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import ocr_real  # noqa: E402
from qualirepar.ocr import extraction, reader  # noqa: E402
from tests.ocr import corpus  # noqa: E402

UNSURE = 0.5


def _plain(text: str) -> list[str]:
    return ["".join(c for c in unicodedata.normalize("NFKD", w) if not unicodedata.combining(c)).lower() for w in text.split()]


def same(name: str, got: str, want: str) -> bool:
    if name == "customer_name":  # a name is matched as a person would: case and accents aside
        return bool(got.split()) and _plain(got) == _plain(want)
    return got == want


def cpu() -> float:
    """CPU seconds of this process and of its finished children (Tesseract)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=2, help="corpus rounds (different invoices and plates each)")
    parser.add_argument("--first-seed", type=int, default=0, help="first round (0-14 were looked at while writing the rules; "
                        "later rounds were not)")
    parser.add_argument("--only", choices=["invoice", "nameplate"])
    parser.add_argument("--damage", help="comma-separated damages to keep (" + ", ".join(("text",) + corpus.DAMAGES) + ")")
    parser.add_argument("--show-misses", action="store_true", help="print each wrong or missing field (--real: dev only)")
    parser.add_argument("--real", action="store_true", help="the real corpus of tests/ocr/real instead of the generated one")
    parser.add_argument("--split", choices=["dev", "holdout"], help="--real: one split only (default both)")
    parser.add_argument("--kinds", default=",".join(ocr_real.KINDS), help="--real: kinds of input (text, scan, phone)")
    parser.add_argument("--doc", help="--real: documents whose id contains this")
    parser.add_argument("--cache", type=Path, help="--real: keep the readings here and reuse them (for working on the "
                        "rules; cached readings are not timed)")
    args = parser.parse_args()
    if args.real:
        splits = (args.split,) if args.split else ("dev", "holdout")
        return ocr_real.run(ROOT / "tests" / "ocr" / "real", kinds=tuple(args.kinds.split(",")), splits=splits,
                            show_misses=args.show_misses, cache=args.cache, only=args.doc)

    t0 = time.perf_counter()
    samples = corpus.full_corpus(args.seeds, args.first_seed)
    if args.only:
        samples = [s for s in samples if s.kind == args.only]
    if args.damage:
        keep = set(args.damage.split(","))
        samples = [s for s in samples if s.kind == "nameplate" or s.meta.get("damage") in keep]
    generated = time.perf_counter() - t0
    print(f"corpus: rounds {args.first_seed}..{args.first_seed + args.seeds - 1}, {len(samples)} samples generated in {generated:.1f} s; tesseract {reader.tesseract_available()}; "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, OMP_THREAD_LIMIT={os.environ.get('OMP_THREAD_LIMIT')}")

    per_field = defaultdict(lambda: [0, 0, 0, 0])  # right, wrong, missing, unsure
    per_group = defaultdict(lambda: [0, 0])  # fields right, fields total
    seconds = defaultdict(list)  # group -> wall seconds per page
    cpu_seconds = defaultdict(list)  # group -> CPU seconds per page (this process and Tesseract)
    rotations_ok = [0, 0]
    for sample in samples:
        start, start_cpu = time.perf_counter(), cpu()
        reading = reader.read(sample.data, sample.content_type)
        found = extraction.invoice_fields(reading) if sample.kind == "invoice" else extraction.nameplate_fields(reading)
        elapsed, used = time.perf_counter() - start, cpu() - start_cpu
        group = f"invoice {sample.meta['damage']}" if sample.kind == "invoice" else "nameplate"
        seconds[group].append(elapsed / len(reading.pages))
        cpu_seconds[group].append(used / len(reading.pages))
        if sample.meta.get("turn"):
            rotations_ok[1] += 1
            rotations_ok[0] += reading.pages[0].rotated == sample.meta["turn"]
        for name, want in sample.truth.items():
            got = found.get(name)
            stats = per_field[(sample.kind, name)]
            if got is None:
                stats[2] += 1
                verdict = "missing"
            elif got.confidence < UNSURE:
                stats[3] += 1
                verdict = "unsure" if not same(name, got.value, want) else "unsure-but-right"
            elif same(name, got.value, want):
                stats[0] += 1
                verdict = None
            else:
                stats[1] += 1
                verdict = "WRONG"
            per_group[group][1] += 1
            per_group[group][0] += verdict is None
            if verdict and args.show_misses:
                print(f"  {sample.name:34} {name:14} {verdict:7} want {want!r} got {got.value if got else None!r}"
                      f" ({got.confidence if got else '-'}) from {got.source if got else ''!r}")

    print()
    print("| field | right | wrong | missing | unsure | accuracy |")
    print("|---|---:|---:|---:|---:|---:|")
    total_right = total = 0
    for (kind, name), (right, wrong, missing, unsure) in sorted(per_field.items()):
        n = right + wrong + missing + unsure
        total_right += right
        total += n
        print(f"| {kind} {name} | {right} | {wrong} | {missing} | {unsure} | {100 * right / n:.1f} % |")
    print(f"| **all fields** | {total_right} | | | | **{100 * total_right / total:.1f} %** |")
    print()
    print("| sample group | samples | fields right | wall s/page mean | max | CPU s/page mean | max |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for group in sorted(seconds):
        right, n = per_group[group]
        wall, used = seconds[group], cpu_seconds[group]
        print(f"| {group} | {len(wall)} | {right}/{n} ({100 * right / n:.1f} %) | {statistics.mean(wall):.2f} | {max(wall):.2f} "
              f"| {statistics.mean(used):.2f} | {max(used):.2f} |")
    ocr_wall = [s for g, v in seconds.items() if g != "invoice text" for s in v]
    ocr_cpu = [s for g, v in cpu_seconds.items() if g != "invoice text" for s in v]
    if ocr_wall:
        print(f"| **all OCR pages** | {len(ocr_wall)} | | **{statistics.mean(ocr_wall):.2f}** | {max(ocr_wall):.2f} "
              f"| **{statistics.mean(ocr_cpu):.2f}** | {max(ocr_cpu):.2f} |")
    print(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if rotations_ok[1]:
        print(f"\nquarter turns detected: {rotations_ok[0]}/{rotations_ok[1]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
