"""Random queries over the @interfaceObject fixture (tests/router/interface_object/): our
router answers as Apollo Gateway does."""

from __future__ import annotations

import pytest

from tests.differential.graphs import INTERFACE_OBJECT
from tests.differential.report import check_graph
from tests.peers import needs_node

pytestmark = [pytest.mark.node, needs_node]


async def test_same_answers_as_apollo_gateway() -> None:
    await check_graph(INTERFACE_OBJECT)
