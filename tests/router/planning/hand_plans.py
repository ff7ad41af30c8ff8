"""Query plans built by hand, to show what the coverage checks flag: plan selections from
GraphQL text, fetches, and the merged-inputs plans of the fleet (right and wrong order)."""

from __future__ import annotations

from graphql import FieldNode, InlineFragmentNode, OperationDefinitionNode, parse, print_ast

from router.plan import (
    Fetch,
    Flatten,
    FlattenBranch,
    Parallel,
    PlanField,
    PlanFragment,
    PlanNode,
    PlanSelection,
    Sequence,
    make_fetch,
)

__all__ = [
    "QUERY_WITH_MERGED_INPUTS",
    "entity_fetch",
    "merged_inputs_plan",
    "plan_selections",
    "root_fetch",
]


def plan_selections(text: str) -> tuple[PlanSelection, ...]:
    """``"topProducts { upc }"`` as plan selections."""
    definition = parse("{" + text + "}").definitions[0]
    assert isinstance(definition, OperationDefinitionNode)

    def convert(nodes: tuple[object, ...]) -> tuple[PlanSelection, ...]:
        out: list[PlanSelection] = []
        for node in nodes:
            if isinstance(node, InlineFragmentNode):
                assert node.type_condition is not None
                inner = convert(node.selection_set.selections)
                out.append(PlanFragment(node.type_condition.name.value, inner))
                continue
            assert isinstance(node, FieldNode)
            arguments = ", ".join(print_ast(a) for a in node.arguments or ())
            sub = convert(node.selection_set.selections) if node.selection_set else ()
            alias = node.alias.value if node.alias else None
            out.append(
                PlanField(alias, node.name.value, f"({arguments})" if arguments else "", sub)
            )
        return tuple(out)

    return convert(definition.selection_set.selections)


def root_fetch(service: str, text: str) -> Fetch:
    return make_fetch(service, plan_selections(text))


def entity_fetch(path: str, service: str, requires: str, text: str) -> Flatten:
    fetch = make_fetch(service, plan_selections(text), requires=plan_selections(requires))
    return Flatten(tuple(path.split(".")), fetch)


# Before 7b09b37 the planner put the two merged fetches of this query in one Parallel: the
# inventory fetch reads price and weight, which the products fetch beside it brings, so it
# sent no representations and shippingEstimate came back null, without an error.
QUERY_WITH_MERGED_INPUTS = (
    "{ topProducts { reviews { product { shippingEstimate } } }"
    " me { reviews { product { shippingEstimate } } } }"
)
_PRODUCT_PATHS = (
    ("topProducts", "@", "reviews", "@", "product"),
    ("me", "reviews", "@", "product"),
)


def _reviews(service: str, path: str, key: str, entity: str) -> Sequence:
    root_field = path.split(".")[0]
    return Sequence(
        (
            root_fetch(service, f"{root_field} {{ __typename {key} }}"),
            entity_fetch(
                path,
                "reviews",
                f"... on {entity} {{ __typename {key} }}",
                f"... on {entity} {{ reviews {{ product {{ __typename upc }} }} }}",
            ),
        )
    )


def _merged(service: str, requires: str, text: str) -> Flatten:
    fetch = make_fetch(service, plan_selections(text), requires=plan_selections(requires))
    branches = tuple(FlattenBranch(path, None) for path in _PRODUCT_PATHS)
    return Flatten(_PRODUCT_PATHS[0], fetch, branches)


def merged_inputs_plan(inputs_first: bool) -> PlanNode:
    """A plan of ``QUERY_WITH_MERGED_INPUTS``: right (the merged inventory fetch after the
    merged products fetch) or as the planner built it before 7b09b37 (the two in parallel)."""
    prices = _merged(
        "products", "... on Product { __typename upc }", "... on Product { price weight }"
    )
    estimates = _merged(
        "inventory",
        "... on Product { __typename upc price weight }",
        "... on Product { shippingEstimate }",
    )
    reviews = Parallel(
        (
            _reviews("products", "topProducts.@", "upc", "Product"),
            _reviews("accounts", "me", "id", "User"),
        )
    )
    last: PlanNode = (
        Sequence((prices, estimates)) if inputs_first else Parallel((prices, estimates))
    )
    return Sequence((reviews, last))
