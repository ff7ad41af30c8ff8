"""Why a field cannot be resolved, in the words of Apollo's satisfiability errors.

For each subgraph a failing state reaches: why it does not resolve the field itself, then,
for a subgraph the query started in, why it cannot move to the subgraphs that have the field;
for a subgraph reached by a key jump, the onward jumps Apollo skips because a more direct
path (from where the query started) already reaches their target.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from graphql import GraphQLNamedType

from ..expand import Subgraph

__all__ = ["Explorer", "why_not"]


class Explorer(Protocol):
    """What the satisfiability walker knows about subgraphs (see ``subgraph_view.SubgraphView``)."""

    subgraphs: Sequence[Subgraph]

    def view(self, type_name: str, index: int) -> GraphQLNamedType | None: ...
    def has_field(self, type_name: str, field: str, index: int) -> bool: ...
    def knows(self, type_name: str, field: str, index: int) -> bool: ...
    def key_available(self, type_name: str, fields: str, index: int) -> bool: ...


def _own(explorer: Explorer, type_name: str, field: str, index: int) -> str:
    coordinate = f"{type_name}.{field}"
    if explorer.has_field(type_name, field, index):
        return f'cannot satisfy @require conditions on field "{coordinate}".'
    if explorer.knows(type_name, field, index):
        return f'field "{coordinate}" is not resolvable because marked @external.'
    return f'cannot find field "{coordinate}".'


def _cannot_move(
    explorer: Explorer, type_name: str, field: str, start: int, target: int
) -> list[str]:
    subgraph = explorer.subgraphs[target]
    named = explorer.view(type_name, target)
    keys = subgraph.keys.get(named.name, ()) if named is not None else ()
    move = (
        f'cannot move to subgraph "{subgraph.name}", which has field "{type_name}.{field}", because'
    )
    if not keys:
        return [f'{move} type "{type_name}" has no @key defined in subgraph "{subgraph.name}".']
    if all(k.resolvable is False for k in keys):
        return [
            f'{move} none of the @key defined on type "{type_name}" in subgraph'
            f' "{subgraph.name}" are resolvable (they are all declared with their "resolvable"'
            " argument set to false)."
        ]
    return [
        f'cannot move to subgraph "{subgraph.name}" using @key(fields: "{k.fields}") of'
        f' "{type_name}", the key field(s) cannot be resolved from subgraph'
        f' "{explorer.subgraphs[start].name}".'
        for k in keys
        if k.resolvable is not False
    ]


def _skipped_jumps(
    explorer: Explorer, type_name: str, start: int, reached: list[int], origins: frozenset[int]
) -> list[str]:
    reasons: list[str] = []
    for target in reached:
        if target == start or target in origins:
            continue
        named = explorer.view(type_name, target)
        keys = explorer.subgraphs[target].keys.get(named.name, ()) if named is not None else ()
        name = explorer.subgraphs[target].name
        reasons.extend(
            f'ignoring moving to subgraph "{name}" using @key(fields: "{k.fields}") of'
            f' "{type_name}" because there is a more direct path in {name} that avoids'
            f" {explorer.subgraphs[start].name} altogether."
            for k in keys
            if k.resolvable is not False and explorer.key_available(type_name, k.fields, start)
        )
    return reasons


def why_not(
    explorer: Explorer,
    type_name: str,
    field: str,
    start: int,
    reached: list[int],
    origins: frozenset[int],
) -> list[str]:
    """Reasons subgraph ``start`` (one of ``reached`` from ``origins``) gives for the field."""
    reasons = [_own(explorer, type_name, field, start)]
    if start not in origins:
        return reasons + _skipped_jumps(explorer, type_name, start, reached, origins)
    for target in range(len(explorer.subgraphs)):
        if target not in reached and explorer.has_field(type_name, field, target):
            reasons.extend(_cannot_move(explorer, type_name, field, start, target))
    return reasons
