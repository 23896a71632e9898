"""The plateforme agréée side: the providers (outbox folder, local sandbox over HTTP), the
transmission rows and their job. Business customers' invoices are transmitted (CGI art. 289 bis,
e-invoicing between taxable persons); private customers' sales are not (they are e-reported)."""
from __future__ import annotations

import datetime as dt
import uuid

import pytest
import redis

from qualirepar.billing import invoices, payments
from qualirepar.billing.models import Invoice
from qualirepar.core import queue
from qualirepar.core.clock import paris_today
from qualirepar.einvoice import states, tasks, transmissions
from qualirepar.einvoice.pa.base import EREPORT, INVOICE, Meta, PAError
from qualirepar.einvoice.pa.outbox import OutboxProvider
from qualirepar.einvoice.pa.sandbox import SandboxProvider
from qualirepar.einvoice.transmissions import Transmission
from qualirepar.extensions import db
from qualirepar.tenancy import as_shop

from . import samples
from .pa_fixtures import issued_invoice, use_provider


def _meta(key="shop-1:invoice:1", kind=INVOICE, name="facture.xml"):
    return Meta(key=key, kind=kind, filename=name, shop_id=1, number="F1")


def test_outbox_writes_the_file_once_per_key(tmp_path):
    box = OutboxProvider(tmp_path)
    ref = box.submit(b"<xml/>", _meta())
    assert box.submit(b"<xml/>", _meta()) == ref  # the same deposit again: the same file, the same reference
    files = list((tmp_path / "shop-1").iterdir())
    assert len(files) == 1 and files[0].read_bytes() == b"<xml/>"
    assert box.status(ref).status == "deposee"


def test_sandbox_accepts_a_valid_cii_and_rejects_a_broken_one_in_french(pa_sandbox):
    pa = SandboxProvider(pa_sandbox.url)
    ok = pa.submit(samples.cii(), _meta("k1"))
    assert pa.status(ok).status == "deposee"
    bad = pa.submit(samples.malformed(), _meta("k2"))
    answer = pa.status(bad)
    assert answer.status == "rejetee" and answer.reason.startswith("Facture rejetée")
    assert pa.submit(samples.cii(), _meta("k1")) == ok and len(pa_sandbox.flows) == 2  # nothing deposited twice


def test_sandbox_rejects_a_file_that_is_no_e_invoice(pa_sandbox):
    pa = SandboxProvider(pa_sandbox.url)
    answer = pa.status(pa.submit(b"%PDF-1.4 not an e-invoice", _meta("k3", name="f.pdf")))
    assert answer.status == "rejetee" and "ne contient pas de facture électronique" in answer.reason


def test_sandbox_unreachable_is_a_transient_error():
    with pytest.raises(PAError):
        SandboxProvider("http://127.0.0.1:9", timeout=(0.5, 0.5)).submit(b"x", _meta())


def test_a_business_invoice_is_deposited_then_follows_its_lifecycle(app, shop, pa_sandbox):
    use_provider(app, shop.id, "sandbox")
    invoice_id = issued_invoice(app, shop.id, business=True)
    with app.test_request_context(), as_shop(shop.id):
        row = transmissions.of_invoice(invoice_id)
        assert row is not None and row.status == states.QUEUED and row.kind == INVOICE and row.job_id
        assert tasks.send_transmission(shop.id, row.id) == states.DEPOSEE, row.reason
        db.session.refresh(row)
        assert row.ref in pa_sandbox.flows and row.attempts == 1
        pa_sandbox.operator(f"flows/{row.ref}/status", status="refusee", reason="Commande inconnue du client")
        assert tasks.poll_shop_transmissions(shop.id) == 1
        db.session.refresh(row)
        assert (row.status, row.reason) == (states.REFUSEE, "Commande inconnue du client")
        assert [h["status"] for h in row.history] == ["queued", "sending", "deposee", "refusee"]


