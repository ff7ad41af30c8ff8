"""The comparison: data exactly (key order too), errors by path only."""

from __future__ import annotations

from tests.differential.compare import differences, error_paths


def test_same_bodies_agree() -> None:
    body = {"data": {"a": [{"b": 1}]}, "errors": [{"message": "x", "path": ["a", 0, "c"]}]}
    assert (
        differences(body, {**body, "errors": [{"message": "other", "path": ["a", 0, "c"]}]}) == []
    )


def test_key_order_differs() -> None:
    assert differences({"data": {"a": 1, "b": 2}}, {"data": {"b": 2, "a": 1}}) == [
        "data: keys ['a', 'b'] (ours) vs ['b', 'a'] (theirs)"
    ]


def test_value_in_a_list_differs() -> None:
    found = differences({"data": {"a": [1, 2]}}, {"data": {"a": [1, 3]}})
    assert found == ["data.a.1: 2 (ours) vs 3 (theirs)"]


def test_a_number_is_not_a_boolean() -> None:
    assert differences({"data": {"a": 1}}, {"data": {"a": True}})


def test_errors_compare_by_path() -> None:
    ours = {"data": None, "errors": [{"message": "m", "path": ["a", 2]}]}
    theirs = {"data": None, "errors": [{"message": "m", "path": ["a", 0]}, {"message": "n"}]}
    assert error_paths(theirs) == {"a.0", None}
    assert differences(ours, theirs) == [
        "errors: only ours at ['a.2'], only theirs at ['None', 'a.0']"
    ]


def test_missing_data_differs_from_null_data() -> None:
    assert differences({"errors": [{"message": "m"}]}, {"data": None, "errors": [{"message": "m"}]})
