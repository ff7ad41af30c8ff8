from __future__ import annotations

import pytest
from graphql import build_schema

from router.composition.fieldset import FieldSetError, resolve_field_set

SCHEMA = build_schema("""
    type Query { a: A }
    type A { id: ID! b: B tags: [String] }
    interface B { x: Int }
    type C implements B { x: Int y: Int }
""")


A = SCHEMA.type_map["A"]


def test_resolves_nested_fields_and_inline_fragments() -> None:
    selected = resolve_field_set(SCHEMA, A, "id b { ... on C { y } x } tags")
    assert [s.coordinate for s in selected] == ["A.id", "A.b", "C.y", "B.x", "A.tags"]
    assert selected[2].ancestors == ("A.b",)
    assert selected[1].has_selection and not selected[4].has_selection


@pytest.mark.parametrize("fields", ["nope", "id {", "...F", "b { ... on Missing { x } }"])
def test_invalid_field_sets(fields: str) -> None:
    with pytest.raises(FieldSetError):
        resolve_field_set(SCHEMA, A, fields)
