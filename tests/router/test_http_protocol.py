"""The pure GraphQL-over-HTTP rules: Accept negotiation, request parsing, status codes."""

from __future__ import annotations

import pytest

from router.http_protocol import (
    APPLICATION_JSON,
    GRAPHQL_RESPONSE_JSON,
    TEXT_HTML,
    HTTPProblem,
    MediaRange,
    error_body,
    execution_status,
    negotiate,
    parse_accept,
    request_error_status,
    request_from_body,
    request_from_query_params,
)
from router.request import GraphQLRequest

JSON_OFFERS = (GRAPHQL_RESPONSE_JSON, APPLICATION_JSON)
GET_OFFERS = (*JSON_OFFERS, TEXT_HTML)
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_parse_accept_reads_quality_and_skips_garbage() -> None:
    ranges = parse_accept("application/json;q=0.5, garbage, */*; charset=utf-8;q=0.1, text/*")
    assert ranges == (
        MediaRange("application", "json", 0.5),
        MediaRange("*", "*", 0.1),
        MediaRange("text", "*", 1.0),
    )


@pytest.mark.parametrize(
    ("accept", "offers", "expected"),
    [
        (None, JSON_OFFERS, APPLICATION_JSON),
        ("", JSON_OFFERS, APPLICATION_JSON),
        ("*/*", JSON_OFFERS, APPLICATION_JSON),
        ("application/*", JSON_OFFERS, APPLICATION_JSON),
        ("application/json", JSON_OFFERS, APPLICATION_JSON),
        ("application/json; charset=utf-8", JSON_OFFERS, APPLICATION_JSON),
        ("application/graphql-response+json", JSON_OFFERS, GRAPHQL_RESPONSE_JSON),
        ("application/json, application/graphql-response+json", JSON_OFFERS, GRAPHQL_RESPONSE_JSON),
        (
            "application/graphql-response+json;q=0.5, application/json",
            JSON_OFFERS,
            APPLICATION_JSON,
        ),
        ("application/json, multipart/mixed", JSON_OFFERS, APPLICATION_JSON),
        ("application/json;q=0, */*", JSON_OFFERS, GRAPHQL_RESPONSE_JSON),
        ("text/html", JSON_OFFERS, None),
        ("application/xml", JSON_OFFERS, None),
        ("application/json;q=0", JSON_OFFERS, None),
        (BROWSER_ACCEPT, GET_OFFERS, TEXT_HTML),
        ("*/*", GET_OFFERS, APPLICATION_JSON),
        ("text/html;q=0.5, application/json", GET_OFFERS, APPLICATION_JSON),
    ],
)
def test_negotiate(accept: str | None, offers: tuple[str, ...], expected: str | None) -> None:
    assert negotiate(accept, offers) == expected


def test_post_body_with_every_parameter() -> None:
    body = (
        b'{"query": "query Q($a: Int) { f(a: $a) }", "operationName": "Q",'
        b' "variables": {"a": 1}, "extensions": {"x": true}}'
    )
    assert request_from_body("application/json; charset=UTF-8", body) == GraphQLRequest(
        query="query Q($a: Int) { f(a: $a) }",
        operation_name="Q",
        variables={"a": 1},
        extensions={"x": True},
    )


def test_post_body_nulls_are_absent_parameters() -> None:
    body = b'{"query": "{ f }", "operationName": null, "variables": null, "extensions": null}'
    assert request_from_body(APPLICATION_JSON, body) == GraphQLRequest(query="{ f }")


def test_post_body_accepts_utf8_text() -> None:
    body = '{"query": "{ f(s: \\"Run🏃Swim🏊\\") }"}'.encode()
    assert request_from_body(APPLICATION_JSON, body).query == '{ f(s: "Run🏃Swim🏊") }'


@pytest.mark.parametrize(
    ("content_type", "body", "status"),
    [
        (None, b'{"query": "{ f }"}', 415),
        ("text/plain;charset=UTF-8", b'{"query": "{ f }"}', 415),
        ("application/x-www-form-urlencoded", b"query=%7Bf%7D", 415),
        ("application/json; charset=latin-1", b'{"query": "{ f }"}', 415),
        (APPLICATION_JSON, b"", 400),
        (APPLICATION_JSON, b'{ "not a JSON', 400),
        (APPLICATION_JSON, b"\xff\xfe{}", 400),
        (APPLICATION_JSON, b'["query"]', 400),
        (APPLICATION_JSON, b'{"notquery": "{ f }"}', 400),
        (APPLICATION_JSON, b'{"query": {"obj": "ect"}}', 400),
        (APPLICATION_JSON, b'{"query": 0}', 400),
        (APPLICATION_JSON, b'{"query": false}', 400),
        (APPLICATION_JSON, b'{"query": ["array"]}', 400),
        (APPLICATION_JSON, b'{"query": "{ f }", "operationName": 0}', 400),
        (APPLICATION_JSON, b'{"query": "{ f }", "variables": "string"}', 400),
        (APPLICATION_JSON, b'{"query": "{ f }", "variables": ["array"]}', 400),
        (APPLICATION_JSON, b'{"query": "{ f }", "extensions": false}', 400),
    ],
)
def test_post_body_rejections(content_type: str | None, body: bytes, status: int) -> None:
    with pytest.raises(HTTPProblem) as raised:
        request_from_body(content_type, body)
    assert raised.value.status == status
    expected_code = "BAD_REQUEST" if status == 400 else "UNSUPPORTED_MEDIA_TYPE"
    assert raised.value.code == expected_code


def test_query_params_decode_json_parameters() -> None:
    params = [
        ("query", "query T($name: String!) { t(name: $name) }"),
        ("variables", '{"name": "x"}'),
        ("operationName", "T"),
        ("extensions", "{}"),
    ]
    assert request_from_query_params(params) == GraphQLRequest(
        query="query T($name: String!) { t(name: $name) }",
        operation_name="T",
        variables={"name": "x"},
        extensions={},
    )


@pytest.mark.parametrize(
    "params",
    [
        [],
        [("query", "{ f }"), ("query", "{ g }")],
        [("query", "{ f }"), ("variables", "{not json")],
        [("query", "{ f }"), ("variables", "[1]")],
        [("query", "{ f }"), ("extensions", '"text"')],
    ],
)
def test_query_params_rejections(params: list[tuple[str, str]]) -> None:
    with pytest.raises(HTTPProblem) as raised:
        request_from_query_params(params)
    assert (raised.value.status, raised.value.code) == (400, "BAD_REQUEST")


def test_status_codes_depend_on_the_media_type() -> None:
    assert request_error_status(GRAPHQL_RESPONSE_JSON) == 400
    assert request_error_status(APPLICATION_JSON) == 200
    assert execution_status(GRAPHQL_RESPONSE_JSON, {"data": None, "errors": []}) == 200
    assert execution_status(GRAPHQL_RESPONSE_JSON, {"errors": []}) == 400
    assert execution_status(APPLICATION_JSON, {"errors": []}) == 200


def test_error_body_has_a_stable_code_and_no_data() -> None:
    assert error_body("nope", "BAD_REQUEST") == {
        "errors": [{"message": "nope", "extensions": {"code": "BAD_REQUEST"}}]
    }
