"""Load the recorded composition cases (inputs and Apollo's outputs) from ``fixtures/``."""

from __future__ import annotations

import json
from pathlib import Path

from router.composition.compose import SubgraphSDL

FIXTURES = Path(__file__).parent / "fixtures"
FLEET = Path(__file__).parents[2] / "fixtures" / "fleet"
FLEET_PORTS = {"accounts": 4001, "products": 4002, "inventory": 4003, "reviews": 4004}
OUTPUTS = {"supergraph.graphql", "api_schema.graphql", "expected.json"}


def case_names(kind: str) -> list[str]:
    return sorted(p.name for p in (FIXTURES / kind).iterdir() if p.is_dir())


def case_subgraphs(kind: str, name: str) -> list[SubgraphSDL]:
    """The subgraphs of a case; routing URLs as ``record.routing_url`` gives them to Apollo."""
    return [
        SubgraphSDL(p.stem, f"http://{p.stem}.example/graphql", p.read_text())
        for p in sorted((FIXTURES / kind / name).glob("*.graphql"))
        if p.name not in OUTPUTS
    ]


def expected_supergraph(name: str) -> str:
    return (FIXTURES / "valid" / name / "supergraph.graphql").read_text()


def expected_api_schema(name: str) -> str:
    return (FIXTURES / "valid" / name / "api_schema.graphql").read_text()


def expected_codes(name: str) -> list[str]:
    return list(json.loads((FIXTURES / "invalid" / name / "expected.json").read_text())["codes"])


def expected_messages(name: str) -> list[str]:
    path = FIXTURES / "invalid" / name / "expected.json"
    return list(json.loads(path.read_text())["messages"])


def fleet_subgraphs() -> list[SubgraphSDL]:
    return [
        SubgraphSDL(
            name,
            f"http://127.0.0.1:{port}/graphql",
            (FLEET / "schemas" / f"{name}.graphql").read_text(),
        )
        for name, port in FLEET_PORTS.items()
    ]
