"""Operations: validation with graphql-js wording, operation choice, variables, normalisation."""

from __future__ import annotations

import functools

import pytest
from graphql import DocumentNode, GraphQLSchema, OperationDefinitionNode

from router.operation import (
    Field,
    Fragment,
    coerce_variables,
    condition_key,
    condition_variables,
    normalize,
    parse_and_validate,
    select_operation,
)
from router.request import RequestError, RequestErrorKind
from router.supergraph import Supergraph
from tests.router.planning.support import FLEET, SHOP


@functools.cache
def schema(sdl: str = FLEET) -> GraphQLSchema:
    return Supergraph.from_sdl(sdl).api_schema


def document(query: str, sdl: str = FLEET) -> DocumentNode:
    parsed = parse_and_validate(schema(sdl), query)
    assert isinstance(parsed, DocumentNode), parsed
    return parsed


def operation(parsed: DocumentNode, name: str | None = None) -> OperationDefinitionNode:
    selected = select_operation(schema(), parsed, name)
    assert isinstance(selected, OperationDefinitionNode)
    return selected


@pytest.mark.parametrize(
    ("query", "kind", "message"),
    [
        ("{ me { id }", RequestErrorKind.PARSE, "Syntax Error: Expected Name, found <EOF>."),
        ("{ }", RequestErrorKind.PARSE, 'Syntax Error: Expected Name, found "}".'),
        ("{ nope }", RequestErrorKind.VALIDATION, 'Cannot query field "nope" on type "Query".'),
        (
            "{ me { id @skip } }",
            RequestErrorKind.VALIDATION,
            'Directive "@skip" argument "if" of type "Boolean!" is required, '
            "but it was not provided.",
        ),
        (
            "{ _entities(representations: []) { __typename } }",
            RequestErrorKind.VALIDATION,
            'Cannot query field "_entities" on type "Query".',
        ),
    ],
)
def test_invalid_documents(query: str, kind: RequestErrorKind, message: str) -> None:
    error = parse_and_validate(schema(), query)
    assert isinstance(error, RequestError)
    assert error.kind is kind
    assert error.errors[0]["message"] == message
    assert error.errors[0]["extensions"] == {"code": kind.value}


def test_validation_errors_come_in_graphql_js_order() -> None:
    error = parse_and_validate(schema(), "query ($x: Nope) { me { id } }")
    assert isinstance(error, RequestError)
    assert [e["message"] for e in error.errors] == [
        'Unknown type "Nope".',
        'Variable "$x" is never used.',
    ]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (None, "Must provide operation name if query contains multiple operations."),
        ("C", 'Unknown operation named "C".'),
    ],
)
def test_operation_not_found(name: str | None, message: str) -> None:
    parsed = document("query A { me { id } } query B { me { name } }")
    error = select_operation(schema(), parsed, name)
    assert isinstance(error, RequestError)
    assert error.kind is RequestErrorKind.OPERATION_NOT_FOUND
    assert error.errors[0]["message"] == message


def test_mutation_without_mutation_type() -> None:
    parsed = parse_and_validate(schema(), "mutation { me { id } }")
    assert isinstance(parsed, DocumentNode)  # graphql-js 16 does not validate root kinds
    error = select_operation(schema(), parsed, None)
    assert isinstance(error, RequestError)
    assert error.errors[0]["message"] == 'The schema has no "mutation" root type defined'


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({}, 'Variable "$n" of required type "Int!" was not provided.'),
        ({"n": None}, 'Variable "$n" of non-null type "Int!" must not be null.'),
        (
            {"n": "two"},
            'Variable "$n" got invalid value "two"; Int cannot represent non-integer value: "two"',
        ),
        (
            {"n": {"a": 1}},
            'Variable "$n" got invalid value { a: 1 }; '
            "Int cannot represent non-integer value: { a: 1 }",
        ),
    ],
)
def test_bad_variables(variables: dict[str, object], message: str) -> None:
    parsed = document("query($n: Int!) { topProducts(first: $n) { upc } }")
    error = coerce_variables(schema(), operation(parsed), variables)
    assert isinstance(error, RequestError)
    assert error.kind is RequestErrorKind.BAD_VARIABLES
    assert error.errors[0]["message"] == message


def test_defaults_are_applied() -> None:
    parsed = document("query($n: Int = 2) { topProducts(first: $n) { upc } }")
    assert coerce_variables(schema(), operation(parsed), {}) == {"n": 2}


def test_normalize_inlines_fragments_and_applies_conditions() -> None:
    query = (
        "query($s: Boolean!) { me { ...U name @skip(if: $s) ... on User { id } "
        "... @include(if: $s) { birthDate } } } fragment U on User { u: username }"
    )
    parsed = document(query)
    normalized = normalize(schema(), parsed, operation(parsed), {"s": False})
    [me] = normalized.selections
    assert isinstance(me, Field)
    assert [(f.response_key, f.name) for f in me.selections if isinstance(f, Field)] == [
        ("u", "username"),
        ("name", "name"),
        ("id", "id"),
    ]
    assert condition_variables(parsed) == ("s",)
    assert condition_key(("s",), {"s": True}) == (True,)


def test_narrowing_fragments_are_kept_and_fields_merged() -> None:
    query = "{ media { id ... on Book { pages } id } }"
    parsed = parse_and_validate(schema(SHOP), query)
    assert isinstance(parsed, DocumentNode)
    selected = select_operation(schema(SHOP), parsed, None)
    assert isinstance(selected, OperationDefinitionNode)
    [media] = normalize(schema(SHOP), parsed, selected, {}).selections
    assert isinstance(media, Field)
    assert media.path_suffix == ("media", "@")
    first, fragment = media.selections
    assert isinstance(first, Field) and first.name == "id"
    assert isinstance(fragment, Fragment) and fragment.type_condition == "Book"
