"""Loading a join-spec supergraph into routing data."""

from __future__ import annotations

from pathlib import Path

import pytest

from router.supergraph import Supergraph, SupergraphError
from tests.router.planning.support import FLEET, SHOP


def test_subgraphs_and_urls() -> None:
    supergraph = Supergraph.from_sdl(FLEET)
    assert {n: s.url for n, s in supergraph.subgraphs.items()} == {
        "accounts": "http://127.0.0.1:4001/graphql",
        "inventory": "http://127.0.0.1:4003/graphql",
        "products": "http://127.0.0.1:4002/graphql",
        "reviews": "http://127.0.0.1:4004/graphql",
    }


def test_field_joins_requires_provides_external() -> None:
    supergraph = Supergraph.from_sdl(FLEET)
    assert supergraph.resolving_graphs("Product", "price") == ("products",)
    estimate = supergraph.field_join("Product", "shippingEstimate", "inventory")
    assert estimate is not None and estimate.requires == "price weight"
    author = supergraph.field_join("Review", "author", "reviews")
    assert author is not None and author.provides == "username"
    username = supergraph.field_join("User", "username", "reviews")
    assert username is not None and username.external and not username.resolves
    # a field without @join__field lives in every subgraph of its type
    assert supergraph.resolving_graphs("Product", "upc") == ("inventory", "products", "reviews")


def test_keys_per_subgraph() -> None:
    supergraph = Supergraph.from_sdl(SHOP)
    assert [k.fields for k in supergraph.keys_in("Author", "catalog")] == ["id", "handle"]
    assert [k.fields for k in supergraph.keys_in("Author", "reviews")] == ["handle"]


def test_override_moves_the_field() -> None:
    supergraph = Supergraph.from_sdl(SHOP)
    assert supergraph.resolving_graphs("Book", "stock") == ("inventory",)


def test_abstract_types_per_subgraph() -> None:
    supergraph = Supergraph.from_sdl(SHOP)
    assert supergraph.runtime_types("Media", "catalog") == ("Book", "Movie")
    assert supergraph.runtime_types("SearchResult", "catalog") == ("Author", "Book", "Movie")
    assert supergraph.runtime_types("Book", "reviews") == ("Book",)
    assert supergraph.is_abstract("Media") and not supergraph.is_abstract("Book")


def test_not_a_supergraph() -> None:
    with pytest.raises(SupergraphError):
        Supergraph.from_sdl("type Query { a: Int }")


def test_interface_object_fields_resolve_through_the_interface() -> None:
    """``reviews`` knows ``Media`` as an @interfaceObject: ``Book.reviews`` (a bare
    ``@join__field``) is not catalog's, it resolves in reviews via ``Media``, keyed by
    ``Media``'s key there."""
    path = Path(__file__).parent / "composition/fixtures/valid/interfaces/supergraph.graphql"
    supergraph = Supergraph.from_sdl(path.read_text(encoding="utf-8"))
    (join,) = supergraph.field_joins("Book", "reviews")
    assert (join.graph, join.via_interface) == ("reviews", "Media")
    assert supergraph.field_join("Book", "title", "reviews") is None  # not on the object
    assert supergraph.resolving_graphs("Book", "id") == ("catalog", "reviews")
    assert [k.fields for k in supergraph.keys_in("Book", "reviews")] == ["id"]
    assert supergraph.is_interface_object("Media", "reviews")
    assert not supergraph.is_interface_object("Media", "catalog")
    assert supergraph.interface_owners("Media") == ("catalog",)
    assert supergraph.runtime_types("Media", "reviews") == ("Media",)
    assert supergraph.runtime_types("Media", "catalog") == ("Book", "Movie")
