from __future__ import annotations

from urllib.parse import parse_qsl

import orjson

from bench.request_shapes import (
    PREFLIGHT_HEADERS,
    apq_get_requests,
    apq_registration,
    bearer_headers,
    post_requests,
)
from router.http_protocol import request_from_body, request_from_query_params
from router.persisted_queries import persisted_query_hash, sha256_hex

QUERY = "query Q($id: ID!) { customer(id: $id) { id } }"


def test_posts_without_headers_stay_plain_bodies() -> None:
    bodies = post_requests(QUERY, [{"id": "1"}, {"id": "2"}])
    assert bodies == [
        {"query": QUERY, "variables": {"id": "1"}},
        {"query": QUERY, "variables": {"id": "2"}},
    ]


def test_posts_with_a_credential_carry_it_in_their_headers() -> None:
    (request,) = post_requests(QUERY, [{"id": "1"}], bearer_headers("abc"))
    http = request["http"]
    assert http["method"] == "POST" and http["headers"] == {"authorization": "Bearer abc"}
    assert http["body"] == {"query": QUERY, "variables": {"id": "1"}}


def test_an_apq_get_is_only_the_hash_in_parameters_the_router_reads() -> None:
    (request,) = apq_get_requests(QUERY, [{"id": "7"}], bearer_headers("abc"))
    http = request["http"]
    assert http["method"] == "GET" and "body" not in http
    assert http["headers"] == {**PREFLIGHT_HEADERS, "authorization": "Bearer abc"}
    parsed = request_from_query_params(parse_qsl(http["search"].removeprefix("?")))
    assert not parsed.query
    assert parsed.variables == {"id": "7"}
    assert persisted_query_hash(parsed.extensions) == sha256_hex(QUERY)


def test_the_registration_sends_the_text_with_its_hash() -> None:
    body = orjson.dumps(apq_registration(QUERY, {"id": "7"}))
    parsed = request_from_body("application/json", body)
    assert parsed.query == QUERY
    assert persisted_query_hash(parsed.extensions) == sha256_hex(QUERY)
