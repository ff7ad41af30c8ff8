"""The allowlist's predicates and the equivalent rewrites used to blame Apollo."""

from __future__ import annotations

from graphql import parse, validate

from router.supergraph import Supergraph
from tests.differential.generate import GeneratedQuery
from tests.differential.graphs import FLEET
from tests.differential.known import (
    renamed_aliases,
    restore_aliases,
    same_but_for_indexes,
    same_but_for_key_order,
    without_excluded,
)

FLEET_SCHEMA = Supergraph.from_sdl(FLEET.supergraph_sdl).api_schema


def _query(text: str, **variables: object) -> GeneratedQuery:
    return GeneratedQuery(0, text, dict(variables), None)


def test_renamed_aliases_round_trip() -> None:
    renamed = renamed_aliases(_query("{ topProducts { upc: name inStock } }"))
    assert "upc_zz9: name" in renamed.text
    assert not validate(FLEET_SCHEMA, parse(renamed.text))
    answer = {
        "data": {"topProducts": [{"upc_zz9": "Table", "inStock": True}]},
        "errors": [{"message": "m", "path": ["topProducts", 0, "upc_zz9"]}],
    }
    assert restore_aliases(answer) == {
        "data": {"topProducts": [{"upc": "Table", "inStock": True}]},
        "errors": [{"message": "m", "path": ["topProducts", 0, "upc"]}],
    }


def test_without_excluded_drops_what_only_excluded_selections_used() -> None:
    query = _query(
        "query Q($a: Boolean!, $b: Boolean!) { topProducts { inStock "
        "shippingEstimate @include(if: $a) ...F @skip(if: true) name @skip(if: $b) } }\n"
        "fragment F on Product { upc }",
        a=False,
        b=False,
    )
    stripped = without_excluded(query)
    assert stripped is not None
    assert not validate(FLEET_SCHEMA, parse(stripped.text))
    assert "shippingEstimate" not in stripped.text and "fragment F" not in stripped.text
    assert stripped.variables == {"b": False}
    assert without_excluded(_query("{ me { id } }")) is None
    emptied = without_excluded(
        _query(
            "{ me { id ...F ... { name @skip(if: true) } } }\n"
            "fragment F on User { ... { name @include(if: false) } }"
        )
    )
    assert emptied is not None and not validate(FLEET_SCHEMA, parse(emptied.text))
    assert "F" not in emptied.text and "name" not in emptied.text
    assert without_excluded(_query("{ me { id @skip(if: true) } }")) is None


def test_same_but_for() -> None:
    ours = {"data": {"a": 1, "b": 2}}
    assert same_but_for_key_order(ours, {"data": {"b": 2, "a": 1}})
    assert not same_but_for_key_order(ours, {"data": {"b": 2, "a": 3}})
    error = {"data": None, "errors": [{"message": "m", "path": ["s", 2, "r"]}]}
    assert same_but_for_indexes(
        error, {"data": None, "errors": [{"message": "x", "path": ["s", 0, "r"]}]}
    )
    assert not same_but_for_indexes(
        error, {"data": None, "errors": [{"message": "x", "path": ["s", "r"]}]}
    )