def test_a_rejection_shows_its_reason_on_the_invoice_page(app, shop, pa_sandbox, as_role):
    use_provider(app, shop.id, "sandbox")
    pa_sandbox.operator("mode", reject="Le SIREN du client (BT-47) est inconnu de l'annuaire.")
    invoice_id = issued_invoice(app, shop.id, business=True)
    with app.test_request_context(), as_shop(shop.id):
        row = transmissions.of_invoice(invoice_id)
        assert tasks.send_transmission(shop.id, row.id) == states.REJETEE
    html = as_role("owner").get(f"/factures/{invoice_id}").get_data(as_text=True)
    assert "rejetée" in html and "Le SIREN du client (BT-47) est inconnu de l&#39;annuaire." in html


def test_a_pa_that_does_not_answer_keeps_the_row_and_sends_once_later(app, shop, pa_sandbox):
    use_provider(app, shop.id, "sandbox")
    pa_sandbox.operator("mode", fail=1)  # one 503, then it answers
    invoice_id = issued_invoice(app, shop.id, business=True)
    with app.test_request_context(), as_shop(shop.id):
        row = transmissions.of_invoice(invoice_id)
        with pytest.raises(PAError):  # RQ retries the job (transmissions.RETRY)
            tasks.send_transmission(shop.id, row.id)
        db.session.refresh(row)
        assert row.status == states.SENDING and "ne répond pas" in row.error
        assert tasks.send_transmission(shop.id, row.id) == states.DEPOSEE
        assert tasks.send_transmission(shop.id, row.id) == states.DEPOSEE  # run again: nothing more is sent
    assert len(pa_sandbox.flows) == 1


def test_a_private_customers_invoice_is_not_transmitted(app, shop, pa_sandbox):
    use_provider(app, shop.id, "sandbox")
    invoice_id = issued_invoice(app, shop.id, business=False)
    with app.test_request_context(), as_shop(shop.id):
        assert transmissions.of_invoice(invoice_id) is None
        assert db.session.execute(db.select(db.func.count(Transmission.id))).scalar_one() == 0


def test_the_outbox_provider_leaves_the_invoice_in_the_shops_folder(app, shop, tmp_path):
    app.config["PA_OUTBOX_DIR"] = str(tmp_path)
    try:
        invoice_id = issued_invoice(app, shop.id, business=True)  # default settings: the outbox
        with app.test_request_context(), as_shop(shop.id):
            row = transmissions.of_invoice(invoice_id)
            assert row.provider == "outbox"
            assert tasks.send_transmission(shop.id, row.id) == states.DEPOSEE
        files = list((tmp_path / f"shop-{shop.id}").iterdir())
        assert len(files) == 1 and files[0].read_bytes().startswith(b"%PDF-")
    finally:
        app.config.pop("PA_OUTBOX_DIR")


def test_one_row_per_subject(app, shop, tmp_path):
    app.config["PA_OUTBOX_DIR"] = str(tmp_path)
    try:
        invoice_id = issued_invoice(app, shop.id, business=True)
        with app.test_request_context(), as_shop(shop.id):
            first = transmissions.of_invoice(invoice_id)
            again = transmissions.after_issue(db.session.get(Invoice, invoice_id))
            assert again.id == first.id
            assert db.session.execute(db.select(db.func.count(Transmission.id))).scalar_one() == 1
    finally:
        app.config.pop("PA_OUTBOX_DIR")


@pytest.mark.parametrize("state,action,allowed", [
    (states.QUEUED, "send", True), (states.SENDING, "deposit", True), (states.SENDING, "reject", True),
    (states.DEPOSEE, "refuse", True), (states.DEPOSEE, "cash", True), (states.REJETEE, "deposit", False),
    (states.REFUSEE, "cash", False), (states.FAILED, "requeue", True), (states.DEPOSEE, "send", False),
])
def test_transmission_state_machine(state, action, allowed):
    assert states.MACHINE.can(state, action) is allowed


