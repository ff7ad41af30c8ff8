"""Top-level mutation fields must be satisfiable from one subgraph alone.

A mutation field several subgraphs define is called in exactly one of them (calling it
twice would run the mutation twice), so Apollo validates what follows it once per subgraph
and fails only when every one of them fails, with all their errors in one message.
"""

from __future__ import annotations

from ..errors import CompositionError, error

__all__ = ["MutationErrors"]


class MutationErrors:
    """Errors found below a top-level mutation field, per subgraph the field was called in."""

    def __init__(self) -> None:
        self.by_field: dict[str, dict[str, list[CompositionError]]] = {}

    def split(self, coordinate: str, subgraphs: list[str]) -> None:
        """The field is validated separately in each of ``subgraphs``."""
        found = self.by_field.setdefault(coordinate, {})
        for subgraph in subgraphs:
            found.setdefault(subgraph, [])

    def add(self, coordinate: str, subgraph: str, problem: CompositionError) -> None:
        errors = self.by_field[coordinate][subgraph]
        if problem not in errors:
            errors.append(problem)

    def errors(self) -> list[CompositionError]:
        """One ``SATISFIABILITY_ERROR`` per field no subgraph can serve alone."""
        out: list[CompositionError] = []
        for coordinate, by_subgraph in self.by_field.items():
            if any(not errors for errors in by_subgraph.values()):
                continue
            parts = [
                f'Supergraph API queries using the mutation field "{coordinate}" at top-level'
                " must be satisfiable without needing to call that field from multiple"
                " subgraphs, but every subgraph with that field encounters satisfiability"
                " errors. Please fix these satisfiability errors for (at least) one of the"
                " following subgraphs with the mutation field:"
            ]
            for subgraph, errors in by_subgraph.items():
                parts.append(
                    f'- When calling "{coordinate}" at top-level from subgraph "{subgraph}":'
                )
                parts.extend(
                    "  " + line if line else line
                    for problem in errors
                    for line in problem.message.split("\n")
                )
            out.append(error("SATISFIABILITY_ERROR", "\n".join(parts), by_subgraph, [coordinate]))
        return out
