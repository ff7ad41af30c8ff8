"""bench.peer_supergraph: what the Node peers get is schema.graphql without access control."""

from __future__ import annotations

from pathlib import Path

from graphql import print_schema

from bench.peer_supergraph import peer_supergraph_file, without_access_control
from router.supergraph import Supergraph

ROOT = Path(__file__).resolve().parents[2]


def test_the_access_directives_go_and_the_api_schema_stays() -> None:
    sdl = (ROOT / "schema.graphql").read_text(encoding="utf-8")
    stripped = without_access_control(sdl)
    for name in ("authenticated", "requiresScopes", "policy"):
        assert f"@{name}" not in stripped and f"/{name}/v0.1" not in stripped
    assert "@inaccessible" in stripped  # a SECURITY feature Apollo Gateway implements
    api = print_schema(Supergraph.from_sdl(stripped).api_schema)
    assert api == print_schema(Supergraph.from_sdl(sdl).api_schema)


def test_the_file_is_written_beside_the_supergraph(tmp_path: Path) -> None:
    supergraph = tmp_path / "project.graphql"
    supergraph.write_text((ROOT / "schema.graphql").read_text(encoding="utf-8"))
    written = peer_supergraph_file(supergraph)
    assert written == tmp_path / "project.peers.graphql"
    assert "@requiresScopes" not in written.read_text()