def test_ereport_kind_is_checked_as_json(pa_sandbox):
    pa = SandboxProvider(pa_sandbox.url)
    assert pa.status(pa.submit(b'{"period": {"start": "2027-09-01"}, "transactions": []}', _meta("e1", EREPORT, "e.json"))).status == "deposee"
    assert pa.status(pa.submit(b"not json", _meta("e2", EREPORT, "e.json"))).status == "rejetee"


def test_a_queue_that_is_down_leaves_a_failed_row_the_user_sends_again(app, shop, pa_sandbox, as_role, monkeypatch):
    """Nothing lost: the row stays, marked failed in French, and «Relancer l'envoi» queues it again."""
    use_provider(app, shop.id, "sandbox")

    def down(*args, **kwargs):
        raise redis.ConnectionError("down")

    monkeypatch.setattr(queue, "enqueue", down)
    invoice_id = issued_invoice(app, shop.id, business=True)
    with app.test_request_context(), as_shop(shop.id):
        row = transmissions.of_invoice(invoice_id)
        assert row.status == states.FAILED and "indisponible" in row.error
        row_id = row.id
    monkeypatch.undo()
    client = as_role("support")
    html = client.get(f"/factures/{invoice_id}").get_data(as_text=True)
    assert "envoi impossible" in html and "Relancer l'envoi" in html
    assert client.post(f"/facturation-electronique/transmissions/{row_id}/relancer").status_code in (302, 303)
    with app.test_request_context(), as_shop(shop.id):
        row = db.session.get(Transmission, row_id)
        assert row.status == states.QUEUED and row.job_id
        assert tasks.send_transmission(shop.id, row_id) == states.DEPOSEE


def test_a_business_invoices_credit_note_is_transmitted_too(app, shop, tmp_path):
    app.config["PA_OUTBOX_DIR"] = str(tmp_path)
    try:
        invoice_id = issued_invoice(app, shop.id, business=True)
        with app.test_request_context(), as_shop(shop.id):
            note = invoices.credit(db.session.get(Invoice, invoice_id), "Erreur de prix", str(uuid.uuid4()), None)
            row = transmissions.of_invoice(note.id)
            assert row is not None and row.filename == f"avoir-{note.number}.pdf"
            assert tasks.send_transmission(shop.id, row.id) == states.DEPOSEE
    finally:
        app.config.pop("PA_OUTBOX_DIR")


def test_the_schedule_polls_only_shops_with_open_deposits(app, shop, pa_sandbox, monkeypatch):
    use_provider(app, shop.id, "sandbox")
    invoice_id = issued_invoice(app, shop.id, business=True)
    with app.test_request_context(), as_shop(shop.id):
        row = transmissions.of_invoice(invoice_id)
        tasks.send_transmission(shop.id, row.id)
        pa_sandbox.operator(f"flows/{row.ref}/status", status="encaissee")
    queued = []
    monkeypatch.setattr(tasks, "enqueue", lambda path, *args, **kw: queued.append((path, args)))
    with app.app_context():
        assert tasks.poll_transmissions() == 1
    assert queued == [("qualirepar.einvoice.tasks.poll_shop_transmissions", (shop.id,))]
    with app.app_context():
        assert tasks.poll_shop_transmissions(shop.id) == 1
        with as_shop(shop.id):
            assert db.session.get(Transmission, row.id).status == states.ENCAISSEE
        assert tasks.poll_transmissions() == 0  # encaissée is final: nothing more to ask


