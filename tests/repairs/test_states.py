"""The repair order's transition table: every (state, action) pair is either allowed, to one
target, or refused with IllegalTransition."""
import pytest

from qualirepar.repairs import states

ALL_ACTIONS = sorted({action for (_s, action) in states.TRANSITIONS})
ALL_STATES = list(states.LABELS)

EXPECTED = {
    ("intake", "start_diagnosis"): "diagnosis",
    ("intake", "abandon"): "abandoned",
    ("diagnosis", "send_quote"): "quote",
    ("diagnosis", "start_repair"): "repair",
    ("diagnosis", "abandon"): "abandoned",
    ("quote", "accept_quote"): "repair",
    ("quote", "refuse_quote"): "refused",
    ("quote", "abandon"): "abandoned",
    ("repair", "finish"): "ready",
    ("repair", "abandon"): "abandoned",
    ("ready", "hand_back"): "handed_back",
    ("refused", "hand_back"): "handed_back",
    # not repaired, handed back out of service with a signed warning (issue 16)
    ("diagnosis", "hand_back_out_of_service"): "handed_back",
    ("quote", "hand_back_out_of_service"): "handed_back",
    ("repair", "hand_back_out_of_service"): "handed_back",
    ("refused", "hand_back_out_of_service"): "handed_back",
}


@pytest.mark.parametrize("state", ALL_STATES)
@pytest.mark.parametrize("action", ALL_ACTIONS)
def test_transition_table(state, action):
    expected = EXPECTED.get((state, action))
    if expected:
        assert states.next_state(state, action) == expected
    else:
        with pytest.raises(states.IllegalTransition) as info:
            states.next_state(state, action)
        assert "impossible au statut" in str(info.value)


@pytest.mark.parametrize("state", sorted(states.FINAL))
def test_final_states_have_no_way_out(state):
    assert states.actions_from(state) == []
