"""core.machine: one helper for the three transition tables (repair order, quote, claim)."""
import pytest

from qualirepar.core.machine import Machine, group


class Illegal(Exception):
    def __init__(self, state, action):
        super().__init__(f"{action} from {state}")
        self.state, self.action = state, action


M = Machine({("a", "go"): "b", ("b", "go"): "c", ("a", "stop"): "z"}, Illegal)


@pytest.mark.parametrize("state,action,outcome", [("a", "go", "b"), ("b", "go", "c"), ("a", "stop", "z"), ("b", "stop", Illegal), ("c", "go", Illegal)])
def test_the_table_decides(state, action, outcome):
    if outcome is Illegal:
        with pytest.raises(Illegal) as refused:
            M.next_state(state, action)
        assert (refused.value.state, refused.value.action) == (state, action)
    else:
        assert M.next_state(state, action) == outcome
        assert M.can(state, action)


def test_what_a_state_allows_and_where_an_action_comes_from():
    assert M.actions_from("a") == ["go", "stop"]
    assert M.sources("go") == {"a", "b"}
    assert M.states == {"a", "b", "c", "z"}


def test_groups_are_frozen():
    assert "a" in group("a", "b") and isinstance(group("a"), frozenset)
