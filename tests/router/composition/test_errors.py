from __future__ import annotations

from router.composition.errors import error


def test_error_keeps_first_seen_order_and_converts_to_a_graphql_error() -> None:
    problem = error("INVALID_FIELD_SHARING", "shared", ["b", "a", "b"], ["T.f", "T.f"])
    assert (problem.subgraphs, problem.coordinates) == (("b", "a"), ("T.f",))
    assert str(problem) == "INVALID_FIELD_SHARING: shared"
    assert problem.to_graphql_error().formatted == {
        "message": "shared",
        "extensions": {
            "code": "INVALID_FIELD_SHARING",
            "subgraphs": ["b", "a"],
            "coordinates": ["T.f"],
        },
    }
