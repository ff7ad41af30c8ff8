"""A client's mistake is one INFO line in the subgraph's log; a bug keeps its traceback."""

from __future__ import annotations

import logging

import pytest
import strawberry

from subgraphs.common.schema import build_schema
from tests.conftest import GraphQL

BAD_REQUESTS = [
    ('{ customer(id: "abc") { id } }', "BAD_USER_INPUT at customer: Invalid id"),
    ("{ customer(id: 1) { nope } }", "GRAPHQL_VALIDATION_FAILED at -: Cannot query field"),
    ("{ customer(id: ", "GRAPHQL_PARSE_FAILED at -: Syntax Error"),
]


@pytest.mark.parametrize(("query", "line"), BAD_REQUESTS)
async def test_client_errors_are_one_line_without_traceback(
    graphql: GraphQL, caplog: pytest.LogCaptureFixture, query: str, line: str
) -> None:
    caplog.set_level(logging.DEBUG)
    body = await graphql("customers", query)
    assert body["errors"]
    records = [r for r in caplog.records if r.name.startswith(("strawberry", "subgraphs"))]
    records = [r for r in records if r.name != "subgraphs.access"]  # the request's own line
    assert [r.levelno for r in records] == [logging.INFO]
    assert records[0].getMessage().startswith(line)
    assert "\n" not in records[0].getMessage()
    assert all(r.exc_info is None for r in caplog.records)


@strawberry.type
class Query:
    @strawberry.field
    def broken(self) -> int:
        raise ZeroDivisionError("a bug")


async def test_an_unexpected_exception_keeps_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    result = await build_schema(query=Query).execute("{ broken }")
    assert result.errors is not None
    assert result.errors[0].extensions == {"code": "INTERNAL_SERVER_ERROR"}
    assert result.errors[0].message == "Internal server error"
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(logged) == 1
    assert logged[0].exc_info is not None
    assert isinstance(logged[0].exc_info[1], ZeroDivisionError)
