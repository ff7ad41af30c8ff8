"""The composition pipeline: expand -> pre-merge checks -> merge -> post-merge checks ->
satisfiability -> print. Each stage returns errors instead of raising."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .errors import CompositionError, error
from .expand import Subgraph, expand_subgraph
from .merge import merge_subgraphs
from .metadata import metadata_of
from .print_supergraph import print_supergraph
from .satisfiability import validate_satisfiability
from .upgrade_fed1 import remove_unused_externals
from .validate_directive_definitions import validate_directive_definitions
from .validate_post import validate_supergraph
from .validate_pre import validate_subgraph

__all__ = ["CompositionResult", "SubgraphSDL", "compose"]


@dataclass(frozen=True, slots=True)
class SubgraphSDL:
    """A subgraph as composition receives it."""

    name: str
    url: str
    sdl: str


@dataclass(frozen=True, slots=True)
class CompositionResult:
    supergraph_sdl: str | None
    errors: tuple[CompositionError, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


def _expand_all(subgraphs: Sequence[SubgraphSDL]) -> tuple[list[Subgraph], list[CompositionError]]:
    expanded: list[Subgraph] = []
    errors: list[CompositionError] = []
    for source in subgraphs:
        result = expand_subgraph(source.name, source.url, source.sdl)
        if isinstance(result, CompositionError):
            errors.append(result)
        else:
            expanded.append(result)
    return expanded, errors


def compose(subgraphs: Sequence[SubgraphSDL]) -> CompositionResult:
    """Compose subgraphs into a supergraph SDL, or every error of the first failing stage."""
    ordered = sorted(subgraphs, key=lambda s: s.name)
    duplicates = {s.name for s in ordered if [t.name for t in ordered].count(s.name) > 1}
    if duplicates:
        return CompositionResult(
            None,
            tuple(
                error("INVALID_SUBGRAPH_NAME", f'A subgraph named "{name}" is given twice', [name])
                for name in sorted(duplicates)
            ),
        )
    expanded, errors = _expand_all(ordered)
    metas = [metadata_of(s) for s in expanded]
    for index, (subgraph, meta) in enumerate(zip(expanded, metas, strict=True)):
        if not subgraph.is_fed2:
            upgraded, problems = remove_unused_externals(subgraph, meta)
            errors.extend(problems)
            if upgraded is not subgraph:
                expanded[index], metas[index] = upgraded, metadata_of(upgraded)
    if errors:
        return CompositionResult(None, tuple(errors))
    for subgraph, meta in zip(expanded, metas, strict=True):
        # Apollo checks written definitions while building the subgraph: a bad one stops it.
        errors.extend(validate_directive_definitions(subgraph) or validate_subgraph(subgraph, meta))
    if errors:
        return CompositionResult(None, tuple(errors))
    supergraph, errors = merge_subgraphs(expanded, metas)
    if supergraph is None:
        return CompositionResult(None, tuple(errors))
    errors = validate_supergraph(supergraph) or validate_satisfiability(expanded, metas, supergraph)
    if errors:
        return CompositionResult(None, tuple(errors))
    return CompositionResult(print_supergraph(supergraph), ())
