"""Time and memory of the FEC of a large shop's year, the way the download produces it (the same
generator, chunk by chunk), with the process's resident memory sampled while it runs.

    .venv/bin/python bench/fec.py [--invoices 20000] [--database-url URL]

Without --database-url, a SQLite file in a new temporary folder. The schema is built by the
migrations; one shop gets --invoices orders over the year (a customer each), each invoiced with
three lines (diagnosis, labour, a part), 60 % with a bonus, 2 % cancelled by a credit note, each
paid at the counter (cash, card or cheque), and the bonuses paid back by the organisms in weekly
transfers. Rows go in with bulk Core inserts. Then the export runs in a fresh process (so the
seeding's memory is not counted), for the year and for one month: a memory that does not grow
with the rows is a streamed export.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from export import PeakRss, _rss  # noqa: E402 - bench/ is this script's folder: the memory sampler of bench/export.py

YEAR = 2025
BATCH = 5000
UTC = dt.timezone.utc


def _insert(db, table, rows: list[dict]) -> None:
    from sqlalchemy import insert

    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(table), rows[start:start + BATCH])


def seed(n_invoices: int) -> int:
    """The shop and its year; returns the shop's id."""
    from qualirepar.billing.models import Invoice, InvoiceLine, Payment
    from qualirepar.claims.models import ClaimPayment
    from qualirepar.core.money import cents
    from qualirepar.extensions import db
    from qualirepar.models import rebuild_schema
    from qualirepar.repairs import services as repairs
    from qualirepar.repairs.models import Customer, RepairOrder
    from qualirepar.shops.models import Shop
    from qualirepar.tenancy import as_shop

    rng = random.Random(19)
    rebuild_schema()
    shop = Shop(name="Atelier du banc", siret="73282932000074")
    db.session.add(shop)
    db.session.commit()
    with as_shop(shop.id):
        first = repairs.create_intake(repairs.IntakeData(
            last_name="Martin", first_name="Léa", street="1 rue X", postcode="69003", city="Lyon", phone="0612345678",
            service_requested="Réparation", fault_description="Fuit", serial_number="WM-1", brand_name="BOSCH",
            intake_on=dt.date(YEAR, 1, 1)))
        order_row = {c.key: getattr(first, c.key) for c in RepairOrder.__table__.columns}
        customer = db.session.get(Customer, first.customer_id)
        customer_row = {c.key: getattr(customer, c.key) for c in Customer.__table__.columns}
        db.session.commit()
    base_customer, base_order = customer_row["id"] + 1, order_row["id"] + 1
    customers, orders, invoices, lines, payments, transfers = [], [], [], [], [], []
    days = [dt.date(YEAR, 1, 1) + dt.timedelta(days=d) for d in range(365)]
    next_invoice, next_line, next_payment = 1, 1, 1
    for n in range(n_invoices):
        day = days[n * 365 // n_invoices]
        customers.append({**customer_row, "id": base_customer + n, "last_name": f"Client{n}", "search": f"client{n}"})
        orders.append({**order_row, "id": base_order + n, "number": f"D-{YEAR}-{n + 2:06d}", "customer_id": base_customer + n,
                       "intake_on": day})
        labour = Decimal(rng.choice(("45.00", "60.00", "75.00")))
        part = Decimal(rng.randint(5, 120)).quantize(Decimal("0.01"))
        ht = Decimal("40.00") + labour + part
        vat = cents(ht * Decimal("0.20"))
        bonus = Decimal(rng.choice(("25.00", "50.00"))) if rng.random() < 0.6 else Decimal("0.00")
        organism = rng.choice(("ecosystem", "ecologic")) if bonus else None
        at = dt.datetime.combine(day, dt.time(10), tzinfo=UTC)
        invoice = {"id": next_invoice, "shop_id": shop.id, "number": f"F{YEAR}-{next_invoice:06d}", "kind": "invoice",
                   "order_id": base_order + n, "quote_id": None, "credits_id": None, "generation": 0,
                   "issue_key": str(uuid.UUID(int=next_invoice)), "issued_at": at, "issued_on": day, "issued_by_id": None,
                   "seller": {}, "buyer": {"last_name": f"Client{n}", "first_name": "Léa"}, "appliance": {},
                   "vat_breakdown": [{"rate": "20.00", "base": str(ht), "vat": str(vat)}], "total_ht": ht, "total_vat": vat,
                   "total_ttc": ht + vat, "bonus_amount": bonus, "bonus_organism": organism, "amount_due": ht + vat - bonus,
                   "file_id": None, "external": False}
        invoices.append(invoice)
        for position, (kind, amount) in enumerate((("diagnosis", Decimal("40.00")), ("labour", labour), ("part", part))):
            lines.append({"id": next_line, "shop_id": shop.id, "invoice_id": next_invoice, "position": position, "kind": kind,
                          "label": kind, "quantity": Decimal(1), "unit_price": amount, "vat_rate": Decimal("20.00"),
                          "total_ht": amount, "part_reference": None, "part_origin": None})
            next_line += 1
        payments.append({"id": next_payment, "shop_id": shop.id, "invoice_id": next_invoice,
                         "method": rng.choice(("cash", "card", "card", "cheque")), "amount": ht + vat - bonus, "reference": None,
                         "received_on": day, "received_by_id": None, "created_at": at})
        next_payment += 1
        if bonus:
            paid_on = day + dt.timedelta(days=14 + (7 - day.weekday()) % 7)
            transfers.append({"shop_id": shop.id, "claim_id": None, "organism": organism, "reference": f"VIR-{organism}-{paid_on:%Y%m%d}",
                              "paid_on": paid_on, "external_id": f"EXT-{next_invoice}", "invoice_number": invoice["number"],
                              "amount": bonus, "source": "bench", "imported_at": at + dt.timedelta(days=20), "imported_by": None})
        next_invoice += 1
        if rng.random() < 0.02:  # cancelled the same day by a credit note
            invoices.append({**invoice, "id": next_invoice, "number": f"F{YEAR}-{next_invoice:06d}", "kind": "credit_note",
                             "credits_id": invoice["id"], "issue_key": str(uuid.UUID(int=next_invoice)),
                             "vat_breakdown": [{"rate": "20.00", "base": str(-ht), "vat": str(-vat)}], "total_ht": -ht,
                             "total_vat": -vat, "total_ttc": -ht - vat, "bonus_amount": -bonus, "amount_due": -(ht + vat - bonus)})
            next_invoice += 1
    with as_shop(shop.id):
        for table, rows in ((Customer.__table__, customers), (RepairOrder.__table__, orders), (Invoice.__table__, invoices),
                            (InvoiceLine.__table__, lines), (Payment.__table__, payments), (ClaimPayment.__table__, transfers)):
            _insert(db, table, rows)
        db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    print(f"seeded: {len(invoices)} invoices and credit notes, {len(lines)} lines, {len(payments)} payments, "
          f"{len(transfers)} organism payment lines", flush=True)
    return shop.id


def measure(shop_id: int, start: dt.date, end: dt.date) -> None:
    from qualirepar.extensions import db
    from qualirepar.fec import accounts, export
    from qualirepar.tenancy import as_shop

    with as_shop(shop_id):
        db.session.execute(db.select(1))  # connected before the baseline
        before = _rss()
        size = records = 0
        started = time.perf_counter()
        with PeakRss() as peak:
            for chunk in export.stream(shop_id, start, end, accounts.chart(shop_id)):
                size += len(chunk)
                records += chunk.count(b"\r\n")
        elapsed = time.perf_counter() - started
    mb = 1024 * 1024
    print(f"{start}..{end}: {records - 1} records, {size / mb:.1f} MB in {elapsed:.2f} s "
          f"({(records - 1) / elapsed:,.0f} records/s); RSS {before / mb:.0f} MB before, {peak.peak / mb:.0f} MB at peak "
          f"(+{(peak.peak - before) / mb:.1f} MB)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--invoices", type=int, default=20000)
    parser.add_argument("--database-url")
    parser.add_argument("--measure", nargs=3, metavar=("SHOP", "FROM", "TO"), help=argparse.SUPPRESS)  # the child process
    args = parser.parse_args()
    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='fec-bench-')) / 'bench.db'}"
    os.environ["DATABASE_URL"] = url
    from qualirepar import create_app

    app = create_app()
    with app.app_context():
        if args.measure:
            shop, start, end = args.measure
            measure(int(shop), dt.date.fromisoformat(start), dt.date.fromisoformat(end))
            return
        print(f"database: {url.split('@')[-1]}")
        shop_id = seed(args.invoices)
    for start, end in ((dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)), (dt.date(YEAR, 6, 1), dt.date(YEAR, 6, 30))):
        subprocess.run([sys.executable, __file__, "--database-url", url, "--measure", str(shop_id), start.isoformat(),
                        end.isoformat()], check=True)


if __name__ == "__main__":
    main()
