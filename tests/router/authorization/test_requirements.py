"""router.authorization.requirements over schema.graphql: the access model as composed."""

from __future__ import annotations

from pathlib import Path

from graphql import GraphQLObjectType

from router.authorization.requirements import AccessRequirements, Grant, Requirement
from router.supergraph import Supergraph

SUPERGRAPH = Supergraph.from_sdl(
    (Path(__file__).resolve().parents[3] / "schema.graphql").read_text(encoding="utf-8")
)
REQUIREMENTS = AccessRequirements.from_supergraph(SUPERGRAPH.schema, SUPERGRAPH.possible_types)
# the catalogue: the only root fields an anonymous caller may use
PUBLIC_ROOT_FIELDS = {"Query.product", "Query.productBySku", "Query.products"}


def _scopes(*alternatives: str) -> tuple[frozenset[str], ...]:
    return tuple(frozenset(a.split("+")) for a in alternatives)


def _effective(type_name: str, field_name: str) -> list[Requirement]:
    field = SUPERGRAPH.api_schema.get_type(type_name).fields[field_name]  # type: ignore[union-attr]
    returned = getattr(field.type, "of_type", field.type)
    while hasattr(returned, "of_type"):
        returned = returned.of_type
    return [REQUIREMENTS.of_field(type_name, field_name), REQUIREMENTS.of_type(returned.name)]


def test_every_root_field_but_the_catalogue_has_a_requirement() -> None:
    """Secure by default: a new Query or Mutation field must say who may use it."""
    open_fields = set()
    for root in ("Query", "Mutation"):
        named = SUPERGRAPH.api_schema.get_type(root)
        assert isinstance(named, GraphQLObjectType)
        for name in named.fields:
            if all(r == Requirement() for r in _effective(root, name)):
                open_fields.add(f"{root}.{name}")
    assert open_fields == PUBLIC_ROOT_FIELDS


def test_the_access_model_as_composed() -> None:
    customer_owned = _scopes("staff", "customers:read", "customer")
    assert REQUIREMENTS.of_type("Customer").scopes == customer_owned
    assert REQUIREMENTS.of_type("Order").scopes == _scopes("staff", "orders:read", "customer")
    assert REQUIREMENTS.of_field("Query", "customers") == Requirement(
        scopes=_scopes("staff", "customers:read"), policies=_scopes("customer_bulk_read")
    )
    assert REQUIREMENTS.of_field("Query", "coupon") == Requirement(authenticated=True)
    assert REQUIREMENTS.of_field("Mutation", "updateOrderStatus").scopes == _scopes(
        "staff", "orders:write"
    )
    assert REQUIREMENTS.of_type("Product") == Requirement()
    assert REQUIREMENTS.of_field("Product", "inStock") == Requirement()


def test_a_requirement_is_or_of_ands() -> None:
    requirement = Requirement(scopes=_scopes("staff", "a+b"))
    assert requirement.allows(Grant(False, frozenset({"staff"})))
    assert requirement.allows(Grant(False, frozenset({"a", "b", "c"})))
    assert not requirement.allows(Grant(False, frozenset({"a"})))
    assert not Requirement(authenticated=True).allows(Grant(False, frozenset({"staff"})))
    assert Requirement(policies=_scopes("p")).allows(Grant(True, policies=frozenset({"p"})))
