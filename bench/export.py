"""Memory and time of the explorer's exports on a seeded database: every claim (or order) of the
largest shop to CSV and to XLSX, the way the download route produces them (the same generators,
chunk by chunk), with the process's peak memory sampled while they run.

    .venv/bin/python bench/seed.py --shops 1 --orders 100000 --database-url sqlite:///big.db
    .venv/bin/python bench/export.py --database-url sqlite:///big.db [--dataset claims] [--format csv xlsx]

Reports rows, bytes, seconds, the resident memory before and at its peak, and Python's own peak
allocation (tracemalloc, with --trace) during the export: what grows with the number of rows shows there.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import threading
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def _rss() -> int:
    import psutil

    return psutil.Process(os.getpid()).memory_info().rss


class PeakRss:
    """Samples the resident memory every 10 ms in a thread."""

    def __enter__(self):
        self.peak, self._stop = _rss(), threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, _rss())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--dataset", default="claims", choices=("orders", "claims", "returns", "payments"))
    parser.add_argument("--format", nargs="+", default=["csv", "xlsx"], choices=("csv", "xlsx"))
    parser.add_argument("--trace", action="store_true", help="also Python's peak allocation (tracemalloc; slows the export)")
    parser.add_argument("--all-columns", action="store_true", help="every column of the dataset, not the default ones")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database_url

    from werkzeug.datastructures import MultiDict

    from qualirepar import create_app
    from qualirepar.explorer import export
    from qualirepar.explorer.datasets import DATASETS
    from qualirepar.explorer.query import count, parse
    from qualirepar.extensions import db
    from qualirepar.repairs.models import RepairOrder
    from qualirepar.tenancy import as_shop

    app = create_app()
    with app.test_request_context():
        shop_id, orders = db.session.execute(
            db.select(RepairOrder.shop_id, db.func.count()).group_by(RepairOrder.shop_id).order_by(db.func.count().desc()).limit(1)
        ).one()
    print(f"shop {shop_id}: {orders} orders; dataset {args.dataset}")
    query = MultiDict({"dataset": args.dataset})
    if args.all_columns:
        for column in DATASETS[args.dataset].columns:
            query.add("cols", column.key)
    today = dt.date.today()
    print(f"{'format':<6} {'rows':>8} {'MB out':>8} {'seconds':>8} {'rows/s':>9} {'RSS before':>11} {'RSS peak':>9} {'py peak':>8}")
    for fmt in args.format:
        with app.test_request_context(), as_shop(shop_id):
            spec = parse(query)
            rows = count(spec)
            before = _rss()
            if args.trace:
                tracemalloc.start()
            started = time.perf_counter()
            size = 0
            with PeakRss() as peak:
                chunks = export.csv_lines(spec, today) if fmt == "csv" else export.xlsx_chunks(spec, today)
                for chunk in chunks:
                    size += len(chunk.encode("utf-8") if isinstance(chunk, str) else chunk)
            elapsed = time.perf_counter() - started
            py_peak = tracemalloc.get_traced_memory()[1] if args.trace else 0
            tracemalloc.stop()
        mb = 1024 * 1024
        traced = f"{py_peak / mb:.1f}M" if args.trace else "-"
        print(f"{fmt:<6} {rows:>8} {size / mb:>8.1f} {elapsed:>8.1f} {rows / elapsed:>9.0f} {before / mb:>10.0f}M {peak.peak / mb:>8.0f}M {traced:>8}")


if __name__ == "__main__":
    main()
