"""The shop's day is the Paris day, whatever the server's clock (issue 15, core.clock).

A server keeps UTC. At 23:30 UTC it is already the next day in Paris (00:30 in winter, 01:30 in
summer): an intake typed then belongs to the Paris day, its number to the Paris year, and the
3-month warranty window of the référentiel QualiRépar § 6.1.5 is compared in Paris days.
"""
import ast
import datetime as dt
import pathlib

import pytest
import time_machine
from wtforms.validators import ValidationError

import qualirepar
from qualirepar.core import clock

from ..repairs.helpers import intake, repair_and_hand_back

UTC = dt.timezone.utc
D = dt.date
LATE_EVENING_UTC = dt.datetime(2026, 11, 30, 23, 30, tzinfo=UTC)  # 1 December, 00:30 in Paris
NEW_YEARS_EVE_UTC = dt.datetime(2026, 12, 31, 23, 30, tzinfo=UTC)  # 1 January 2027, 00:30 in Paris


@pytest.mark.parametrize("moment,paris_day", [
    (LATE_EVENING_UTC, D(2026, 12, 1)),  # winter, UTC+1
    (dt.datetime(2026, 6, 30, 22, 30, tzinfo=UTC), D(2026, 7, 1)),  # summer, UTC+2
    (dt.datetime(2026, 6, 30, 21, 59, tzinfo=UTC), D(2026, 6, 30)),
])
def test_today_is_the_paris_day_at_23_30_utc(moment, paris_day):
    with time_machine.travel(moment, tick=False):
        assert clock.paris_today() == paris_day
        assert clock.paris_date(clock.utcnow()) == paris_day
    assert clock.paris_date(moment.replace(tzinfo=None)) == paris_day  # SQLite hands back naive UTC


def test_an_intake_at_23_30_utc_is_dated_and_numbered_in_paris(ctx):
    with time_machine.travel(NEW_YEARS_EVE_UTC, tick=False):
        order = intake()
    assert order.intake_on == D(2027, 1, 1)
    assert order.number == "D-2027-00001"


def test_the_warranty_boundary_is_compared_in_paris_days(ctx):
    """Handed back on 31 August (Paris): covered through 30 November. An intake at 23:30 UTC on
    30 November is on 1 December in Paris: not a return (the server's own date would say it is)."""
    first = intake(intake_on=D(2026, 8, 20))
    repair_and_hand_back(first, dt.datetime(2026, 8, 31, 10, 0, tzinfo=UTC))
    with time_machine.travel(LATE_EVENING_UTC, tick=False):
        late = intake(last_name="Autre")
    assert late.intake_on == D(2026, 12, 1)
    assert late.warranty_of_id is None


def test_a_hand_back_after_midnight_in_paris_counts_from_the_paris_day(ctx):
    """Handed back at 22:30 UTC on 31 August = 1 September, 00:30 in Paris: covered through
    1 December, so the intake at 23:30 UTC on 30 November (1 December in Paris) is a return."""
    first = intake(intake_on=D(2026, 8, 20))
    repair_and_hand_back(first, dt.datetime(2026, 8, 31, 22, 30, tzinfo=UTC))
    with time_machine.travel(LATE_EVENING_UTC, tick=False):
        again = intake(last_name="Autre")
    assert again.warranty_of_id == first.id


def test_a_purchase_date_of_the_paris_day_is_not_in_the_future(app):
    from qualirepar.repairs.forms import not_in_future

    class Field:
        data = D(2026, 12, 1)

    with app.test_request_context(), time_machine.travel(LATE_EVENING_UTC, tick=False):
        assert not_in_future(None, Field()) is None  # would raise if compared with the server's 30 November
        Field.data = D(2026, 12, 2)
        with pytest.raises(ValidationError):
            not_in_future(None, Field())


def test_no_module_asks_the_server_for_its_own_date():
    """Every day the app stores or compares comes from core.clock: no `date.today()`, no naive
    `datetime.now()` left in the package (the sandbox included: the organisms are French too)."""
    offenders = []
    for path in pathlib.Path(qualirepar.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                name, owner = node.func.attr, node.func.value
                owner_name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", "")
                if (name == "today" and owner_name == "date") or (name == "now" and owner_name == "datetime" and not node.args and not node.keywords):
                    offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []
