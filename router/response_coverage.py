"""Response coverage: a check, after shaping, that no selected field is missing or silently null.

The router cannot know what a subgraph *should* have answered, but it knows what each one
did answer (the merged data execution built), the errors collected on the way, and what
shaping made of it. Walking the client's normalized operation over the shaped response,
at every object reached:

- every selected response key is present (shaping writes all of them);
- a ``null`` is legitimate only when

  * a subgraph answered ``null`` for it (the key is in the merged data, its value null), or
  * an error's path is that field's path or goes below it (an error there, or a non-null
    field below it whose null propagated up to it), or
  * the merged data lacks the key (no subgraph delivered it) and a subgraph or an error
    explains why: ``_entities`` answered ``null`` for an object on the path (execution
    reports those), an error is at a prefix of the path (a failed entity, an error on the
    parent object), or an error has no path (a whole fetch failed, so the fetches depending
    on it could not run).

Anything else is a null the router made up: a field the plan never fetched, an entity fetch
that had no representations to send, or shaping dropping a value a subgraph gave. Those are
the silent wrong answers this check exists to catch. It costs one walk of the response.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from router.operation import Field, NormalizedOperation, Selection
from router.response_shaping import ShapingSchema

__all__ = ["CoverageViolation", "ResponseCoverageError", "check_response_coverage"]

Path = tuple[str | int, ...]
_ABSENT: Any = object()


@dataclass(frozen=True, slots=True)
class CoverageViolation:
    """A selected field at ``path`` that is missing or null without a reason."""

    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{'.'.join(str(key) for key in self.path)}: {self.reason}"


class ResponseCoverageError(AssertionError):
    """Raised (when the router is asked to) for a response with coverage violations."""

    def __init__(self, violations: Iterable[CoverageViolation]) -> None:
        self.violations = tuple(violations)
        super().__init__("; ".join(str(v) for v in self.violations))


class _Errors:
    """The paths of a response's errors (and of the entities subgraphs answered null),
    indexed for prefix questions."""

    def __init__(
        self, errors: Iterable[Mapping[str, Any]], null_entities: Iterable[Iterable[str | int]]
    ) -> None:
        self.paths: set[Path] = set()
        self.null_entities = {tuple(path) for path in null_entities}
        self.prefixes: set[Path] = set()  # every prefix of every error path, itself included
        self.pathless = False
        # paths of router.authorization's errors: "@" for any list index, fragment steps
        # ("... on T") dropped
        self.patterns: list[Path] = []
        for error in errors:
            path = error.get("path")
            if not isinstance(path, list):
                self.pathless = True
                continue
            if any(step == "@" or str(step).startswith("... on ") for step in path):
                self.patterns.append(tuple(s for s in path if not str(s).startswith("... on ")))
                continue
            full = tuple(path)
            self.paths.add(full)
            self.prefixes.update(full[:length] for length in range(len(full) + 1))

    def at_or_below(self, path: Path) -> bool:
        return path in self.prefixes or any(
            _matches(path, pattern[: len(path)]) for pattern in self.patterns
        )

    def above(self, path: Path) -> bool:
        return (
            self.pathless
            or any(
                path[:length] in self.paths or path[:length] in self.null_entities
                for length in range(len(path))
            )
            or any(
                len(pattern) < len(path) and _matches(path[: len(pattern)], pattern)
                for pattern in self.patterns
            )
        )


def _matches(concrete: Path, pattern: Path) -> bool:
    """Whether a response path is ``pattern``, whose ``"@"`` steps match any list index."""
    return len(concrete) == len(pattern) and all(
        step == wanted or (wanted == "@" and isinstance(step, int))
        for step, wanted in zip(concrete, pattern, strict=True)
    )


class _Walker:
    def __init__(self, schema: ShapingSchema, errors: _Errors) -> None:
        self.schema = schema
        self.errors = errors
        self.violations: list[CoverageViolation] = []

    def object(
        self,
        merged: Any,
        shaped: Mapping[str, Any],
        selections: tuple[Selection, ...],
        path: Path,
        type_name: str,
    ) -> None:
        source = merged if isinstance(merged, Mapping) else {}
        for selection in selections:
            if not isinstance(selection, Field):
                runtime = source.get("__typename") or type_name
                if self.schema.applies(selection.type_condition, runtime):
                    self.object(merged, shaped, selection.selections, path, type_name)
                continue
            key = selection.response_key
            here = (*path, key)
            if key not in shaped:
                self.violations.append(CoverageViolation(here, "selected but missing"))
                continue
            if selection.name.startswith("__"):  # answered by the router itself
                continue
            self.value(source.get(key, _ABSENT), shaped[key], selection, here)

    def value(self, merged: Any, shaped: Any, field: Field, path: Path) -> None:
        if shaped is None:
            self.null(merged, path)
            return
        if field.is_leaf:
            return
        if isinstance(shaped, list):
            items = merged if isinstance(merged, list) else []
            for index, item in enumerate(shaped):
                inner = items[index] if index < len(items) else _ABSENT
                self.value(inner, item, field, (*path, index))
            return
        if isinstance(shaped, Mapping):
            typename = merged.get("__typename") if isinstance(merged, Mapping) else None
            runtime = typename if isinstance(typename, str) else field.type_name
            self.object(merged, shaped, field.selections, path, runtime)

    def null(self, merged: Any, path: Path) -> None:
        if merged is None or self.errors.at_or_below(path):
            return  # a subgraph's null, or an error here or propagated from below
        if merged is _ABSENT:
            if self.errors.above(path):
                return
            reason = "null, but no subgraph answered it and no error covers it"
        else:
            reason = "null, but a subgraph answered a value and no error covers it"
        self.violations.append(CoverageViolation(path, reason))


def check_response_coverage(
    schema: ShapingSchema,
    operation: NormalizedOperation,
    merged: Mapping[str, Any],
    shaped: Mapping[str, Any] | None,
    errors: Iterable[Mapping[str, Any]],
    null_entities: Iterable[Iterable[str | int]] = (),
) -> list[CoverageViolation]:
    """Violations of the coverage invariant in a response (empty: none).

    ``merged`` is the data execution built from the subgraphs' answers, ``shaped`` the
    ``data`` sent to the client, ``errors`` every error of the response (execution's and
    shaping's), ``null_entities`` the paths of the objects that subgraphs answered ``null``
    for in ``_entities``.
    """
    index = _Errors(errors, null_entities)
    if shaped is None:
        if index.paths or index.pathless:
            return []
        return [CoverageViolation((), "data is null and no error explains it")]
    walker = _Walker(schema, index)
    walker.object(merged, shaped, operation.selections, (), operation.root_type)
    return walker.violations
