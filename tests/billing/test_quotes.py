"""Quote totals and rounding; the bonus asked on demand and frozen at validation; the quote's states."""
import datetime as dt
from decimal import Decimal
from types import SimpleNamespace as L

import pytest

from qualirepar.billing import quotes, states
from qualirepar.billing import states as billing_states
from qualirepar.catalog.models import BonusTariff
from qualirepar.extensions import db
from qualirepar.repairs.models import RepairOrder
from qualirepar.tenancy import as_shop

from .helpers import STANDARD, quote_with, washing_machine_order
from qualirepar.core.clock import paris_today

D = Decimal


@pytest.mark.parametrize("lines,ht,vat,ttc", [
    ([("1", "10.00", "20")], "10.00", "2.00", "12.00"),
    ([("3", "0.335", "20")], "1.01", "0.20", "1.21"),  # 1.005 rounds half up to 1.01
    ([("1", "0.05", "20"), ("1", "0.05", "20")], "0.10", "0.02", "0.12"),  # VAT on the rate's total, not per line
    ([("1", "100.00", "20"), ("1", "100.00", "5.5")], "200.00", "25.50", "225.50"),
    ([("1", "33.33", "10"), ("2", "16.665", "10")], "66.66", "6.67", "73.33"),
    ([("0.5", "45.00", "20")], "22.50", "4.50", "27.00"),
    ([("1", "19.99", "0")], "19.99", "0.00", "19.99"),
    ([], "0.00", "0.00", "0.00"),
])
def test_totals_and_rounding(lines, ht, vat, ttc):
    t = quotes.totals([L(quantity=D(q), unit_price=D(p), vat_rate=D(r)) for q, p, r in lines])
    assert (t.ht, t.vat, t.ttc) == (D(ht), D(vat), D(ttc))
    assert t.ht + t.vat == t.ttc and sum((row["base"] for row in t.breakdown), D(0)) == t.ht


def test_the_bonus_is_asked_then_frozen_with_its_tariff(app, shop):
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, order_id)
        quote = quote_with(order, *STANDARD)
        verdict = quotes.bonus_verdict(quote)
        assert verdict.eligible and verdict.amount == D("50.00") and verdict.organism == "ecologic"
        quotes.validate(quote, shop.users["owner"].id)
        assert (quote.bonus_eligible, quote.bonus_amount, quote.bonus_organism) == (True, D("50.00"), "ecologic")
        tariff = db.session.get(BonusTariff, quote.bonus_tariff_id)
        assert tariff.amount == D("50.00") and quote.bonus_date is not None
        tariff.amount = D("80.00")  # the organism changes its grid after validation
        db.session.commit()
        assert quotes.bonus_verdict(quote).amount == D("80.00")  # asked again: the new grid
        db.session.refresh(quote)
        assert quote.bonus_amount == D("50.00")  # frozen: unchanged


def test_a_reused_part_raises_the_bonus(app, shop):
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        quote = quote_with(db.session.get(RepairOrder, order_id), ("part", "Pompe", "1", "35.00", "20", "reused"),
                           ("labour", "Pose", "1", "60.00", "20"))
        assert quotes.bonus_verdict(quote).amount == D("60.00")


def test_the_bonus_is_never_above_the_ttc(app, shop):
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        quote = quote_with(db.session.get(RepairOrder, order_id), ("labour", "Réglage", "1", "30.00", "20"))  # 36 € TTC
        quotes.validate(quote, None)
        assert quote.bonus_eligible is False and quote.bonus_amount == D("0.00")
        assert any("TTC" in r for r in quote.bonus_reasons)


def test_a_warranty_return_never_gets_a_bonus(app, shop):
    from qualirepar.checklists.services import guard
    from qualirepar.repairs import services as repairs

    from ..checklists.helpers import fill

    first = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, first)
        for action, phase in (("start_diagnosis", "checkin"), ("start_repair", None), ("finish", "checkout"), ("hand_back", None)):
            if phase:
                fill(order, phase)
            repairs.transition(order, action, guard=guard)
    second = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        order = db.session.get(RepairOrder, second)
        assert order.warranty_of_id == first
        quote = quote_with(order, *STANDARD)
        quotes.validate(quote, None)
        assert quote.bonus_eligible is False and quote.bonus_amount == D("0.00")
        assert quote.bonus_reasons[0].startswith("Retour sous garantie")


def test_a_validated_quote_is_locked_until_reopened(app, shop):
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        quote = quote_with(db.session.get(RepairOrder, order_id), *STANDARD)
        quotes.validate(quote, None)
        with pytest.raises(billing_states.BillingError, match="rouvrez-le"):
            quotes.add_line(quote, "labour", "Encore", D(1), D(10), D(20))
        quotes.reopen(quote)
        assert quote.bonus_amount is None and quote.validated_at is None
        quotes.add_line(quote, "labour", "Encore", D(1), D(10), D(20))


@pytest.mark.parametrize("state,action,allowed", [
    ("draft", "send", True), ("draft", "accept", True), ("draft", "refuse", True), ("sent", "accept", True),
    ("sent", "refuse", True), ("sent", "expire", True), ("accepted", "refuse", False), ("accepted", "send", False),
    ("refused", "accept", False), ("expired", "accept", False), ("accepted", "accept", False),
])
def test_quote_transition_table(state, action, allowed):
    if allowed:
        assert states.next_state(state, action) in states.LABELS
    else:
        with pytest.raises(states.IllegalQuoteTransition):
            states.next_state(state, action)


def test_sending_or_accepting_needs_a_validated_quote(app, shop):
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        quote = quote_with(db.session.get(RepairOrder, order_id), *STANDARD)
        with pytest.raises(states.QuoteNotValidated):
            quotes.mark_sent(quote)
        with pytest.raises(states.QuoteNotValidated):
            quotes.decide(quote, True, "signature", "127.0.0.1")


def test_an_expired_quote_cannot_be_accepted(app, shop):
    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        quote = quote_with(db.session.get(RepairOrder, order_id), *STANDARD)
        quotes.validate(quote, None)
        quotes.mark_sent(quote)
        quote.valid_until = paris_today() - dt.timedelta(days=2)
        db.session.commit()
        with pytest.raises(billing_states.BillingError, match="expiré"):
            quotes.decide(quote, True, "link", "127.0.0.1")
        assert quote.status == "expired"


def test_the_organisms_own_calculation_is_asked_and_compared(app, shop, sandbox_accounts):
    from qualirepar.catalog.models import ProductType

    order_id = washing_machine_order(app, shop.id)
    with app.test_request_context(), as_shop(shop.id):
        product = db.session.execute(db.select(ProductType).where(ProductType.name == "Lave-linge")).scalar_one()
        assert product.ecologic_id, "the catalog links the product to Ecologic's id"
        quote = quote_with(db.session.get(RepairOrder, order_id), *STANDARD)
        verdict = quotes.bonus_verdict(quote)
        assert quotes.organism_verdict(quote, verdict) == "L'organisme confirme le calcul."
        verdict.amount = D("45.00")  # the catalog would be out of date
        assert quotes.organism_verdict(quote, verdict).startswith("Désaccord : l'organisme calcule 50,00")
