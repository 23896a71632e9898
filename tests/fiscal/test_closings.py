"""Closings (issue 19; BOI-TVA-DECLA-30-10-30, condition de conservation): daily, monthly and annual,
each a signed journal entry with the period's totals (by VAT rate and by method) and the perpetual
grand totals; a closed period accepts no new record; a closing is never redone and is complete or
absent, never half."""
import datetime as dt
import uuid
from decimal import Decimal

import pytest
import time_machine

from qualirepar.billing import deposits, invoices, payments, quotes
from qualirepar.core.clock import PARIS, paris_today
from qualirepar.extensions import db
from qualirepar.fiscal import closings, journal, kinds, settings
from qualirepar.fiscal.closing_models import FiscalClosing
from qualirepar.fiscal.models import FiscalEntry
from qualirepar.repairs.models import RepairOrder
from qualirepar.tenancy import as_shop

from ..billing.helpers import STANDARD, quote_with, washing_machine_order

D = Decimal


def at(day: dt.date, hour: int = 10):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, 0, tzinfo=PARIS), tick=True)


def a_sale(app, shop, deposit="30", card="100") -> int:
    """A day at the counter: a deposit in cash, the invoice (180.00 TTC at 20 %, 50 € bonus), a card payment."""
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        quote = quote_with(order, *STANDARD)
        quotes.validate(quote, None)
        quotes.decide(quote, True, "signature", "127.0.0.1", "Léa Martin")
        if deposit:
            deposits.take_deposit(order, "cash", D(deposit), None, quote=quote)
        invoice = invoices.issue_invoice(order, quote, str(uuid.uuid4()), None, reason="Réparation faite au comptoir")
        if card:
            payments.record_payment(invoice, "card", D(card), None)
        return invoice.id


def _closings(shop_id):
    return db.session.execute(db.select(FiscalClosing).where(FiscalClosing.shop_id == shop_id)
                              .order_by(FiscalClosing.id)).scalars().all()


def test_the_daily_closing_adds_up_the_day_by_rate_and_method_and_is_signed(app, shop):
    day = dt.date(2026, 3, 10)
    with at(day):
        a_sale(app, shop)
        with app.test_request_context(), as_shop(shop.id):
            before = journal.grand_totals(shop.id)
            [closing] = closings.close_through(shop.id, day)
            assert (closing.kind, closing.period_start, closing.period_end, closing.entries) == (kinds.CLOSING_DAY, day, day, 3)
            t = closing.totals
            assert t["sales"] == {"20.00": {"ht": "150.00", "vat": "30.00", "ttc": "180.00"}}
            assert t["net"] == t["sales"] and t["credit_notes"] == {}
            assert t["total"] == {"ht": "150.00", "vat": "30.00", "ttc": "180.00"}
            assert (t["deposits"], t["payments"]) == ({"cash": "30.00"}, {"card": "100.00"})
            assert t["received"] == {"card": "100.00", "cash": "30.00"}
            assert {k: t["counts"][k] for k in ("deposit", "invoice", "payment")} == {"deposit": 1, "invoice": 1, "payment": 1}
            assert closing.grand_totals == before and before["all"]["methods"] == {"card": "100.00", "cash": "30.00"}
            entry = db.session.execute(db.select(FiscalEntry).where(FiscalEntry.seq == closing.entry_seq)).scalar_one()
            assert (entry.kind, entry.closes_until, entry.occurred_on) == (kinds.CLOSING_DAY, day, day)
            assert entry.payload["totals"] == t and entry.signature
            assert journal.closed_until(shop.id) == day
            covered = db.session.execute(db.select(FiscalEntry.kind).where(FiscalEntry.seq.between(closing.first_seq, closing.last_seq))
                                         .order_by(FiscalEntry.seq)).scalars().all()
            assert covered == [kinds.DEPOSIT, kinds.INVOICE, kinds.PAYMENT]


def test_a_payment_on_a_closed_day_is_refused_in_french(app, shop, as_role):
    """Issue 19 «Bad input»: a payment on a closed period (BOI-TVA-DECLA-30-10-30, condition de conservation)."""
    invoice_id = a_sale(app, shop, card=None)
    with app.test_request_context(), as_shop(shop.id):
        closings.close_today(shop.id, shop.users["owner"].id)
    client = as_role("support")
    resp = client.post(f"/factures/{invoice_id}/paiements", data={"method": "cash", "amount": "10"}, follow_redirects=True)
    assert "La période est close jusqu&#39;au" in resp.get_data(as_text=True) or "La période est close jusqu'au" in resp.get_data(as_text=True)
    with app.test_request_context(), as_shop(shop.id):
        invoice = db.session.get(invoices.Invoice, invoice_id)
        assert payments.paid(invoice) == D("30.00")  # the deposit only: the refused payment is not kept
        assert db.session.execute(db.select(db.func.count(FiscalEntry.id)).where(FiscalEntry.kind == kinds.PAYMENT)).scalar() == 0


def test_a_closing_done_is_not_redone(app, shop):
    a_sale(app, shop)
    with app.test_request_context(), as_shop(shop.id):
        assert len(closings.close_today(shop.id, None)) >= 1
        seq = db.session.execute(db.select(db.func.max(FiscalEntry.seq))).scalar()
        assert closings.close_today(shop.id, None) == []
        assert closings.close_through(shop.id, paris_today()) == []
        assert db.session.execute(db.select(db.func.max(FiscalEntry.seq))).scalar() == seq


