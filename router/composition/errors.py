"""Composition errors: Apollo's stable codes, plus which subgraphs and coordinates conflict.

Codes are the ones ``@apollo/composition`` reports (``INVALID_FIELD_SHARING``,
``FIELD_TYPE_MISMATCH``, ...), so a failed composition reads the same in both tools.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from graphql import GraphQLError

__all__ = ["CompositionError", "error", "in_subgraph", "subgraph_list"]


@dataclass(frozen=True, slots=True)
class CompositionError:
    """One reason a set of subgraphs does not compose."""

    code: str
    message: str
    subgraphs: tuple[str, ...] = ()
    coordinates: tuple[str, ...] = ()

    def to_graphql_error(self) -> GraphQLError:
        extensions: dict[str, object] = {"code": self.code}
        if self.subgraphs:
            extensions["subgraphs"] = list(self.subgraphs)
        if self.coordinates:
            extensions["coordinates"] = list(self.coordinates)
        return GraphQLError(self.message, extensions=extensions)

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


def error(
    code: str, message: str, subgraphs: Iterable[str] = (), coordinates: Iterable[str] = ()
) -> CompositionError:
    """Build an error, keeping subgraphs and coordinates in first-seen order without repeats."""
    return CompositionError(
        code, message, tuple(dict.fromkeys(subgraphs)), tuple(dict.fromkeys(coordinates))
    )


def in_subgraph(code: str, subgraph: str, message: str, *coordinates: str) -> CompositionError:
    """An error about one subgraph, its message prefixed ``[subgraph]`` as Apollo's are."""
    return error(code, f"[{subgraph}] {message}", [subgraph], coordinates)


def subgraph_list(names: Iterable[str]) -> str:
    """``subgraph "a"`` / ``subgraphs "a", "b" and "c"``, as Apollo's messages say it."""
    quoted = [f'"{n}"' for n in names]
    if len(quoted) == 1:
        return f"subgraph {quoted[0]}"
    return "subgraphs " + ", ".join(quoted[:-1]) + " and " + quoted[-1]
