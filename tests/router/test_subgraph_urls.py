"""``python -m router serve``: subgraph URLs from --subgraph-url, else SUBGRAPH_URL_<NAME>,
else the supergraph's routing URLs; CORS origins from --cors-origin or ROUTER_CORS_ORIGINS."""

from __future__ import annotations

import pytest

from router.__main__ import environment_variable, subgraph_urls

NAMES = ["customers", "products", "my-reviews"]


def test_environment_then_flags() -> None:
    environ = {
        "SUBGRAPH_URL_CUSTOMERS": "http://customers:4001/graphql",
        "SUBGRAPH_URL_MY_REVIEWS": "http://reviews/graphql",
        "SUBGRAPH_URL_ELSEWHERE": "http://ignored/graphql",  # not in this supergraph
        "SUBGRAPH_URL_PRODUCTS": "",  # empty: not set
    }
    urls = subgraph_urls(NAMES, ["customers=http://override/graphql"], environ)
    assert urls == {"customers": "http://override/graphql", "my-reviews": "http://reviews/graphql"}
    assert environment_variable("my-reviews") == "SUBGRAPH_URL_MY_REVIEWS"


def test_a_flag_naming_no_subgraph_is_an_error() -> None:
    with pytest.raises(ValueError, match="custmers, not in the supergraph"):
        subgraph_urls(NAMES, ["custmers=http://x/graphql"], {})
