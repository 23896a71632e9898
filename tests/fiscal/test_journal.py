"""The fiscal journal (issue 19; BOI-TVA-DECLA-30-10-30): entries chained, numbered without gaps,
signed with the shop's Ed25519 key; perpetual grand totals by VAT rate and payment method; a closed
period refused; the software version change and a clock set back journaled; appends at the same
instant never fork the chain (threads, PostgreSQL)."""
from __future__ import annotations

import base64
import datetime as dt
import threading
from decimal import Decimal

import pytest
import time_machine

from qualirepar.billing import payments as counter
from qualirepar.billing.models import Invoice, Payment
from qualirepar.billing.states import BillingError
from qualirepar.extensions import db
from qualirepar.fiscal import journal, keys, kinds
from qualirepar.fiscal.canonical import canonical, plain
from qualirepar.fiscal.models import FiscalChain, FiscalEntry
from qualirepar.tenancy import as_shop

from . import fiscal_factories as ff

D = Decimal


def _entries(shop_id):
    return list(journal.entries(shop_id))


def test_canonical_form_sorted_compact_decimals_as_written_instants_in_utc():
    paris = dt.timezone(dt.timedelta(hours=1))
    data = {"b": D("12.30"), "a": [dt.date(2026, 12, 6), dt.datetime(2026, 12, 6, 10, 0, tzinfo=paris)], "é": None}
    assert canonical(data) == ('{"a":["2026-12-06","2026-12-06T09:00:00.000000+00:00"],"b":"12.30","é":null}').encode()
    with pytest.raises(TypeError):
        plain({"x": 1.5})  # a float has no exact form: refused when a record is written


def test_entries_are_chained_numbered_and_signed_with_the_shop_key(app, shop, ctx):
    """BOI-TVA-DECLA-30-10-30 II (sécurisation): each entry carries the previous one's hash, a
    sequence without gaps, and a signature anyone can check with the public key."""
    inv = ff.invoice(ff.order(app, shop.id))
    ff.payment(inv, "50.00")
    db.session.commit()
    entries = _entries(shop.id)
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert entries[0].kind == kinds.VERSION_CHANGE and entries[0].prev_hash == journal.GENESIS
    assert [e.kind for e in entries[1:]] == [kinds.INVOICE, kinds.PAYMENT]
    public = keys.public_key_pem(shop.id)
    assert public.startswith("-----BEGIN PUBLIC KEY-----")
    for before, entry in zip(entries, entries[1:]):
        assert entry.prev_hash == before.hash
    for entry in entries:
        assert journal.digest(journal.entry_body(entry)) == entry.hash
        assert keys.verify_signature(public, entry.hash.encode(), base64.b64decode(entry.signature))
    assert not keys.verify_signature(public, b"another text", base64.b64decode(entries[1].signature))
    chain = db.session.execute(db.select(FiscalChain)).scalar_one()
    assert "PRIVATE" not in chain.private_key_enc and chain.last_seq == 3 and chain.last_hash == entries[-1].hash


def test_grand_totals_by_vat_rate_and_method_all_time_and_per_period(app, shop, ctx):
    """Perpetual grand totals (BOI-TVA-DECLA-30-10-30 II, conservation: cumulative totals; NF525 grand total perpétuel): a credit note and a
    reversal count negative; the day's totals start again the next day, the all-time ones never."""
    order_id = ff.order(app, shop.id)
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, tzinfo=dt.timezone.utc)):
        first = ff.invoice(order_id, ht="100.00", rate="20.00")
        ff.invoice(order_id, generation=1, ht="50.00", rate="5.50")
        pay = ff.payment(first, "120.00", "card")
        ff.payment(first, "0.50", "cash")
        db.session.commit()
        counter.reverse_payment(pay, D("20.00"), "Erreur de montant", shop.users["owner"].id)
    with time_machine.travel(dt.datetime(2026, 3, 11, 9, tzinfo=dt.timezone.utc)):
        ff.invoice(order_id, kind="credit_note", ht="-100.00", credits_id=first.id)
        db.session.commit()
    totals = journal.grand_totals(shop.id)
    assert totals["all"]["vat"] == {"20.00": {"ht": "0.00", "vat": "0.00", "ttc": "0.00"},
                                    "5.50": {"ht": "50.00", "vat": "2.75", "ttc": "52.75"}}
    assert totals["all"]["methods"] == {"card": "100.00", "cash": "0.50"}
    assert totals["day"] == {"key": "2026-03-11", "vat": {"20.00": {"ht": "-100.00", "vat": "-20.00", "ttc": "-120.00"}},
                             "methods": {}}
    assert totals["month"]["key"] == "2026-03" and totals["month"]["methods"] == {"card": "100.00", "cash": "0.50"}
    assert _entries(shop.id)[-1].totals == totals


