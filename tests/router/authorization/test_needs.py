"""router.authorization.needs: what a document's authorization depends on."""

from __future__ import annotations

from graphql import parse

from router.authorization.needs import NO_NEEDS, document_needs
from tests.router.authorization.test_filter import REQUIREMENTS, SCHEMA


def test_a_public_document_needs_nothing() -> None:
    assert document_needs(parse("{ public }"), SCHEMA, REQUIREMENTS) is NO_NEEDS


def test_fields_their_types_fragments_and_implementations_count() -> None:
    needs = document_needs(parse("{ users { orders { id } } }"), SCHEMA, REQUIREMENTS)
    assert needs.scopes == {"staff", "users:read", "bulk", "orders"} and not needs.authenticated
    fragment = "{ posts { ...P } } fragment P on PrivatePost { id }"
    assert document_needs(parse(fragment), SCHEMA, REQUIREMENTS).authenticated
    # a field on the interface involves every implementation's requirement
    assert document_needs(parse("{ posts { id } }"), SCHEMA, REQUIREMENTS).authenticated
    assert document_needs(parse("{ report }"), SCHEMA, REQUIREMENTS).policies == {"reports"}