def test_an_ended_period_is_deposited_at_the_sandbox(app, shop, pa_sandbox, as_role):
    use_provider(app, shop.id, "sandbox", vat_regime="reel_trimestriel")
    last = (paris_today().replace(day=1) - dt.timedelta(days=1)).replace(day=1).isoformat()
    as_role("owner").post(f"/facturation-electronique/e-reporting/transactions/{last}/transmettre")
    with app.test_request_context(), as_shop(shop.id):
        row = db.session.execute(db.select(Transmission)).scalar_one()
        assert (row.kind, row.filename) == (EREPORT, f"e-reporting-transactions-{last}.json")
        assert tasks.send_transmission(shop.id, row.id) == states.DEPOSEE
    flow = pa_sandbox.flows[row.ref]
    assert (flow["kind"], flow["status"]) == ("ereport", "deposee")


def test_the_transmissions_list_puts_what_to_fix_first(app, shop, pa_sandbox, as_role):
    use_provider(app, shop.id, "sandbox")
    ok = issued_invoice(app, shop.id, business=True)
    pa_sandbox.operator("mode", reject="Adresse de l'acheteur absente (BT-50).")
    bad = issued_invoice(app, shop.id, business=True)
    with app.test_request_context(), as_shop(shop.id):
        for invoice_id in (ok, bad):
            row = transmissions.of_invoice(invoice_id)
            tasks.send_transmission(shop.id, row.id)
        numbers = {i: db.session.get(Invoice, i).number for i in (ok, bad)}
    html = as_role("support").get("/facturation-electronique/transmissions").get_data(as_text=True)
    assert html.index(numbers[bad]) < html.index(numbers[ok]) and "BT-50" in html


def test_a_paid_business_invoice_is_reported_encaissee(app, shop, pa_sandbox):
    """The seller's «Encaissée» status once the customer has paid (the PA lifecycle's paid status)."""
    use_provider(app, shop.id, "sandbox")
    invoice_id = issued_invoice(app, shop.id, business=True)
    with app.test_request_context(), as_shop(shop.id):
        row = transmissions.of_invoice(invoice_id)
        tasks.send_transmission(shop.id, row.id)
        assert tasks.poll_shop_transmissions(shop.id) == 0  # not paid yet: nothing to say
        inv = db.session.get(Invoice, invoice_id)
        payments.record_payment(inv, "transfer", inv.amount_due, None, "VIR-2027-1")
        assert tasks.poll_shop_transmissions(shop.id) == 1
        db.session.refresh(row)
        assert row.status == states.ENCAISSEE and pa_sandbox.flows[row.ref]["status"] == "encaissee"


def test_the_outbox_keeps_the_paid_status_beside_the_invoice(app, shop, tmp_path):
    app.config["PA_OUTBOX_DIR"] = str(tmp_path)
    try:
        invoice_id = issued_invoice(app, shop.id, business=True)
        with app.test_request_context(), as_shop(shop.id):
            row = transmissions.of_invoice(invoice_id)
            tasks.send_transmission(shop.id, row.id)
            inv = db.session.get(Invoice, invoice_id)
            payments.record_payment(inv, "card", inv.amount_due, None)
            assert tasks.poll_shop_transmissions(shop.id) == 1
            assert db.session.get(Transmission, row.id).status == states.ENCAISSEE
        names = sorted(p.name for p in (tmp_path / f"shop-{shop.id}").iterdir())
        assert len(names) == 2 and names[1].endswith("--encaissee.json")
    finally:
        app.config.pop("PA_OUTBOX_DIR")


def test_relancer_an_e_report_goes_back_to_the_e_reporting_page(app, shop, as_role):
    """A failed e-report has no invoice: «Relancer l'envoi» brings the user back to the e-reporting page."""
    with app.test_request_context(), as_shop(shop.id):
        row = Transmission(kind=EREPORT, subject="ereport:transactions:2026-11-01", filename="e-reporting.json",
                           provider="sandbox", status=states.FAILED, history=[])
        db.session.add(row)
        db.session.commit()
        row_id = row.id
    resp = as_role("owner").post(f"/facturation-electronique/transmissions/{row_id}/relancer")
    assert resp.status_code in (302, 303) and resp.headers["Location"].endswith("/facturation-electronique/e-reporting")