def test_a_rollback_leaves_neither_the_record_nor_its_entry(app, shop, ctx):
    inv = ff.invoice(ff.order(app, shop.id))
    db.session.commit()
    before = db.session.execute(db.select(FiscalChain.last_seq)).scalar_one()
    ff.payment(inv, "10.00")
    db.session.rollback()
    assert db.session.execute(db.select(db.func.count(Payment.id))).scalar_one() == 0
    assert db.session.execute(db.select(FiscalChain.last_seq)).scalar_one() == before
    assert db.session.execute(db.select(db.func.max(FiscalEntry.seq))).scalar_one() == before


def test_a_closed_period_accepts_no_new_record(app, shop, ctx):
    """BOI-TVA-DECLA-30-10-30 II (conservation: closings): once a period is closed nothing is recorded in it;
    the closing itself and technical entries pass."""
    inv = ff.invoice(ff.order(app, shop.id))
    today = inv.issued_on
    journal.record(kinds.CLOSING_DAY, {"day": today}, shop_id=shop.id, occurred_on=today, closes_until=today)
    db.session.commit()
    assert journal.closed_until(shop.id) == today
    with pytest.raises(kinds.ClosedPeriod, match="période est close jusqu'au"):
        ff.payment(inv, "10.00")
    db.session.rollback()
    journal.record(kinds.DUPLICATE, {"invoice": inv.number, "duplicate": 1}, shop_id=shop.id, occurred_on=today)
    journal.record(kinds.PAYMENT, {"late": True}, shop_id=shop.id, occurred_on=today + dt.timedelta(days=1))
    db.session.commit()


def test_a_new_software_version_is_journaled_once(app, shop, ctx, monkeypatch):
    """NF525-style journal of technical events (JET): the software's version change is an event traced in the journal."""
    inv = ff.invoice(ff.order(app, shop.id))
    ff.payment(inv, "1.00")
    monkeypatch.setenv("QUALIREPAR_VERSION", "2027.01.1")
    ff.payment(inv, "1.00")
    ff.payment(inv, "1.00")
    db.session.commit()
    changes = [e.payload for e in _entries(shop.id) if e.kind == kinds.VERSION_CHANGE]
    assert changes[0]["from"] is None and changes[1] == {"from": changes[0]["to"], "to": "2027.01.1"} and len(changes) == 2


def test_a_clock_set_back_is_journaled_and_the_journal_stays_in_order(app, shop, ctx):
    """The server's clock set back (NF525-style journal of technical events): a CLOCK_CHANGE
    entry is written and recorded_at never goes back."""
    with time_machine.travel(dt.datetime(2026, 6, 1, 12, tzinfo=dt.timezone.utc), tick=False):
        inv = ff.invoice(ff.order(app, shop.id))
        db.session.commit()
    with time_machine.travel(dt.datetime(2026, 6, 1, 11, tzinfo=dt.timezone.utc), tick=False):
        ff.payment(inv, "5.00")
        db.session.commit()
    entries = _entries(shop.id)
    assert [e.kind for e in entries][-2:] == [kinds.CLOCK_CHANGE, kinds.PAYMENT]
    assert entries[-2].payload["server_clock"].startswith("2026-06-01T11:00")
    stamps = [journal._aware(e.recorded_at) for e in entries]
    assert stamps == sorted(stamps) and stamps[-1] == dt.datetime(2026, 6, 1, 12, tzinfo=dt.timezone.utc)


def test_a_reversal_needs_a_reason_and_never_exceeds_what_was_paid(app, shop, ctx):
    """A correction is a new record (BOI-TVA-DECLA-30-10-30 II, inaltérabilité: corrections by «plus» and «moins» records): a negative payment naming the one it
    cancels, with its reason and its user; the payment itself is unchanged."""
    inv = ff.invoice(ff.order(app, shop.id))
    pay = ff.payment(inv, "80.00", "cheque")
    db.session.commit()
    with pytest.raises(BillingError, match="motif"):
        counter.reverse_payment(pay, D("10.00"), " ", shop.users["owner"].id)
    with pytest.raises(BillingError, match="plus que ce qui a été encaissé"):
        counter.reverse_payment(pay, D("80.01"), "Chèque refusé", shop.users["owner"].id)
    first = counter.reverse_payment(pay, D("50.00"), "Chèque refusé", shop.users["owner"].id)
    with pytest.raises(BillingError, match="30,00"):
        counter.reverse_payment(pay, D("30.50"), "Encore", shop.users["owner"].id)
    with pytest.raises(BillingError, match="ne s'annule pas"):
        counter.reverse_payment(first, D("1.00"), "Annuler l'annulation", None)
    assert (first.amount, first.reverses_id, first.reason, first.received_by_id) == (
        D("-50.00"), pay.id, "Chèque refusé", shop.users["owner"].id)
    assert db.session.get(Payment, pay.id).amount == D("80.00")
    assert counter.paid(db.session.get(Invoice, inv.id)) == D("30.00")
    assert _entries(shop.id)[-1].kind == kinds.REVERSAL and _entries(shop.id)[-1].amounts["methods"] == {"cheque": "-50.00"}


def test_each_shop_has_its_own_chain_and_key(app, shop, ctx):
    other = ff.factories.make_shop(app, name="Autre atelier")
    with as_shop(other):
        journal.record(kinds.TAX_EXPORT, {"file": "x"}, shop_id=other, occurred_on=dt.date(2026, 1, 1))
        db.session.commit()
    journal.record(kinds.TAX_EXPORT, {"file": "y"}, shop_id=shop.id, occurred_on=dt.date(2026, 1, 1))
    db.session.commit()
    with as_shop(None):
        assert [e.seq for e in journal.entries(other)] == [1, 2] and [e.seq for e in journal.entries(shop.id)] == [1, 2]
        assert keys.public_key_pem(other) != keys.public_key_pem(shop.id)


def test_entries_stream_in_batches_in_sequence(app, shop, ctx, monkeypatch):
    monkeypatch.setattr(journal, "BATCH", 3)
    for i in range(8):
        journal.record(kinds.TAX_EXPORT, {"i": i}, shop_id=shop.id, occurred_on=dt.date(2026, 1, 1))
    db.session.commit()
    assert [e.seq for e in journal.entries(shop.id)] == list(range(1, 10))
    assert [e.seq for e in journal.entries(shop.id, since_seq=4, until_seq=7)] == [4, 5, 6, 7]


def test_two_counters_at_the_same_instant_never_fork_the_chain(app, shop):
    """Appends from several connections at once (PostgreSQL: the head row is locked FOR UPDATE)."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("SQLite writes one transaction at a time")
    with app.test_request_context(), as_shop(shop.id):
        inv = ff.invoice(ff.order(app, shop.id), ht="1000.00")
        db.session.commit()
        invoice_id = inv.id
    barrier, errors = threading.Barrier(8), []

    def counter_payment():
        try:
            with app.test_request_context(), as_shop(shop.id):
                row = db.session.get(Invoice, invoice_id)
                barrier.wait()
                for _ in range(5):
                    ff.payment(row, "1.00")
                    db.session.commit()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=counter_payment) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with app.test_request_context(), as_shop(shop.id):
        entries = _entries(shop.id)
        assert [e.seq for e in entries] == list(range(1, len(entries) + 1)) and len(entries) == 2 + 40
        assert all(b.hash == a.prev_hash for b, a in zip(entries, entries[1:]))
        assert journal.grand_totals(shop.id)["all"]["methods"] == {"cash": "40.00"}


def test_a_change_of_a_user_s_rights_is_journaled(app, shop, as_role):
    """NF525-style journal of technical events (JET): a change of the users' rights is a technical event of the journal."""
    client = as_role("owner")
    tech = shop.users["technician"]
    resp = client.post(f"/parametres/utilisateurs/{tech.id}", data={
        "email": tech.email, "first_name": "Tom", "last_name": "Tech", "role": "support"})  # role changed, deactivated
    assert resp.status_code == 303, resp.get_data(as_text=True)
    client.post(f"/parametres/utilisateurs/{tech.id}", data={
        "email": tech.email, "first_name": "Thomas", "last_name": "Tech", "role": "support"})  # a name only: no event
    with app.app_context(), as_shop(shop.id):
        changes = [e for e in journal.entries(shop.id) if e.kind == kinds.RIGHTS_CHANGE]
        assert len(changes) == 1 and changes[0].user_id == shop.users["owner"].id
        assert changes[0].payload == {"user": tech.id, "email": tech.email, "role": ["technician", "support"],
                                      "active": [True, False]}
