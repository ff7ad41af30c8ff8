"""Where one subgraph path of the satisfiability walk stands (the tail of Apollo's path)."""

from __future__ import annotations

from dataclasses import dataclass

from .provides import Provided

__all__ = ["Position"]


@dataclass(frozen=True, slots=True)
class Position:
    """In subgraph ``subgraph``, at its own type ``type_name`` (the subgraph's type of the
    field that led here, which may be more precise than the supergraph's), with the fields a
    ``@provides`` on the way made resolvable here."""

    subgraph: int
    type_name: str
    provided: Provided | None = None
