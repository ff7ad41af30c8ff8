"""Parity with Apollo's composition: recorded supergraphs and error codes (see record.py)."""

from __future__ import annotations

import pytest
from graphql import GraphQLSchema, build_schema, lexicographic_sort_schema, print_schema

from router.composition.api_schema import api_schema_from_supergraph
from router.composition.compose import compose

from .cases import (
    FLEET,
    case_names,
    case_subgraphs,
    expected_api_schema,
    expected_codes,
    expected_messages,
    expected_supergraph,
    fleet_subgraphs,
)


def test_fleet_supergraph_is_byte_identical_to_apollos() -> None:
    result = compose(fleet_subgraphs())
    assert result.errors == ()
    assert result.supergraph_sdl == (FLEET / "supergraph.graphql").read_text()


@pytest.mark.parametrize("name", case_names("valid"))
def test_valid_case_matches_apollo(name: str) -> None:
    result = compose(case_subgraphs("valid", name))
    assert [str(e) for e in result.errors] == []
    assert result.supergraph_sdl == expected_supergraph(name)


def _sorted(schema: GraphQLSchema) -> str:
    return print_schema(lexicographic_sort_schema(schema))


@pytest.mark.parametrize("name", case_names("valid"))
def test_valid_case_api_schema_matches_apollos(name: str) -> None:
    result = compose(case_subgraphs("valid", name))
    assert result.supergraph_sdl is not None
    ours = api_schema_from_supergraph(result.supergraph_sdl)
    assert _sorted(ours) == _sorted(build_schema(expected_api_schema(name)))


@pytest.mark.parametrize("name", case_names("invalid"))
def test_invalid_case_reports_apollos_codes(name: str) -> None:
    result = compose(case_subgraphs("invalid", name))
    assert result.supergraph_sdl is None
    assert sorted({e.code for e in result.errors}) == expected_codes(name), [
        str(e) for e in result.errors
    ]


@pytest.mark.parametrize("name", case_names("invalid"))
def test_invalid_case_errors_say_where(name: str) -> None:
    for problem in compose(case_subgraphs("invalid", name)).errors:
        if problem.code != "NO_QUERIES":
            assert problem.subgraphs, problem
            assert problem.message


# Wording we do not copy: graphql-core's own SDL validation messages.
OWN_WORDING = {"invalid_graphql"}


@pytest.mark.parametrize("name", sorted(set(case_names("invalid")) - OWN_WORDING))
def test_invalid_case_messages_are_apollos(name: str) -> None:
    ours = [str(e) for e in compose(case_subgraphs("invalid", name)).errors]
    assert sorted(ours) == sorted(expected_messages(name))


def test_invalid_table_is_large_enough() -> None:
    assert len(case_names("invalid")) >= 25
