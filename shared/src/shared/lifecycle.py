"""Lifecycles as tables, one mechanism for every service: which actions move an aggregate from
which state to which, who may take each, and what each publishes. Framework-free: the service
layer asks a `Machine` before it changes anything, and anything the table does not list is
refused with the current state named (a 409 the caller can act on), never done halfway.

States are each lifecycle's `StrEnum` (a str, so they store and serialise as their names).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from shared.errors import Conflict, Forbidden


@dataclass(frozen=True)
class Transition:
    source: str
    action: str
    target: str
    roles: frozenset[str]
    events: tuple[str, ...] = ()


class StateConflict(Conflict):
    """Not allowed in the current state: the body names the state (field `status`)."""

    def __init__(self, aggregate: str, state: str, action: str, allowed: Iterable[str]) -> None:
        froms = sorted(set(allowed))
        hint = f" ({action} is allowed from {', '.join(froms)})" if froms else ""
        super().__init__(
            f"The {aggregate} is {state}: {action.replace('_', ' ')} is not "
            f"allowed in that state{hint}.",
            {"status": [f"The {aggregate} is {state}."]},
        )
        self.state = state


class Machine:
    def __init__(
        self,
        aggregate: str,
        states: Iterable[str],
        final: Iterable[str],
        transitions: Iterable[Transition],
    ) -> None:
        self.aggregate = aggregate
        self.states = tuple(states)
        self.final = frozenset(final)
        self.transitions = tuple(transitions)
        unknown = {s for t in self.transitions for s in (t.source, t.target)} - set(self.states)
        if unknown:
            raise ValueError(f"{aggregate}: transitions name unknown states {sorted(unknown)}")

    def from_state(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if t.source == state]

    def allows(self, source: str, target: str) -> bool:
        return any(t.source == source and t.target == target for t in self.transitions)

    def step(
        self, state: str, action: str, roles: Iterable[str], target: str | None = None
    ) -> Transition:
        """The transition `action` takes from `state` (to `target` when the action has
        several): StateConflict if there is none, Forbidden if none of `roles` may take it."""
        options = [t for t in self.transitions if t.action == action]
        here = [t for t in options if t.source == state and (target is None or t.target == target)]
        if not here:
            raise StateConflict(self.aggregate, state, action, (t.source for t in options))
        held = set(roles)
        for transition in here:
            if transition.roles & held:
                return transition
        needed = sorted({role for t in here for role in t.roles})
        raise Forbidden(f"Only {' or '.join(needed)} can do this to a {state} {self.aggregate}.")

    def check_move(self, source: str, target: str) -> None:
        """A state change the service layer makes must be one the table lists."""
        if source != target and not self.allows(source, target):
            raise StateConflict(
                self.aggregate,
                source,
                f"move to {target}",
                (t.source for t in self.transitions if t.target == target),
            )

    def exits(self, state: str) -> list[Transition]:
        """Ways out of `state` (to another state) that some role can take."""
        return [t for t in self.from_state(state) if t.target != state and t.roles]


def transitions(
    sources: Iterable[str],
    action: str,
    target: str,
    roles: Iterable[str],
    events: tuple[str, ...] = (),
) -> list[Transition]:
    """The same action from several states: one row per source."""
    return [Transition(source, action, target, frozenset(roles), events) for source in sources]
