"""Money (issue 15, core.money): the cent, rounded half up (the French commercial rounding, never
the banker's), one parser of amounts typed the French way with its limit and its message, one
formatter for files."""
from decimal import Decimal

import pytest

from qualirepar.core import money

D = Decimal


@pytest.mark.parametrize("raw,expected", [
    ("2.675", "2.68"), ("2.665", "2.67"), ("0.005", "0.01"), ("-2.665", "-2.67"), ("10", "10.00"),
])
def test_cents_round_half_up(raw, expected):
    assert money.cents(D(raw)) == D(expected)


def test_a_line_total_is_rounded_once_half_up():
    assert money.line_total(D("3"), D("0.335")) == D("1.01")  # 1.005 -> 1.01, not 1.00


@pytest.mark.parametrize("typed,expected", [
    ("119,90", "119.90"), ("1 234,50 €", "1234.50"), ("1\u202f234,5", "1234.50"), ("1234.5", "1234.50"),
    ("-12,5", "-12.50"), ("0,005", "0.01"),
])
def test_amounts_typed_the_french_way(typed, expected):
    assert money.parse_amount(typed) == D(expected)


@pytest.mark.parametrize("typed", ["", "   ", None])
def test_nothing_typed_is_no_amount(typed):
    assert money.parse_amount(typed) is None


@pytest.mark.parametrize("typed", ["douze", "1,2,3", "NaN", "Infinity", "1e-2000000", "100000", "-100000,00", "9" * 400])
def test_what_is_not_an_amount_a_shop_types_is_refused_in_french(app, typed):
    with app.test_request_context(), pytest.raises(money.AmountError) as refused:
        money.parse_amount(typed)
    assert "Montant invalide" in str(refused.value)


def test_the_limit_can_be_lowered():
    with pytest.raises(money.AmountError):
        money.parse_amount("60", limit=D("50"))


@pytest.mark.parametrize("value,text", [(D("25"), "25,00"), (D("1234.5"), "1234,50"), (None, ""), (D("2.675"), "2,68")])
def test_amounts_written_for_files(value, text):
    assert money.french_amount(value) == text


def test_numbers_keep_their_digits():
    assert money.french_number(D("0.150")) == "0,15"
    assert money.french_number(None) == ""
