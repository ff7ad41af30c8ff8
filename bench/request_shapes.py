"""The requests the load generator sends, as entries of its requests file (``loadgen.mjs``).

A plain GraphQL body is sent as a JSON POST. :func:`http_request` wraps one for another
method, URL parameters or extra headers: ``{"http": {"method", "search", "headers",
"body"}}``. The shapes here: the same query as a full POST, or as an automatic persisted
query (Apollo's protocol) sent by GET with only its SHA-256 in the URL, each optionally
with a bearer credential.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

import orjson

from bench.load import RequestBody
from router.persisted_queries import sha256_hex

__all__ = [
    "PREFLIGHT_HEADERS",
    "apq_extensions",
    "apq_get_requests",
    "apq_registration",
    "bearer_headers",
    "http_request",
    "post_requests",
]

# a GET is a "simple" request: the router's CSRF prevention wants one of these headers
PREFLIGHT_HEADERS = {"apollo-require-preflight": "true"}


def http_request(
    body: Mapping[str, Any] | None = None,
    *,
    method: str = "POST",
    params: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> RequestBody:
    """One request with its method, URL parameters (``?...``) and extra headers."""
    http: dict[str, Any] = {"method": method, "headers": dict(headers or {})}
    if params:
        http["search"] = "?" + urlencode(params)
    if body is not None:
        http["body"] = dict(body)
    return {"http": http}


def bearer_headers(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def apq_extensions(query: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": sha256_hex(query)}}


def post_requests(
    query: str, variables: Sequence[Mapping[str, Any]], headers: Mapping[str, str] | None = None
) -> list[RequestBody]:
    """The full query text by POST, once per set of variables."""
    bodies = [{"query": query, "variables": dict(values)} for values in variables]
    if not headers:
        return list(bodies)
    return [http_request(body, headers=headers) for body in bodies]


def apq_get_requests(
    query: str, variables: Sequence[Mapping[str, Any]], headers: Mapping[str, str] | None = None
) -> list[RequestBody]:
    """Only the query's hash, by GET (the router must hold the text: :func:`apq_registration`)."""
    extensions = orjson.dumps(apq_extensions(query)).decode()
    return [
        http_request(
            method="GET",
            params={"variables": orjson.dumps(dict(values)).decode(), "extensions": extensions},
            headers={**PREFLIGHT_HEADERS, **(headers or {})},
        )
        for values in variables
    ]


def apq_registration(query: str, variables: Mapping[str, Any]) -> dict[str, Any]:
    """The POST body that makes a router store ``query`` under its hash (hash and text)."""
    return {"query": query, "variables": dict(variables), "extensions": apq_extensions(query)}
