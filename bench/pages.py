"""The busy pages rendered in-process, without the page cache: what one request costs in Python and
SQL, apart from the server and the network (bench/load.py measures those).

    .venv/bin/python bench/pages.py --database-url URL [--shops 10] [--repeat 10]

On a database made by bench/seed.py. For each of shops 1..N, the test client logs in as the owner
and asks each page once to warm up, then --repeat times; the report gives, per page, p50 / p95 of
the server time (ms) over all shops and the SQL statements of one request.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from seed import PASSWORD  # noqa: E402  (bench/ is on the path when run as a script)

PAGES = {
    "owner's dashboard": "/",
    "claims list": "/demandes/",
    "explorer, claims (default view)": "/explorateur/?dataset=claims",
    "explorer, orders (default view)": "/explorateur/",
    "explorer, returns within 3 months": "/explorateur/?dataset=returns",
    "explorer, returns set aside": "/explorateur/?dataset=returns&set_aside=1",
    "brand search (htmx)": "/catalogue/marques?q=kal",
}
HTMX = {"brand search (htmx)"}


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--shops", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()

    from sqlalchemy import event

    from qualirepar import create_app
    from qualirepar.extensions import db, limiter

    tmp = Path(tempfile.mkdtemp(prefix="qr-bench-pages-"))
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=args.database_url, REDISLITE_PATH=str(tmp / "redis" / "pages.rdb"),
                     STORAGE_DIR=str(tmp / "files"), PAGE_CACHE=False, WTF_CSRF_ENABLED=False)
    limiter.enabled = False
    statements = [0]
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.__setitem__(0, statements[0] + 1))
    timings: dict[str, list[float]] = {name: [] for name in PAGES}
    queries: dict[str, int] = {}
    for shop in range(1, args.shops + 1):
        client = app.test_client()
        resp = client.post("/connexion", data={"email": f"gerant.{shop:02d}@bench.qualirepar.fr", "password": PASSWORD})
        if resp.status_code != 302:
            sys.exit(f"login of shop {shop} refused ({resp.status_code}): was this database made by bench/seed.py?")
        for name, url in PAGES.items():
            headers = {"HX-Request": "true"} if name in HTMX else {}
            statements[0] = 0
            resp = client.get(url, headers=headers)  # warm-up; its statements are counted
            if resp.status_code != 200:
                sys.exit(f"{url}: {resp.status_code}")
            queries[name] = statements[0]
            for _ in range(args.repeat):
                clock = time.perf_counter()
                client.get(url, headers=headers)
                timings[name].append((time.perf_counter() - clock) * 1000)
    with app.app_context():
        dialect = db.engine.dialect.name
        app.extensions["redis"].shutdown(nosave=True)
    print(f"{dialect}, shops 1-{args.shops}, {args.repeat} requests per page and shop, page cache off")
    print(f"{'page':<38} {'p50 ms':>8} {'p95 ms':>8} {'SQL':>5}")
    for name, values in timings.items():
        print(f"{name:<38} {statistics.median(values):>8.1f} {percentile(values, 95):>8.1f} {queries[name]:>5}")


if __name__ == "__main__":
    main()
