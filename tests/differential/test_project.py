"""Random queries (no mutations) over the project's five domain subgraphs on a seeded SQLite
file: our router answers as Apollo Gateway does."""

from __future__ import annotations

import pytest

from tests.differential.graphs import PROJECT
from tests.differential.report import check_graph
from tests.peers import needs_node

pytestmark = [pytest.mark.node, needs_node]


async def test_same_answers_as_apollo_gateway() -> None:
    await check_graph(PROJECT)
