from __future__ import annotations

from router.composition.fieldset import parse_field_set
from router.composition.satisfiability.provides import (
    Provided,
    covers,
    merge_provided,
    parse_provided,
)


def test_fields_nested_fields_and_downcasts_are_provided() -> None:
    provided = parse_provided("url owner { name } ... on Photo { size } ... { id }")
    assert provided is not None
    assert provided.has("url") and provided.has("owner") and provided.has("id")
    assert not provided.has("name")
    assert provided.below("url") is None
    assert provided.below("owner") == Provided(fields=(("name", None),))
    assert provided.cast("Photo") == Provided(fields=(("size", None),))
    assert provided.cast("Video") is None


def test_a_field_set_that_does_not_parse_provides_nothing() -> None:
    assert parse_provided("owner {") is None


def test_merging_keeps_both_provisions_field_by_field() -> None:
    first = parse_provided("owner { name }")
    second = parse_provided("owner { id } url")
    merged = merge_provided(first, second)
    assert merged == Provided(
        fields=(("owner", Provided(fields=(("name", None), ("id", None)))), ("url", None))
    )
    assert merge_provided(None, second) == second


def test_a_requires_selection_is_covered_only_when_all_of_it_is_provided() -> None:
    provided = parse_provided("name owner { id } ... on Photo { url }")
    assert provided is not None
    assert covers(provided, parse_field_set("name __typename owner { id }"))
    assert covers(provided, parse_field_set("... on Photo { url }"))
    assert not covers(provided, parse_field_set("name owner { id email }"))
    assert not covers(provided, parse_field_set("... on Video { url }"))
    assert not covers(provided, parse_field_set("name url"))
