"""``_entities`` that answers BAD_USER_INPUT for representations it cannot resolve, and caps
the batch a single request may ask for.

Strawberry looks ``__typename`` up without checking it (a missing or unknown one raised
``KeyError``) and calls ``resolve_reference(**representation)`` (a missing key field raised
``TypeError``): both surfaced as INTERNAL_SERVER_ERROR. Here each representation is checked
first (an object, naming an entity type of this subgraph, carrying the fields of one of its
keys as scalars, and nothing ``resolve_reference`` cannot take); a bad one gets its own
error at its index while the others resolve. More than :data:`MAX_REPRESENTATIONS` fail the
whole field before any of them is loaded.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from strawberry.federation.schema import FederationAny
from strawberry.types import Info
from strawberry.types.base import StrawberryObjectDefinition

from subgraphs.common.error_logging import QuietSchema
from subgraphs.common.errors import BadUserInput

__all__ = ["MAX_REPRESENTATIONS", "EntitySchema", "key_field_sets"]

# The router sends one fetch per (subgraph, wave): a page of 100 parents with 100 children
# each is 10,000 representations, which must still pass.
MAX_REPRESENTATIONS = int(os.environ.get("SUBGRAPH_MAX_REPRESENTATIONS", "10000"))


def key_field_sets(definition: StrawberryObjectDefinition) -> list[frozenset[str]]:
    """The top-level field names of each ``@key`` of ``definition`` (nested selections of a
    compound key count by their parent field)."""
    sets: list[frozenset[str]] = []
    for directive in definition.directives or ():
        fields = getattr(directive, "fields", None)
        if type(directive).__name__ != "Key" or not isinstance(fields, str):
            continue
        names: set[str] = set()
        depth = 0
        for token in fields.replace("{", " { ").replace("}", " } ").split():
            if token == "{":
                depth += 1
            elif token == "}":
                depth -= 1
            elif depth == 0:
                names.add(token)
        sets.append(frozenset(names))
    return sets


@cache
def _accepted_arguments(resolve: Callable[..., Any]) -> frozenset[str] | None:
    """The keyword arguments ``resolve`` takes, or None when it takes any (``**kwargs``)."""
    parameters = inspect.signature(resolve).parameters.values()
    if any(parameter.kind is inspect.Parameter.VAR_KEYWORD for parameter in parameters):
        return None
    return frozenset(parameter.name for parameter in parameters) - {"info"}


def _is_scalar(value: object) -> bool:
    return isinstance(value, str | int) and not isinstance(value, bool)


def _invalid(index: int, problem: str) -> BadUserInput:
    return BadUserInput(f"Invalid representation {index}: {problem}", argument="representations")


class EntitySchema(QuietSchema):
    """A federation schema whose ``_entities`` checks its input (see the module docstring)."""

    def _problem(self, representation: object) -> str | None:
        """Why ``representation`` cannot be resolved here, or None when it can."""
        if not isinstance(representation, Mapping):
            return "a representation must be an object"
        typename = representation.get("__typename")
        if not isinstance(typename, str):
            return "a representation needs a `__typename` string"
        type_ = self.schema_converter.type_map.get(typename)
        definition = getattr(type_, "definition", None)
        if not isinstance(definition, StrawberryObjectDefinition):
            return f"`{typename[:40]}` is not a type of this subgraph"
        keys = key_field_sets(definition)
        if not keys:
            return f"`{typename[:40]}` is not an entity type of this subgraph"
        if not any(all(name in representation for name in key) for key in keys):
            wanted = " or ".join(", ".join(sorted(key)) for key in keys)
            return f"a `{typename}` representation needs its key fields ({wanted})"
        for key in keys:
            for name in key:
                if name in representation and not _is_scalar(representation[name]):
                    # A nested selection of a compound key is an object; a plain one is not.
                    field = next((f for f in definition.fields if f.name == name), None)
                    if field is not None and isinstance(representation[name], Mapping):
                        continue
                    return f"`{name}` of a `{typename}` representation must be a scalar"
        resolve = getattr(definition.origin, "resolve_reference", None)
        if resolve is not None:
            accepted = _accepted_arguments(resolve)
            unknown = set(representation) - {"__typename"} - (accepted or set(representation))
            if unknown:
                return f"a `{typename}` representation has unknown fields: {sorted(unknown)[:5]}"
        return None

    def entities_resolver(
        self, info: Info, representations: list[FederationAny]
    ) -> list[FederationAny]:
        if len(representations) > MAX_REPRESENTATIONS:
            raise BadUserInput(
                f"At most {MAX_REPRESENTATIONS} representations per request, "
                f"got {len(representations)}",
                argument="representations",
            )
        problems = [self._problem(representation) for representation in representations]
        valid = [
            # Strawberry pops ``__typename`` from what it is given: give it a copy.
            FederationAny(dict(representation))  # type: ignore[call-overload]
            for representation, problem in zip(representations, problems, strict=True)
            if problem is None
        ]
        resolved = iter(super().entities_resolver(info, valid))
        return [
            next(resolved) if problem is None else FederationAny(_invalid(index, problem))
            for index, problem in enumerate(problems)
        ]
