from __future__ import annotations

from graphql import GraphQLEnumType, GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLString

from router.composition.merge.model import (
    MergedArgument,
    MergedEnumValue,
    MergedField,
    MergedType,
    Supergraph,
    applied,
)
from router.composition.satisfiability.witness import Cast, FieldStep, field_step, witness

ORDER = GraphQLEnumType("Order", {"HIDDEN": 0, "NEWEST": 1})


def _supergraph(*types: MergedType) -> Supergraph:
    return Supergraph([], [], [], {}, {t.name: t for t in types}, {"query": "Query"})


def test_a_query_prints_as_a_bare_selection_set() -> None:
    assert witness("query", [FieldStep("a"), FieldStep("b")]) == "{\n  a {\n    b\n  }\n}\n"


def test_a_mutation_is_named_and_a_composite_end_is_left_open() -> None:
    assert witness("mutation", [FieldStep("save")], leaf=False) == (
        "mutation {\n  save {\n    ...\n  }\n}\n"
    )


def test_downcasts_print_as_inline_fragments() -> None:
    assert witness("query", [FieldStep("item"), Cast("Book"), FieldStep("pages")]) == (
        "{\n  item {\n    ... on Book {\n      pages\n    }\n  }\n}\n"
    )


def test_arguments_past_eighty_characters_go_one_per_line() -> None:
    step = FieldStep("field", ("first: " + "x" * 40, "second: " + "y" * 30))
    assert witness("query", [step]) == (
        "{\n  field(\n    first: " + "x" * 40 + "\n    second: " + "y" * 30 + "\n  )\n}\n"
    )


def test_arguments_get_a_value_of_their_type_and_hidden_ones_are_left_out() -> None:
    order = MergedType(
        "enum",
        "Order",
        values={
            "HIDDEN": MergedEnumValue("HIDDEN", directives=[applied("inaccessible")]),
            "NEWEST": MergedEnumValue("NEWEST"),
        },
    )
    field = MergedField(
        "search",
        GraphQLString,
        {
            "order": MergedArgument("order", GraphQLNonNull(ORDER)),
            "limit": MergedArgument("limit", GraphQLInt),
            "tags": MergedArgument("tags", GraphQLList(GraphQLString)),
            "secret": MergedArgument("secret", GraphQLInt, directives=[applied("inaccessible")]),
        },
    )
    assert field_step(field, _supergraph(order)) == FieldStep(
        "search", ("order: NEWEST", "limit: 0", "tags: []")
    )
