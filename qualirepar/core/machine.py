"""One transition table per lifecycle (repair order, quote, claim): (state, action) -> next state,
and a named exception for anything else. Tests read the table as a specification."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping


class Machine:
    """A transition table with the exception it raises for an illegal (state, action)."""

    def __init__(self, transitions: Mapping[tuple[str, str], str], illegal: Callable[[str, str], Exception]):
        self.transitions = dict(transitions)
        self._illegal = illegal

    def next_state(self, state: str, action: str) -> str:
        try:
            return self.transitions[(state, action)]
        except KeyError:
            raise self._illegal(state, action) from None

    def can(self, state: str, action: str) -> bool:
        return (state, action) in self.transitions

    def actions_from(self, state: str) -> list[str]:
        return [action for (s, action) in self.transitions if s == state]

    @property
    def states(self) -> set[str]:
        return {s for s, _ in self.transitions} | set(self.transitions.values())

    def sources(self, action: str) -> set[str]:
        """The states from which `action` is allowed."""
        return {s for (s, a) in self.transitions if a == action}


def group(*states: str) -> frozenset[str]:
    """A named group of states (`claim_states.OPEN`), compared by `in`, never by string."""
    return frozenset(states)


def union(*groups: Iterable[str]) -> frozenset[str]:
    return frozenset(s for g in groups for s in g)
