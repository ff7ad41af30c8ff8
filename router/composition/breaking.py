"""Changes between two supergraphs as clients see them (graphql-core's change finder run on
both API schemas): removed fields, changed types, nullability, removed enum values, ..."""

from __future__ import annotations

from typing import NamedTuple

from graphql import find_breaking_changes, find_dangerous_changes

from .api_schema import api_schema_from_supergraph

__all__ = ["SchemaChange", "api_changes"]


class SchemaChange(NamedTuple):
    kind: str  # graphql-core's BreakingChangeType / DangerousChangeType name
    description: str
    breaking: bool

    def __str__(self) -> str:
        return f"{'BREAKING' if self.breaking else 'DANGEROUS'} {self.kind}: {self.description}"


def api_changes(old_supergraph: str, new_supergraph: str) -> list[SchemaChange]:
    """Breaking then dangerous changes from ``old_supergraph``'s API to ``new_supergraph``'s."""
    old = api_schema_from_supergraph(old_supergraph)
    new = api_schema_from_supergraph(new_supergraph)
    breaking = find_breaking_changes(old, new)
    dangerous = find_dangerous_changes(old, new)
    return [
        *(SchemaChange(c.type.name, c.description, True) for c in breaking),
        *(SchemaChange(c.type.name, c.description, False) for c in dangerous),
    ]
