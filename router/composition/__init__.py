"""Composition: subgraph SDLs -> Federation v2 supergraph (join-spec), in Apollo's stages.

``expand`` (links, federation directives) -> ``validate_pre`` -> ``merge`` (one module per
kind) -> ``validate_post`` -> ``satisfiability``; ``print_supergraph`` writes the result and
``api_schema`` derives what clients see. ``compose`` runs the whole pipeline; the CLI
(``python -m router.composition compose|check|api-schema``) reads ``supergraph.yaml``.
"""

from .api_schema import api_schema_from_supergraph
from .compose import CompositionResult, SubgraphSDL, compose
from .errors import CompositionError

__all__ = [
    "CompositionError",
    "CompositionResult",
    "SubgraphSDL",
    "api_schema_from_supergraph",
    "compose",
]
