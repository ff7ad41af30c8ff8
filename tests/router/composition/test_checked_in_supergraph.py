"""CI guard: the checked-in ``schema.graphql`` is what composing ``supergraph.yaml`` gives."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from router.composition.cli import main
from subgraphs.common.schema import service_sdl
from subgraphs.registry import DOMAINS
from tests.router.composition.cases import FIXTURES

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.skipif(not (ROOT / "supergraph.yaml").exists(), reason="no supergraph.yaml")
def test_schema_graphql_is_not_stale() -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(
        [
            "check",
            "--config",
            str(ROOT / "supergraph.yaml"),
            "--supergraph",
            str(ROOT / "schema.graphql"),
        ],
        out=out,
        err=err,
    )
    assert code == 0, out.getvalue() + err.getvalue()


@pytest.mark.parametrize("domain", sorted(DOMAINS))
def test_apollo_parity_fixture_holds_the_current_subgraph_sdl(domain: str) -> None:
    """The project_domains case (compared with Apollo's composition) must be today's SDL:
    refresh with ``python -m subgraphs sdl --all --out-dir <case>`` and
    ``python -m tests.router.composition.record project_domains``."""
    fixture = FIXTURES / "valid" / "project_domains" / f"{domain}.graphql"
    assert fixture.read_text() == service_sdl(DOMAINS[domain].schema)
