from __future__ import annotations

from router.composition.errors import error
from router.composition.satisfiability.mutations import MutationErrors

PROBLEM = error("SATISFIABILITY_ERROR", "The following supergraph API query:\nmutation {\n}\n\nend")


def test_no_error_while_one_subgraph_serves_the_field_alone() -> None:
    errors = MutationErrors()
    errors.split("Mutation.save", ["a", "b"])
    errors.add("Mutation.save", "a", PROBLEM)
    assert errors.errors() == []


def test_every_subgraph_failing_gives_one_error_quoting_each_indented() -> None:
    errors = MutationErrors()
    errors.split("Mutation.save", ["a", "b"])
    errors.add("Mutation.save", "a", PROBLEM)
    errors.add("Mutation.save", "b", PROBLEM)
    errors.add("Mutation.save", "b", PROBLEM)
    (found,) = errors.errors()
    assert found.code == "SATISFIABILITY_ERROR"
    assert found.subgraphs == ("a", "b") and found.coordinates == ("Mutation.save",)
    quoted = "  The following supergraph API query:\n  mutation {\n  }\n\n  end"
    assert found.message.endswith(
        f'from subgraph "a":\n{quoted}\n- When calling "Mutation.save" at top-level'
        f' from subgraph "b":\n{quoted}'
    )
