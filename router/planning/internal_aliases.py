"""Internal aliases: the planner's own fields never share a response key with a client field.

The planner adds fields the client did not ask for: entity keys, ``@requires`` fields and
``__typename``. Apollo Gateway adds them under their own names, so a client alias that takes
such a name (``{ topProducts { upc: name inStock } }``) collides with them in the merged
data: the key evicts the client's field, or a ``@requires`` field is read from the client's
aliased value. Instead, where the client's selection on an object uses a field's name as the
response key of a different field (or arguments, or a leaf against a composite), the planner
fetches its own field under an alias of ``INTERNAL_PREFIX`` + name (``__internal_upc: upc``).
The alias is checked against every client response key of that object, wherever in the plan
the client's fields are fetched, so it cannot collide. Entity fetches build representations
from these aliases (under the real field names), and response shaping, which copies only the
client's response keys, never shows them. The planner's own fields are checked against each
other the same way: two ``@requires`` that select one field with different arguments
(``price(currency: "USD")`` and ``price(currency: "EUR")``) get one response key each.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping

from graphql import print_ast

from router.operation import Field, Fragment, Selection

__all__ = ["INTERNAL_PREFIX", "ClientFields", "index_client_fields"]

INTERNAL_PREFIX = "__internal_"

Collect = Callable[[Iterable[Selection], str], list[Field]]
_Position = tuple[tuple[str, ...], str]  # (response path, type name)


_Signature = tuple[str, tuple[str, ...], bool]


def _signature(field: Field) -> _Signature:
    return field.name, tuple(print_ast(a) for a in field.arguments), bool(field.selections)


class ClientFields:
    """The client's fields of every object of an operation, by response path and type."""

    def __init__(self, by_position: Mapping[_Position, Mapping[str, Field]]) -> None:
        self._by_position = by_position
        # the planner's own fields so far: response key -> signature, per object position
        self._own: dict[_Position, dict[str, _Signature]] = {}

    def fresh(self) -> ClientFields:
        """The same index with none of the planner's own fields yet (for another build)."""
        return ClientFields(self._by_position)

    def _at(self, path: tuple[str, ...], type_name: str) -> Mapping[str, Field]:
        return self._by_position.get((path, type_name), {})

    def _alias(self, client: Mapping[str, Field], own: Mapping[str, _Signature], name: str) -> str:
        alias, counter = INTERNAL_PREFIX + name, 1
        while alias in client or alias in own:
            counter += 1
            alias = f"{INTERNAL_PREFIX}{name}_{counter}"
        return alias

    def typename_alias(self, path: tuple[str, ...], type_name: str) -> str | None:
        """The alias of the planner's ``__typename`` on this object, None when it needs none."""
        client = self._at(path, type_name)
        taken = client.get("__typename")
        if taken is None or taken.name == "__typename":
            return None
        return self._alias(client, self._own.get((path, type_name), {}), "__typename")

    def own_fields(
        self, path: tuple[str, ...], type_name: str, fields: Iterable[Selection]
    ) -> tuple[Selection, ...]:
        """``fields`` (a key or ``@requires`` field set) with internal aliases where the
        client's response keys on the object at ``path`` name something else."""
        client = self._at(path, type_name)
        own = self._own.setdefault((path, type_name), {})
        out: list[Selection] = []
        for selection in fields:
            if isinstance(selection, Fragment):
                inner = self.own_fields(path, selection.type_condition, selection.selections)
                out.append(dataclasses.replace(selection, selections=inner))
                continue
            signature = _signature(selection)
            taken = client.get(selection.response_key)
            mine = own.get(selection.response_key)
            if (taken is not None and _signature(taken) != signature) or (
                mine is not None and mine != signature
            ):
                same = (key for key, known in own.items() if known == signature)
                alias = next(same, None) or self._alias(client, own, selection.name)
                suffix = (alias, *selection.path_suffix[1:])
                selection = dataclasses.replace(selection, response_key=alias, path_suffix=suffix)
                own[alias] = signature
            elif selection.selections:  # shared with the client (or not asked): look inside
                inner = self.own_fields(
                    path + selection.path_suffix, selection.type_name, selection.selections
                )
                selection = dataclasses.replace(selection, selections=inner)
                own.setdefault(selection.response_key, signature)
            else:
                own.setdefault(selection.response_key, signature)
            out.append(selection)
        return tuple(out)


def index_client_fields(
    selections: Iterable[Selection],
    root_type: str,
    collect: Collect,
    possible_types: Mapping[str, frozenset[str]],
) -> ClientFields:
    """Index the client's fields by object position (the static type and every runtime type)."""
    by_position: dict[_Position, dict[str, Field]] = {}

    def walk(selections: tuple[Selection, ...], type_name: str, path: tuple[str, ...]) -> None:
        children: dict[str, list[Field]] = {}  # one walk per child object, whatever its type
        for runtime in (type_name, *sorted(possible_types.get(type_name, ()))):
            known = by_position.setdefault((path, runtime), {})
            for field in collect(selections, runtime):
                known.setdefault(field.response_key, field)
                if field.selections:
                    children.setdefault(field.response_key, []).append(field)
        for fields in children.values():
            below = tuple(s for field in fields for s in field.selections)
            walk(below, fields[0].type_name, path + fields[0].path_suffix)

    walk(tuple(selections), root_type, ())
    return ClientFields(by_position)
