"""Claims sent through real workers to the sandbox over HTTP while things go wrong: calls failing
or timing out, answers lost after the work was done, a worker killed mid-way, Redis restarted
without its data. Every claim ends at the organism once, with each file once, and none is lost."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import requests

from qualirepar.billing import invoices, quotes
from qualirepar.catalog.loader import SCHEME_START, load_csv
from qualirepar.catalog.models import Brand, ProductType
from qualirepar.catalog.reference import norm
from qualirepar.claims import queueing, tasks
from qualirepar.claims.models import SENDING, Claim
from qualirepar.eco.sandbox.seed import DEMO
from qualirepar.eco.sandbox.store import Brand as SandboxBrand
from qualirepar.eco.sandbox.store import Product as SandboxProduct
from qualirepar.extensions import db
from qualirepar.repairs.models import Appliance, RepairOrder
from qualirepar.tenancy import as_shop

from .. import factories
from ..billing.helpers import STANDARD, quote_with, ready_to_invoice, washing_machine_order
from ..checklists.helpers import fill

ROOT = Path(__file__).resolve().parents[2]
LYON = DEMO["sites"][0]  # (name, ecosystem place id, Ecologic site id, postcode, city)
BRANDS = {"ecologic": "Apple", "ecosystem": "BOSCH"}  # who pays is the brand's organism
REPAIR_CODES = {"ecologic": "G12", "ecosystem": "R01"}  # each organism's code for the washing machine
FILE_TYPES = {"ecologic": ["INVOICE", "NAMEPLATE"], "ecosystem": ["invoice", "serial_tag"]}  # as each one names them


# --- building claims ----------------------------------------------------------------------------


def link_ecosystem(app, sandbox) -> None:
    """The catalog sync's work, done directly: BOSCH paid by ecosystem and the washing machine's
    ecosystem id, as the sandbox lists them."""
    session = sandbox.app.extensions["sandbox_db"]
    product_id = session.query(SandboxProduct).filter_by(name="Lave-linge").one().eco_id
    brand_id = session.query(SandboxBrand).filter_by(name="BOSCH", organism="ecosystem").one().eco_id
    session.remove()
    with app.app_context():
        load_csv()
        db.session.execute(db.select(ProductType).where(ProductType.name == "Lave-linge")).scalar_one().ecosystem_id = product_id
        db.session.add(Brand(name="BOSCH", norm=norm("BOSCH"), organism="ecosystem", ecosystem_id=brand_id,
                             valid_from=SCHEME_START, source="ecosystem"))
        db.session.commit()


def issue_claims(app, shop_id: int, organisms: list[str]) -> dict[int, str]:
    """One invoiced washing machine repair per organism given, each with its claim queued by the
    invoice (as at the counter); claim id -> invoice number."""
    site = factories.make_site(app, shop_id, ecologic_site_id=LYON[2], ecosystem_place_id=LYON[1])
    claims = {}
    for n, organism in enumerate(organisms):
        order_id = washing_machine_order(app, shop_id, site_id=site, email=f"client{n}@exemple.fr",
                                         serial_number=f"WM-{uuid.uuid4().hex[:10].upper()}",
                                         symptom_code="111" if organism == "ecologic" else None)
        with app.test_request_context(), as_shop(shop_id):
            order = db.session.get(RepairOrder, order_id)
            if organism == "ecosystem":
                appliance = db.session.get(Appliance, order.appliance_id)
                brand = db.session.execute(db.select(Brand).where(Brand.name == BRANDS[organism])).scalar_one()
                appliance.brand_id, appliance.brand_name = brand.id, brand.name
                db.session.commit()
            fill(order, "checkin")  # the nameplate photo
            quote = quote_with(order, *STANDARD)
            quotes.set_repair_code(quote, REPAIR_CODES[organism])
            ready_to_invoice(order, quote)  # accepted, repair marked done
            invoice = invoices.issue_invoice(order, quote, str(uuid.uuid4()), None)
            claim = db.session.execute(db.select(Claim).where(Claim.invoice_id == invoice.id)).scalar_one()
            assert (claim.organism, claim.status) == (organism, "queued")
            claims[claim.id] = invoice.number
    return claims


# --- reading both sides ---------------------------------------------------------------------------


def statuses(app, shop_id: int) -> dict[int, str]:
    with app.app_context(), as_shop(shop_id):
        return dict(db.session.execute(db.select(Claim.id, Claim.status)).all())


def at_sandbox(sandbox) -> list[dict]:
    """Every claim the sandbox holds (the operator's JSON list; the faults never touch it)."""
    resp = requests.get(f"{sandbox.url}/_sandbox/", headers={"Accept": "application/json"}, timeout=10)
    resp.raise_for_status()
    return resp.json()["claims"]


def assert_once_each(sandbox, claims: dict[int, str], organisms: dict[int, str]) -> list[dict]:
    """The sandbox holds exactly one claim per invoice number, ours and no other, each file once."""
    rows = at_sandbox(sandbox)
    counts = Counter(r["reference"] for r in rows)
    assert {ref: n for ref, n in counts.items() if n > 1} == {}, "claims created twice at the organism"
    assert set(counts) == set(claims.values()), "claims lost, or unknown ones created"
    by_ref = {r["reference"]: r for r in rows}
    for claim_id, ref in claims.items():
        assert sorted(by_ref[ref]["files"]) == FILE_TYPES[organisms[claim_id]], (ref, by_ref[ref]["files"])
    return rows


def review_and_sync(app, sandbox, shop_id: int) -> dict[int, str]:
    """The organism examines every claim (automatic controls: a duplicate would be refused), then
    the status sync brings the verdicts back."""
    sandbox.faults.reset()
    for row in at_sandbox(sandbox):
        sandbox.operator(requests, f"claims/{row['organism']}/{row['id']}/review")
    with app.test_request_context():
        tasks.poll_shop_claims(shop_id)
    return statuses(app, shop_id)


# --- running the workers ----------------------------------------------------------------------------


@pytest.fixture
def quick(app, sandbox, monkeypatch):
    """Timeouts in about a second, retries a second apart, and every claim still sending counts as
    stuck for the sweeper."""
    monkeypatch.setitem(app.config, "ECO_READ_TIMEOUT", 1.0)
    monkeypatch.setitem(app.config, "CLAIM_RETRY_INTERVALS", (1, 1, 1))
    monkeypatch.setitem(app.config, "CLAIM_STUCK_AFTER_SECONDS", 0)
    sandbox.faults.configure(timeout_seconds=1.5)


def sending(app) -> int:
    with app.app_context():
        return db.session.execute(db.select(db.func.count(Claim.id)).where(Claim.status.in_(SENDING)),
                                  execution_options={"all_shops": True}).scalar_one()


def drain(app, runner, rounds: int = 60) -> int:
    """Burst workers (the real `flask worker --burst`, forking a work horse per job) and the sweeper,
    in turn, until no claim is left sending; how many rounds it took."""
    for n in range(1, rounds + 1):
        result = runner.invoke(args=["worker", "--burst"])
        assert result.exit_code == 0, result.output
        if not sending(app):
            return n
        with app.app_context():
            tasks.requeue_stuck_claims()
        time.sleep(0.3)  # retries are scheduled a second apart: the next burst worker queues the due ones
    raise AssertionError(f"{sending(app)} claim(s) still sending after {rounds} rounds")


# --- a. calls failing ------------------------------------------------------------------------------


def test_with_30_percent_of_calls_failing_every_claim_arrives_once(app, shop, sandbox, sandbox_accounts, runner, quick):
    link_ecosystem(app, sandbox)
    organisms = ["ecosystem", "ecologic"] * 6
    claims = issue_claims(app, shop.id, organisms)
    by_id = dict(zip(claims, organisms))
    sandbox.faults.configure(error_rate=0.15, timeout_rate=0.15)  # 5xx before any work, or no answer in time
    drain(app, runner)
    assert set(statuses(app, shop.id).values()) == {"submitted"}
    assert_once_each(sandbox, claims, by_id)
    from qualirepar.eco.models import EcoExchange

    with app.app_context():
        failed = Counter(db.session.execute(db.select(EcoExchange.status).where(
            (EcoExchange.status >= 500) | EcoExchange.status.is_(None)), execution_options={"all_shops": True}).scalars())
    assert failed[None] and (failed[500] or failed[503])  # timeouts and 5xx did happen
    assert set(review_and_sync(app, sandbox, shop.id).values()) == {"accepted"}


def test_answers_lost_after_the_work_was_done_create_nothing_twice(app, shop, sandbox, sandbox_accounts, runner, quick):
    """ecosystem carries out the call then the answer is lost (a 502): the next run looks the claim
    up by its invoice number, finds a file already there, a confirmation already made."""
    from qualirepar.eco.errors import TransientError
    from qualirepar.eco.models import EcoExchange

    link_ecosystem(app, sandbox)
    claims = issue_claims(app, shop.id, ["ecosystem"] * 10)
    surely = list(claims)[:2]
    sandbox.faults.configure(only="new_claim", queue=["lost", "lost"])  # these two are created, their answers lost
    for claim_id in surely:
        with app.test_request_context(), pytest.raises(TransientError):
            tasks.submit_claim(shop.id, claim_id)
    assert {statuses(app, shop.id)[c] for c in surely} == {"creating"}
    sandbox.faults.reset()
    sandbox.faults.configure(lost_rate=0.3, timeout_seconds=1.5)  # then any call of any claim, at random
    drain(app, runner)
    assert set(statuses(app, shop.id).values()) == {"submitted"}
    assert_once_each(sandbox, claims, dict.fromkeys(claims, "ecosystem"))
    with app.app_context():
        lookups = db.session.execute(db.select(EcoExchange.claim_id).where(
            EcoExchange.method == "GET", EcoExchange.path == "/reimbursement-claims"), execution_options={"all_shops": True}
        ).scalars().all()
        lost = db.session.execute(db.select(db.func.count(EcoExchange.id)).where(EcoExchange.status == 502),
                                  execution_options={"all_shops": True}).scalar_one()
    assert set(surely) <= set(lookups)  # looked up by invoice number before creating again
    assert lost > 2  # the random ones happened too
    assert set(review_and_sync(app, sandbox, shop.id).values()) == {"accepted"}


# --- b. a worker killed mid-way ------------------------------------------------------------------------


def worker_env(app, sandbox, **config) -> dict:
    """What a `flask worker` process needs to work on this test's database, Redis, files and keys."""
    env = {**os.environ, "QUALIREPAR_ENV": "testing", "TEST_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "REDISLITE_PATH": app.config["REDISLITE_PATH"], "STORAGE_DIR": app.config["STORAGE_DIR"],
           "QUALIREPAR_ENCRYPTION_KEYS": app.config["ENCRYPTION_KEYS"], "ECO_SANDBOX_URL": sandbox.url}
    env.update({name: str(value) for name, value in config.items()})
    return env


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker"], env=env, cwd=ROOT,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def kill_hard(proc: subprocess.Popen) -> None:
    """SIGKILL the worker and every process under it at once: its work horse (RQ puts it in a
    process group of its own) and its scheduler. Nothing gets to clean up."""
    import psutil

    family = psutil.Process(proc.pid).children(recursive=True)
    proc.kill()
    for child in family:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            pass
    proc.wait(timeout=10)
    psutil.wait_procs(family, timeout=10)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            kill_hard(proc)


def wait_until(condition, seconds: float, what: str, step: float = 0.1) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(step)


def test_a_worker_killed_mid_submission_is_taken_over_without_a_double(app, shop, sandbox, sandbox_accounts, monkeypatch,
                                                                       tmp_path):
    """The worker dies (SIGKILL) while the organism is receiving the first file: its lock on the
    claim expires with it (job timeout + lock margin), then the sweeper queues the claim again and the next
    worker goes on from "created" without creating it again."""
    job_timeout, margin = 5, 3  # the lock of a dead runner lasts job_timeout + margin
    monkeypatch.setitem(app.config, "CLAIM_JOB_TIMEOUT", job_timeout)  # jobs queued from here (invoice, sweeper)
    monkeypatch.setitem(app.config, "CLAIM_LOCK_MARGIN", margin)
    monkeypatch.setitem(app.config, "CLAIM_STUCK_AFTER_SECONDS", 0)
    link_ecosystem(app, sandbox)
    sandbox.faults.configure(latency_ms=3000, only="upload-file")  # the first file takes 3 s to be answered
    (claim_id, number), = issue_claims(app, shop.id, ["ecosystem"]).items()
    env = worker_env(app, sandbox, CLAIM_JOB_TIMEOUT=job_timeout, CLAIM_LOCK_MARGIN=margin, CLAIM_RETRY_INTERVALS="1,1,1",
                     ECO_READ_TIMEOUT=10)
    log = tmp_path / "workers.log"

    first = start_worker(env, log)
    try:
        wait_until(lambda: statuses(app, shop.id)[claim_id] != "queued", 30, "the first worker never took the claim")
        wait_until(lambda: statuses(app, shop.id)[claim_id] == "created", 10, "not created at the organism")
        time.sleep(0.5)  # its upload request is now waiting at the organism
    finally:
        kill_hard(first)
    with app.app_context(), as_shop(shop.id):
        claim = db.session.get(Claim, claim_id)
        assert (claim.status, claim.attached) == ("created", []), log.read_text()[-3000:]
        assert queueing.locked(claim_id)  # left by the dead runner
        assert tasks.requeue_stuck_claims() == 0  # its job still looks started by a live runner: not doubled yet

    sandbox.faults.reset()
    second = start_worker(env, log)
    try:
        def swept_until_submitted() -> bool:
            with app.app_context():
                tasks.requeue_stuck_claims()
            return statuses(app, shop.id)[claim_id] == "submitted"

        wait_until(swept_until_submitted, job_timeout + margin + 30, "the claim was not taken over", step=0.5)
    finally:
        stop(second)
    rows = assert_once_each(sandbox, {claim_id: number}, {claim_id: "ecosystem"})  # created once, each file once
    assert rows[0]["state"] == "submitted"


# --- c. Redis restarted without its data -----------------------------------------------------------


def restart_redis(app) -> None:
    """Stop the embedded Redis without saving and start it again empty (a snapshot taken earlier
    is removed too, or it would bring old data back)."""
    import psutil
    import redis

    from qualirepar.redis_conn import ensure_embedded_server

    folder = Path(app.config["REDISLITE_PATH"]).parent
    pid = int((folder / "redis.pid").read_text())
    try:
        app.extensions["redis"].shutdown(nosave=True)
    except redis.ConnectionError:
        pass
    wait_until(lambda: not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE, 10,
               "Redis did not stop")
    (folder / "qualirepar.rdb").unlink(missing_ok=True)
    ensure_embedded_server(folder)


def test_claims_waiting_when_redis_loses_its_data_are_all_sent_once(app, shop, sandbox, sandbox_accounts, runner, quick):
    from qualirepar.core.queue import get_queue
    from qualirepar.eco.errors import TransientError

    link_ecosystem(app, sandbox)
    organisms = ["ecosystem", "ecologic"] * 2
    claims = issue_claims(app, shop.id, organisms)
    first = next(iter(claims))
    sandbox.faults.configure(only="upload-file", error_rate=1.0)
    with app.test_request_context(), pytest.raises(TransientError):
        tasks.submit_claim(shop.id, first)  # created at the organism, its files not yet sent: a retry is due
    sandbox.faults.reset()
    with app.app_context():
        assert len(get_queue()) == 4
        run_id = app.extensions["redis"].info()["run_id"]

    restart_redis(app)
    with app.app_context():
        assert app.extensions["redis"].info()["run_id"] != run_id  # the app's own connection reconnected
        assert len(get_queue()) == 0  # the queue is gone
        assert tasks.requeue_stuck_claims() == 4  # the claims rows say what is left to do
    assert statuses(app, shop.id)[first] == "created"
    drain(app, runner)
    assert set(statuses(app, shop.id).values()) == {"submitted"}
    assert_once_each(sandbox, claims, dict(zip(claims, organisms)))
    assert set(review_and_sync(app, sandbox, shop.id).values()) == {"accepted"}
