"""The claim's transition table, read as a specification: every (state, action) pair is either
allowed, to one target, or refused with IllegalClaimTransition (a refusal the user can read)."""
import datetime as dt
from decimal import Decimal as D
from types import SimpleNamespace

import pytest

from qualirepar.claims import states
from qualirepar.core.refusal import Refusal

ALL_STATES = sorted(set(states.LABELS) | {states.UNKNOWN})
ALL_ACTIONS = sorted({action for (_s, action) in states.TRANSITIONS})
ORGANISM_SAYS = {"examine": "submitted", "ask_more": "incomplete", "accept": "accepted", "pay": "paid", "reject": "rejected",
                 "withdraw": "cancelled", "lose_track": "unknown"}

# Ours: the steps of the sending, the shop's corrections, a payment statement, a credit note.
OURS = {
    ("ready", "queue"): "queued", ("needs_attention", "queue"): "queued", ("incomplete", "queue"): "queued",
    ("rejected", "queue"): "queued",
    ("ready", "create"): "creating", ("queued", "create"): "creating", ("creating", "create"): "creating",
    ("needs_attention", "create"): "creating",
    ("creating", "release"): "queued", ("creating", "release_ready"): "ready",
    ("creating", "register"): "created",
    **{(s, "flag"): "needs_attention" for s in ("ready", "queued", "creating", "created", "rejected", "incomplete", "needs_attention")},
    **{(s, "submit"): "submitted" for s in ("ready", "queued", "creating", "created", "needs_attention")},
    **{(s, "settle"): "paid" for s in ("submitted", "incomplete", "accepted")},
    **{(s, "cancel"): "cancelled" for s in ("ready", "queued", "creating", "created", "needs_attention", "unknown")},
}
# The organism's word, brought by the status sync, wins from anywhere once the claim left "ready".
THEIRS = {(s, action): target for action, target in ORGANISM_SAYS.items() for s in ALL_STATES
          if s not in ("ready", target)}
EXPECTED = {**OURS, **THEIRS}


@pytest.mark.parametrize("state", ALL_STATES)
@pytest.mark.parametrize("action", ALL_ACTIONS)
def test_transition_table(app, state, action):
    expected = EXPECTED.get((state, action))
    with app.test_request_context():
        if expected:
            assert states.next_state(state, action) == expected
        else:
            with pytest.raises(states.IllegalClaimTransition) as info:
                states.next_state(state, action)
            assert isinstance(info.value, Refusal) and "Impossible depuis le statut" in str(info.value)


def test_the_table_holds_nothing_the_specification_does_not():
    assert states.TRANSITIONS == EXPECTED


@pytest.mark.parametrize("group, members", [
    (states.SENDING, {"ready", "queued", "creating", "created"}),
    (states.AT_ORGANISM, {"submitted", "incomplete", "accepted"}),
    (states.TO_FIX, {"rejected", "incomplete", "needs_attention"}),
    (states.SENDABLE, {"ready", "needs_attention"}),
    (states.RECEIVED, {"submitted", "accepted", "paid"}),
    (states.FILED, {"submitted", "incomplete", "accepted", "paid"}),
    (states.GRANTED, {"accepted", "paid"}),
    (states.DECIDED, {"accepted", "paid", "rejected"}),
])
def test_named_groups(group, members):
    assert set(group) == members


def test_a_claim_at_the_organism_is_not_cancelled_by_a_credit_note_only_flagged():
    assert not any(states.can(s, "cancel") for s in states.FILED)


def _claim(status="submitted", paid=None, submitted=None):
    return SimpleNamespace(status=status, amount_paid=paid, bonus_amount=D("50.00"), submitted_at=submitted)


@pytest.mark.parametrize("claim, category, age", [
    (_claim(paid=D("50.00")), "paid", None),
    (_claim(paid=D("30.00")), "short", None),
    (_claim(status="rejected"), "rejected", None),
    (_claim(status="ready"), "waiting", None),
    (_claim(submitted=dt.datetime(2026, 9, 1, 10, tzinfo=dt.timezone.utc)), "late", 61),
    (_claim(submitted=dt.datetime(2026, 9, 30, 10, tzinfo=dt.timezone.utc)), "unpaid", 32),
    # sent at 23:30 UTC on 30 September: 1 October in Paris, the day the shop counts from
    (_claim(submitted=dt.datetime(2026, 9, 30, 23, 30, tzinfo=dt.timezone.utc)), "unpaid", 31),
])
def test_money_category(claim, category, age):
    assert states.money_category(claim, dt.date(2026, 11, 1), 60) == (category, age)
