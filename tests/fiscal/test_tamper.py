"""Inalterability and securing (BOI-TVA-DECLA-30-10-30 II) and tampering found: the database refuses UPDATE
and DELETE of invoices, their lines, payments and journal entries (both dialects), so does the ORM;
with the triggers dropped by someone holding the database, a row changed by raw SQL, a row deleted
and an entry reordered are each found by the verification and named by the entry's number."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from qualirepar.billing.models import InvoiceLine, Payment
from qualirepar.extensions import db
from qualirepar.fiscal import kinds
from qualirepar.fiscal.models import FiscalEntry
from qualirepar.fiscal.triggers import IMMUTABLE_TABLES, create_sql, drop_sql
from qualirepar.fiscal.verify import run_check, verify_shop

from . import fiscal_factories as ff

RAW = {
    "invoice": ("UPDATE invoice SET total_ttc = 1", "DELETE FROM invoice"),
    "invoice_line": ("UPDATE invoice_line SET label = 'x'", "DELETE FROM invoice_line"),
    "payment": ("UPDATE payment SET amount = 1", "DELETE FROM payment"),
    "fiscal_entry": ("UPDATE fiscal_entry SET kind = 'x'", "DELETE FROM fiscal_entry"),
}


@pytest.fixture
def books(app, shop, ctx):
    """Two invoices and three payments, journaled and committed: {name: row}."""
    order_id = ff.order(app, shop.id)
    first = ff.invoice(order_id, ht="100.00")
    second = ff.invoice(order_id, generation=1, ht="40.00", rate="10.00")
    rows = {"first": first, "second": second, "p1": ff.payment(first, "60.00"), "p2": ff.payment(first, "60.00", "card"),
            "p3": ff.payment(second, "44.00", "transfer")}
    db.session.commit()
    assert verify_shop(shop.id).ok
    return {k: (type(v), v.id) for k, v in rows.items()}


def _without_triggers(*statements, params=None):
    """What someone holding the database does: drop the triggers, change rows, put the triggers back."""
    dialect = db.engine.dialect.name
    db.session.rollback()  # the session's reads hold locks that DROP TRIGGER waits for (PostgreSQL)
    with db.engine.begin() as conn:
        for table in IMMUTABLE_TABLES:
            for s in drop_sql(dialect, table):
                conn.execute(text(s))
        for s in statements:
            conn.execute(text(s), params or {})
        for table in IMMUTABLE_TABLES:
            for s in create_sql(dialect, table):
                conn.execute(text(s))


def _seq_of(table, row_id):
    return db.session.execute(db.select(FiscalEntry.seq).where(FiscalEntry.record_table == table,
                                                               FiscalEntry.record_id == row_id)).scalar_one()


@pytest.mark.parametrize("table", sorted(RAW))
def test_the_database_refuses_update_and_delete(books, table):
    for statement in RAW[table]:
        with pytest.raises(DBAPIError, match="inaltérable"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert verify_shop(db.session.execute(db.select(FiscalEntry.shop_id)).scalars().first()).ok


def test_the_orm_refuses_to_change_or_remove_a_payment_or_a_line(books):
    payment = db.session.get(Payment, books["p1"][1])
    payment.amount = 1
    with pytest.raises(kinds.Unalterable, match="inaltérable"):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(InvoiceLine, db.session.execute(db.select(InvoiceLine.id)).scalars().first()))
    with pytest.raises(kinds.Unalterable, match="ne se supprime pas"):
        db.session.flush()
    db.session.rollback()


def test_a_payment_changed_by_raw_sql_is_found(shop, books):
    _without_triggers("UPDATE payment SET amount = 6.00 WHERE id = :id", params={"id": books["p2"][1]})
    report = verify_shop(shop.id)
    assert not report.ok and report.first.seq == _seq_of("payment", books["p2"][1])
    assert "ne correspond plus au paiement" in report.first.message and "amount" in report.first.message


def test_an_invoice_line_changed_by_raw_sql_is_found(shop, books):
    _without_triggers("UPDATE invoice_line SET unit_price = 10 WHERE invoice_id = :id", params={"id": books["second"][1]})
    report = verify_shop(shop.id)
    assert report.first.seq == _seq_of("invoice", books["second"][1]) and "lignes" in report.first.message


def test_an_invoice_deleted_with_the_triggers_dropped_is_found(shop, books):
    invoice_id = books["second"][1]
    seq = _seq_of("invoice", invoice_id)
    _without_triggers(f"DELETE FROM payment WHERE invoice_id = {invoice_id}",
                      f"DELETE FROM invoice_line WHERE invoice_id = {invoice_id}", f"DELETE FROM invoice WHERE id = {invoice_id}")
    report = verify_shop(shop.id)
    assert report.first.seq == seq and "supprimé de la base" in report.first.message


def test_a_journal_entry_changed_or_deleted_is_found(shop, books):
    seq = _seq_of("payment", books["p1"][1])
    _without_triggers("UPDATE fiscal_entry SET amounts = :a WHERE seq = :s", params={"a": '{"vat": {}, "methods": {"cash": "6.00"}}', "s": seq})
    report = verify_shop(shop.id)
    assert report.first.seq == seq and "modifiée" in report.first.message

    _without_triggers("DELETE FROM fiscal_entry WHERE seq = :s", params={"s": seq})
    report = verify_shop(shop.id)
    assert report.first.seq == seq and "manque" in report.first.message


def test_entries_reordered_are_found(shop, books):
    """Two entries' sequence numbers swapped (through a free number, the pair is unique)."""
    a, b = _seq_of("payment", books["p1"][1]), _seq_of("payment", books["p2"][1])
    _without_triggers(f"UPDATE fiscal_entry SET seq = 9999 WHERE seq = {a}", f"UPDATE fiscal_entry SET seq = {a} WHERE seq = {b}",
                      f"UPDATE fiscal_entry SET seq = {b} WHERE seq = 9999")
    report = verify_shop(shop.id)
    assert report.first.seq == a and "modifiée ou déplacée" in report.first.message


def test_the_last_entries_cut_off_are_found(shop, books):
    last = db.session.execute(db.select(db.func.max(FiscalEntry.seq))).scalar_one()
    _without_triggers(f"DELETE FROM fiscal_entry WHERE seq = {last}")
    report = verify_shop(shop.id)
    assert report.first.seq == last and "dernières écritures manquent" in report.first.message


def test_a_row_written_outside_the_software_is_found(shop, books):
    invoice_id = books["first"][1]
    _without_triggers("INSERT INTO payment (shop_id, invoice_id, method, amount, received_on, created_at) "
                      f"VALUES ({shop.id}, {invoice_id}, 'cash', 5, '2026-01-01', '2026-01-01 10:00:00')")
    report = verify_shop(shop.id)
    assert not report.ok and "hors du logiciel" in report.problems[0].message


def test_a_failed_check_is_kept_and_journaled(shop, books):
    """NF525-style journal of technical events (JET): an integrity check that fails is itself an event of the journal."""
    _without_triggers("UPDATE payment SET method = 'card' WHERE id = :id", params={"id": books["p1"][1]})
    report, check = run_check(shop.id, shop.users["owner"].id)
    assert check.status == kinds.CHECK_BROKEN and check.broken_seq == report.first.seq
    last = db.session.execute(db.select(FiscalEntry).order_by(FiscalEntry.seq.desc()).limit(1)).scalar_one()
    assert last.kind == kinds.INTEGRITY_FAILED and last.payload["seq"] == report.first.seq