def test_the_catch_up_closes_each_day_then_the_month_then_the_year(app, shop):
    with at(dt.date(2026, 12, 30)):
        a_sale(app, shop)
    with at(dt.date(2027, 1, 2), hour=1), app.test_request_context(), as_shop(shop.id):
        made = closings.close_through(shop.id, dt.date(2027, 1, 1))
        assert [(c.kind, c.period_start.isoformat(), c.period_end.isoformat()) for c in made] == [
            (kinds.CLOSING_DAY, "2026-12-30", "2026-12-30"), (kinds.CLOSING_DAY, "2026-12-31", "2026-12-31"),
            (kinds.CLOSING_MONTH, "2026-12-01", "2026-12-31"), (kinds.CLOSING_YEAR, "2026-01-01", "2026-12-31"),
            (kinds.CLOSING_DAY, "2027-01-01", "2027-01-01")]
        month, year = made[2], made[3]
        assert month.totals["sales"] == year.totals["sales"] == made[0].totals["sales"]
        assert made[1].totals["entries"] == 0 and made[1].totals["sales"] == {}
        assert journal.closed_until(shop.id) == dt.date(2027, 1, 1)


def test_the_annual_closing_follows_the_shops_fiscal_year_end(app, shop):
    with app.test_request_context(), as_shop(shop.id):
        settings.save(shop.id, 6, 30)
    with at(dt.date(2026, 6, 30)):
        a_sale(app, shop)
        with app.test_request_context(), as_shop(shop.id):
            made = closings.close_through(shop.id, dt.date(2026, 6, 30))
            assert [(c.kind, c.period_start, c.period_end) for c in made] == [
                (kinds.CLOSING_DAY, dt.date(2026, 6, 30), dt.date(2026, 6, 30)),
                (kinds.CLOSING_MONTH, dt.date(2026, 6, 1), dt.date(2026, 6, 30)),
                (kinds.CLOSING_YEAR, dt.date(2025, 7, 1), dt.date(2026, 6, 30))]


@pytest.mark.parametrize("end, day, expected", [
    ((12, 31), dt.date(2026, 5, 4), (dt.date(2026, 1, 1), dt.date(2026, 12, 31))),
    ((6, 30), dt.date(2026, 7, 1), (dt.date(2026, 7, 1), dt.date(2027, 6, 30))),
    ((2, 28), dt.date(2028, 2, 29), (dt.date(2028, 2, 29), dt.date(2029, 2, 28))),  # 28 Feb 2028 ends the year before
])
def test_the_fiscal_year_holding_a_day(app, shop, end, day, expected):
    with app.test_request_context(), as_shop(shop.id):
        settings.save(shop.id, *end)
        assert settings.fiscal_year(shop.id, day) == expected


def test_an_impossible_year_end_is_refused(app, shop):
    with app.test_request_context(), as_shop(shop.id):
        with pytest.raises(kinds.FiscalRefusal, match="n'existe pas"):
            settings.save(shop.id, 2, 30)


def test_a_closing_killed_in_the_middle_leaves_nothing(app, shop, monkeypatch):
    """Issue 19 «Bad input and faults»: a worker killed in the middle of a closing: complete or absent."""
    a_sale(app, shop)
    real = closings.record

    def killed(*args, **kwargs):
        real(*args, **kwargs)  # the entry is appended, closed_until moved...
        raise SystemExit("worker killed")  # ...and the process dies before the commit

    with app.test_request_context(), as_shop(shop.id):
        seq = db.session.execute(db.select(db.func.max(FiscalEntry.seq))).scalar()
        monkeypatch.setattr(closings, "record", killed)
        with pytest.raises(SystemExit):
            closings.close_today(shop.id, None)
        db.session.remove()
    with app.test_request_context(), as_shop(shop.id):
        assert _closings(shop.id) == []
        assert db.session.execute(db.select(db.func.max(FiscalEntry.seq))).scalar() == seq
        assert journal.closed_until(shop.id) is None
        monkeypatch.setattr(closings, "record", real)
        assert [c.kind for c in closings.close_today(shop.id, None)] == [kinds.CLOSING_DAY]


def test_a_catch_up_killed_midway_keeps_the_closings_done(app, shop, monkeypatch):
    with at(dt.date(2026, 4, 28)):
        a_sale(app, shop)
    real, calls = closings.record, []

    def dies_on_the_third(*args, **kwargs):
        calls.append(kwargs["closes_until"])
        if len(calls) == 3:
            raise SystemExit("worker killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(closings, "record", dies_on_the_third)
    with at(dt.date(2026, 5, 2)), app.test_request_context(), as_shop(shop.id):
        with pytest.raises(SystemExit):
            closings.close_through(shop.id, dt.date(2026, 5, 1))
        db.session.remove()
        assert [(c.kind, c.period_end) for c in _closings(shop.id)] == [
            (kinds.CLOSING_DAY, dt.date(2026, 4, 28)), (kinds.CLOSING_DAY, dt.date(2026, 4, 29))]
        assert journal.closed_until(shop.id) == dt.date(2026, 4, 29)
        monkeypatch.setattr(closings, "record", real)
        closings.close_through(shop.id, dt.date(2026, 5, 1))
        assert [c.period_end.isoformat() for c in _closings(shop.id)] == ["2026-04-28", "2026-04-29", "2026-04-30", "2026-04-30",
                                                                           "2026-05-01"]


def test_the_orm_refuses_to_change_or_remove_a_closing(app, shop):
    """BOI-TVA-DECLA-30-10-30, inaltérabilité: a closing is never changed nor removed, by the ORM either."""
    a_sale(app, shop)
    with app.test_request_context(), as_shop(shop.id):
        [closing] = closings.close_today(shop.id, None)
        closing.totals = {"forged": True}
        with pytest.raises(kinds.Unalterable, match="inaltérable"):
            db.session.flush()
        db.session.rollback()
        db.session.delete(_closings(shop.id)[0])
        with pytest.raises(kinds.Unalterable, match="ne se supprime pas"):
            db.session.flush()
