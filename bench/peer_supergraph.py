"""The supergraph the Node peers are given: Apollo Gateway refuses to load a supergraph
linking SECURITY features it does not implement (``@authenticated``, ``@requiresScopes``,
``@policy``: an Apollo Router feature), so the comparisons (benchmark and differential
tests) give the peers the supergraph without them, and our router a caller who may see
everything. The API schema is the same.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["peer_supergraph_file", "without_access_control"]


_ACCESS_LINK = re.compile(
    r"^\s*@link\(url: \"https://specs\.apollo\.dev/(?:authenticated|requiresScopes|policy)/"
    r"v[0-9.]+\", for: SECURITY\)\n",
    re.M,
)
_ACCESS_DEFINITION = re.compile(
    r"^(?:directive @(?:authenticated|requiresScopes|policy)\b[^\n]*|"
    r"scalar (?:requiresScopes__Scope|policy__Policy))\n\n",
    re.M,
)
_ACCESS_APPLICATION = re.compile(
    r"\s*@(?:authenticated|requiresScopes\(scopes: \[[^)]*\]\)|policy\(policies: \[[^)]*\]\))"
)


def without_access_control(supergraph_sdl: str) -> str:
    """The supergraph without ``@authenticated``/``@requiresScopes``/``@policy``: Apollo
    Gateway refuses to load SECURITY features it does not implement (and enforces none),
    so the comparisons give it this and our router a caller who may see everything."""
    sdl = _ACCESS_LINK.sub("", supergraph_sdl)
    sdl = _ACCESS_DEFINITION.sub("", sdl)
    return _ACCESS_APPLICATION.sub("", sdl)


def peer_supergraph_file(supergraph: Path) -> Path:
    """``supergraph`` without access control, written beside it (``*.peers.graphql``)."""
    stripped = supergraph.with_suffix(".peers.graphql")
    stripped.write_text(without_access_control(supergraph.read_text(encoding="utf-8")), "utf-8")
    return stripped
