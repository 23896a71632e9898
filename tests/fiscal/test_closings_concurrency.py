"""Closings and deposits at the same instant (PostgreSQL; SQLite writes one transaction at a time):
the owner's click and the scheduler close the day once; a payment racing the closing is either in
the closed day's totals or refused, never in between; two deposits cannot together pass the quote."""
import threading
from decimal import Decimal

import pytest

from qualirepar.billing import deposits, payments, quotes
from qualirepar.billing.models import Invoice
from qualirepar.core.refusal import Refusal
from qualirepar.extensions import db
from qualirepar.fiscal import closings, kinds
from qualirepar.fiscal.closing_models import FiscalClosing
from qualirepar.fiscal.verify import verify_shop
from qualirepar.repairs.models import RepairOrder
from qualirepar.tenancy import as_shop

from ..billing.helpers import STANDARD, quote_with, washing_machine_order
from .test_closings import a_sale

D = Decimal


@pytest.fixture(autouse=True)
def _postgresql_only(app):
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        pytest.skip("SQLite writes one transaction at a time: no race to test")


def _together(app, shop, *calls):
    barrier, results = threading.Barrier(len(calls), timeout=30), [None] * len(calls)

    def run(i, call):
        with app.test_request_context(), as_shop(shop.id):
            barrier.wait()
            try:
                results[i] = call()
            except Refusal as exc:
                db.session.rollback()
                results[i] = exc
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_the_owner_and_the_scheduler_closing_the_day_at_once_make_one_closing(app, shop):
    a_sale(app, shop)
    results = _together(app, shop, lambda: len(closings.close_today(shop.id, None)),
                        lambda: len(closings.close_today(shop.id, shop.users["owner"].id)))
    assert sorted(results) == [0, 1]
    with app.app_context(), as_shop(shop.id):
        assert db.session.execute(db.select(db.func.count(FiscalClosing.id))).scalar() == 1
        assert verify_shop(shop.id).ok


def test_a_payment_racing_the_closing_is_in_its_totals_or_refused(app, shop):
    invoice_id = a_sale(app, shop, deposit=None, card=None)

    def pay():
        payments.record_payment(db.session.get(Invoice, invoice_id), "cash", D("20"), None)
        return "paid"

    results = _together(app, shop, pay, lambda: closings.close_today(shop.id, None))
    with app.app_context(), as_shop(shop.id):
        [closing] = db.session.execute(db.select(FiscalClosing)).scalars().all()
        if results[0] == "paid":
            assert closing.totals["payments"] == {"cash": "20.00"}
        else:
            assert isinstance(results[0], kinds.ClosedPeriod) and closing.totals["payments"] == {}
        assert verify_shop(shop.id).ok


def test_two_deposits_at_once_cannot_pass_the_quote(app, shop):
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        quote = quote_with(order, *STANDARD)  # 130.00 owed
        quotes.validate(quote, None)
        quotes.decide(quote, True, "signature", "127.0.0.1", "Léa Martin")

    def take():
        return deposits.take_deposit(db.session.get(RepairOrder, order_id), "cash", D("80"), None).number

    results = _together(app, shop, take, take)
    assert sum(isinstance(r, str) for r in results) == 1
    assert any(isinstance(r, deposits.DepositRefused) for r in results)
    with app.app_context(), as_shop(shop.id):
        assert deposits.deposited(db.session.get(RepairOrder, order_id)) == D("80.00")
