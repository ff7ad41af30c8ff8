"""Ids are exact decimal strings: one rule, no trimming, so ``" 1"`` and ``"1"`` never
name the same record by accident."""

from __future__ import annotations

import pytest

from subgraphs.common.errors import BadUserInput
from subgraphs.common.ids import MAX_ID, parse_id
from tests.conftest import GraphQL


@pytest.mark.parametrize("value", ["1", "42", str(MAX_ID)])
def test_decimal_ids_parse(value: str) -> None:
    assert parse_id(value) == int(value)


@pytest.mark.parametrize(
    "value",
    [" 1", "1 ", "\t1", "1\n", "1 2", "", " ", "0", "-1", "+1", "1.0", "\uff11", str(MAX_ID + 1)],
)
def test_anything_else_is_bad_user_input(value: str) -> None:
    with pytest.raises(BadUserInput) as raised:
        parse_id(value, "customerId")
    assert raised.value.extensions == {"code": "BAD_USER_INPUT", "argument": "customerId"}


@pytest.mark.parametrize("value", [" 1", "1 ", "1\n"])
async def test_a_padded_id_is_rejected_over_http(graphql: GraphQL, value: str) -> None:
    body = await graphql("customers", "query($id: ID!) { customer(id: $id) { id } }", id=value)
    assert body["data"] == {"customer": None}
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "whitespace" in body["errors"][0]["message"]
