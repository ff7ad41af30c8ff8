"""graphql-js 16 wording and introspection, as Apollo Gateway answers."""

from __future__ import annotations

import pytest

from router.graphql_js import js_inspect, js_introspection, js_quotes


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        (None, "null"),
        (True, "true"),
        ("two", '"two"'),
        (1.5, "1.5"),
        (2.0, "2"),
        ([1, "a"], '[1, "a"]'),
        ({"n": 1}, "{ n: 1 }"),
        ({}, "{}"),
        ({"a": {"b": {"c": 1}}}, "{ a: { b: [Object] } }"),
    ],
)
def test_js_inspect(value: object, printed: str) -> None:
    assert js_inspect(value) == printed


def test_js_quotes_and_rewordings() -> None:
    assert js_quotes("Cannot query field 'x' on type 'Query'.") == (
        'Cannot query field "x" on type "Query".'
    )
    assert js_quotes("Directive '@skip' may not be used on query.") == (
        'Directive "@skip" may not be used on QUERY.'
    )


def test_js_introspection() -> None:
    boolean = {"kind": "SCALAR", "name": "Boolean", "ofType": None}
    required = {"kind": "NON_NULL", "name": None, "ofType": boolean}
    argument = {"name": "includeDeprecated", "type": required, "defaultValue": "false"}
    result = {
        "fields": [
            {"name": "fields", "args": [argument]},
            {"name": "directives", "args": [argument]},
        ],
        "locations": [
            {"name": "VARIABLE_DEFINITION"},
            {"name": "FRAGMENT_VARIABLE_DEFINITION"},
        ],
    }
    assert js_introspection(result) == {
        "fields": [
            {"name": "fields", "args": [{**argument, "type": boolean}]},
            {"name": "directives", "args": [argument]},
        ],
        "locations": [{"name": "VARIABLE_DEFINITION"}],
    }
