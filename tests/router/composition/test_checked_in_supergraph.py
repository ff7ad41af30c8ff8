"""CI guard: the checked-in ``schema.graphql`` is what composing ``supergraph.yaml`` gives."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from graphql import ObjectTypeDefinitionNode, parse

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


def _auth_coordinates(sdl: str) -> dict[str, set[str]]:
    """Per authorization directive, the type and field coordinates carrying it."""
    document = parse(sdl)
    found: dict[str, set[str]] = {"authenticated": set(), "requiresScopes": set(), "policy": set()}
    for definition in document.definitions:
        if not isinstance(definition, ObjectTypeDefinitionNode):
            continue
        for directive in definition.directives or ():
            if directive.name.value in found:
                found[directive.name.value].add(definition.name.value)
        for field in definition.fields or ():
            for directive in field.directives or ():
                if directive.name.value in found:
                    found[directive.name.value].add(f"{definition.name.value}.{field.name.value}")
    return found


def test_apollo_parity_covers_the_project_authorization_directives() -> None:
    """The project case compared byte for byte with Apollo's composition (test_compose)
    carries every authorization directive, on types and on fields; schema.graphql has the
    same ones (so the parity is about the directives the router enforces)."""
    recorded = (FIXTURES / "valid" / "project_domains" / "supergraph.graphql").read_text()
    found = _auth_coordinates(recorded)
    assert "Query.coupon" in found["authenticated"]
    assert {"Customer", "Order", "Campaign", "Warehouse"} <= found["requiresScopes"]
    assert {"Query.customers", "Mutation.placeOrder"} <= found["requiresScopes"]
    assert "Query.customers" in found["policy"]
    assert found == _auth_coordinates((ROOT / "schema.graphql").read_text())
