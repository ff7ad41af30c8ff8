"""The real load generator against the real Node fleet (needs node and tools/peers)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.fleets import start_node_fleet
from bench.load import LoadError, run_load
from bench.processes import ProcessGroup
from tests.peers import needs_node

pytestmark = [pytest.mark.node, needs_node]


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    with ProcessGroup(Path(tmp_path_factory.mktemp("fleet"))) as group:
        yield start_node_fleet(group, 14881)


def test_measures_a_mix_of_requests(fleet: dict[str, str]) -> None:
    assert set(fleet) == {"accounts", "products", "inventory", "reviews"}
    bodies = [{"query": "{ topProducts { upc } }"}, {"query": "{ topProducts(first: 1) { name } }"}]
    result = run_load(fleet["products"], bodies, connections=2, duration=1)
    assert result.probes == 2
    assert result.total_requests > 10
    assert result.errors == 0
    assert result.requests_per_second > 0
    assert 0 <= result.p50_ms <= result.p99_ms


def test_refuses_a_target_answering_with_errors(fleet: dict[str, str]) -> None:
    with pytest.raises(LoadError, match="not clean"):
        run_load(fleet["products"], [{"query": "{ nope }"}], connections=1, duration=1)
