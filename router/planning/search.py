"""Plan search: where the planner has a choice, try the alternatives and keep the cheapest.

The planner chooses at a few places: which subgraph answers a ``@shareable`` root field,
which subgraph takes a field of an entity reachable in several, which key a hop uses. Each
choice is made through :class:`Decisions`, which orders the candidates by the planner's
estimate and takes the first unless the search forces another. ``search`` builds the plan
with the estimated choices first, then with one more choice changed at a time (breadth
first over the choices each build made), and keeps the cheapest plan that builds (fewest
fetches, then fewest sequential waves; the first found on a tie). A choice that cannot go
on (the subgraph lacks a field below, a key cannot be fetched) raises ``PlanningError`` and
that branch is dropped. The number of builds is bounded, so planning time stays bounded
whatever the graph; within the bound the search is exhaustive.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import TypeVar

from router.planning.errors import PlanningError

__all__ = ["DEFAULT_BUDGET", "Decisions", "search"]

_log = logging.getLogger(__name__)

T = TypeVar("T")
P = TypeVar("P")
DEFAULT_BUDGET = 32


class Decisions:
    """The choices of one plan build: those the search forces, and every choice made."""

    def __init__(self, forced: Mapping[Hashable, int]) -> None:
        self.forced = forced
        self.made: dict[Hashable, int] = {}  # choice -> number of candidates, in order made

    def pick(self, choice: Hashable, candidates: Sequence[T]) -> T:
        """The candidate to take (``candidates`` best-estimated first)."""
        if len(candidates) > 1:
            self.made.setdefault(choice, len(candidates))
        return candidates[min(self.forced.get(choice, 0), len(candidates) - 1)]


def search(
    build: Callable[[Decisions], P],
    cost: Callable[[P], tuple[int, ...]],
    budget: int = DEFAULT_BUDGET,
) -> P:
    """The cheapest plan ``build`` makes over the choices it meets, within ``budget`` builds."""
    best: tuple[tuple[int, ...], P] | None = None
    first_error: PlanningError | None = None
    pending: list[dict[Hashable, int]] = [{}]
    seen: set[frozenset[tuple[Hashable, int]]] = set()
    builds = 0
    while pending and builds < budget:
        forced = pending.pop(0)
        decisions = Decisions(forced)
        builds += 1
        try:
            plan = build(decisions)
        except PlanningError as error:
            first_error = first_error or error
        except Exception as error:  # a planner bug on this branch: another may still plan
            _log.exception("plan search: a build failed unexpectedly (choices %r)", forced)
            first_error = first_error or PlanningError(f"the planner failed: {error!r}")
        else:
            found = (cost(plan), plan)
            if best is None or found[0] < best[0]:
                best = found
        prefix = dict(forced)
        for choice, count in decisions.made.items():
            if choice in forced:
                continue
            for alternative in range(1, count):
                option = {**prefix, choice: alternative}
                signature = frozenset(option.items())
                if signature not in seen:
                    seen.add(signature)
                    pending.append(option)
            prefix[choice] = 0
    if best is None:
        raise first_error or PlanningError("no plan within the search budget")
    return best[1]
